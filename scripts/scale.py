#!/usr/bin/env python3
"""Measures the dashboard on a large fleet against the local emulator
(loopback only): time to first frame, time to full data, GetMetricData
calls per refresh, peak RSS, idle CPU over 60 s; then the same start again
with the function-list cache of the first run.

    .venv/bin/python scripts/scale.py target/release/lamtop [FUNCTIONS]

Needs tmux. FUNCTIONS defaults to 5000, ACTIVE (third argument) to 0: the
functions that get datapoints. The emulator scans every datapoint for every
query and period, so with datapoints a 5,000-function refresh takes it
longer than lamtop's timeouts; the numbers' correctness is tested in
tests/scale_emulator.rs instead.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
LAMTOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/lamtop")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
ACTIVE = int(sys.argv[3]) if len(sys.argv) > 3 else 0
ZIP = bytes([0x50, 0x4B, 0x05, 0x06] + [0] * 18)
CLK_TCK = os.sysconf("SC_CLK_TCK")
SOCKET = "lamtop-scale-%d" % os.getpid()


def gateway():
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "tests", "support", "gateway.py"), "--port", "0"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return p, int(p.stdout.readline().split()[1])


def control(port, path, body=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 data=None if body is None else json.dumps(body).encode(),
                                 method="GET" if body is None else "POST")
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def client(service, ep):
    return boto3.client(service, endpoint_url=ep, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="y")


def seed(ep):
    lam = client("lambda", ep)

    def create(i):
        lam.create_function(FunctionName="scale-fn-%05d" % i, Runtime="python3.12",
                            Role="arn:aws:iam::123456789012:role/lamtop-test", Handler="index.handler",
                            Code={"ZipFile": ZIP}, MemorySize=128 + 64 * (i % 8), Timeout=3 + i % 10)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(N)))
    cw = client("cloudwatch", ep)
    now = int(time.time()) // 60 * 60
    data = []
    for i in (range(0, N, max(1, N // ACTIVE)) if ACTIVE else []):
        for k in range(1, 30):
            for metric, value in (("Invocations", 10 + i % 7), ("Errors", i % 3), ("Duration", 100 + i % 50)):
                data.append({"MetricName": metric, "Dimensions": [{"Name": "FunctionName", "Value": "scale-fn-%05d" % i}],
                             "Timestamp": now - 60 * k, "Value": value})
    for j in range(0, len(data), 500):
        cw.put_metric_data(Namespace="AWS/Lambda", MetricData=data[j:j + 500])


def tmux(*args):
    return subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null", *args], capture_output=True, text=True)


def screen():
    return tmux("capture-pane", "-p", "-t", "lamtop").stdout


def pid_of(ep):
    out = subprocess.run(["pgrep", "-f", "--", "--endpoint-url %s --window 3h" % ep], capture_output=True, text=True).stdout
    pids = [int(p) for p in out.split()]
    # Not the shell that started it: the process whose executable is lamtop.
    for p in pids:
        try:
            if os.path.basename(os.readlink("/proc/%d/exe" % p)) == os.path.basename(LAMTOP):
                return p
        except OSError:
            pass
    return None


def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait(what, ok, limit=600):
    t0 = time.time()
    while time.time() - t0 < limit:
        s = screen()
        if ok(s):
            return time.time()
        time.sleep(0.05)
    raise SystemExit("timed out waiting for %s:\n%s" % (what, screen()))


def run_once(ep, port, home, label):
    control(port, "/__gateway/reset-calls", {})
    cmd = ("env -i PATH=/usr/bin:/bin HOME={h} TERM=xterm-256color AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y "
           "AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1 "
           "{bin} --endpoint-url {ep} --window 3h --refresh 60s; sleep 600").format(h=home, bin=LAMTOP, ep=ep)
    start = time.time()
    tmux("new-session", "-d", "-s", "lamtop", "-x", "200", "-y", "50", cmd)
    first = wait("the first frame", lambda s: "lamtop │" in s)
    listed = wait("the function list", lambda s: "Functions %d/%d" % (N, N) in s)
    def fleet_title(s):
        lines = s.split("\n")
        return lines[1].split("┐")[0] if len(lines) > 1 else ""

    full = wait("the metrics", lambda s: "Functions %d/%d" % (N, N) in s and "updated" in fleet_title(s)
                and "cached" not in fleet_title(s))
    pid = pid_of(ep)
    calls = control(port, "/__gateway/calls")["counts"]
    gmd = calls.get("cloudwatch:GetMetricData", 0) + calls.get("cloudwatch:GetMetricData#percentiles", 0)
    t0, c0 = time.time(), cpu_ticks(pid) if pid else 0
    time.sleep(60)
    idle = (cpu_ticks(pid) - c0) / CLK_TCK / (time.time() - t0) * 100 if pid else float("nan")
    rss = proc_status(pid, "VmHWM") / 1024 if pid else float("nan")
    tmux("kill-server")
    print("%-22s first frame %6.2f s · function list %6.2f s · full data %6.2f s · "
          "GetMetricData requests in the first refresh %d · peak RSS %.0f MB · idle CPU %.2f %% of a core"
          % (label, first - start, listed - start, full - start, gmd, rss, idle))
    return calls


def main():
    if not shutil.which("tmux"):
        raise SystemExit("tmux is needed")
    gw, port = gateway()
    ep = "http://127.0.0.1:%d" % port
    try:
        t = time.time()
        seed(ep)
        print("seeded %d functions (%d with datapoints) in %.0f s" % (N, ACTIVE, time.time() - t))
        home = tempfile.mkdtemp(prefix="lamtop-scale-")
        calls = run_once(ep, port, home, "cold start:")
        print("  calls of the first refresh: %s" % json.dumps(calls, sort_keys=True))
        run_once(ep, port, home, "with the cached list:")
    finally:
        tmux("kill-server")
        gw.terminate()


if __name__ == "__main__":
    main()
