#!/usr/bin/env python3
"""Measures the fleet error scan against the local emulator (loopback
only): FUNCTIONS failing functions (default 100), each with an Errors
datapoint and REQUESTS failed requests (default 5) in the runtimes' real
formats (a Node `Invoke Error`, a platform timeout with its REPORT) among
successful requests' START/END/REPORT lines; then `lamtop errors
--output json` once, reporting wall time, FilterLogEvents calls and the
groups found.

    .venv/bin/python scripts/measure_errors.py target/release/lamtop [FUNCTIONS] [REQUESTS]

The emulator ignores regex filter patterns (every event comes back), so the
events read are all the seeded lines; against AWS only the failure lines
would be.
"""

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scale import ZIP, client, control, gateway  # noqa: E402

LAMTOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/lamtop")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100
REQUESTS = int(sys.argv[3]) if len(sys.argv) > 3 else 5


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + ".%03dZ" % (ms % 1000)


def request_lines(i, k, t, failed):
    rid = "5e1f0ac4-1d2e-4a3b-%04x-%012x" % (i, k)
    ok = [(t, "START RequestId: %s Version: $LATEST" % rid),
          (t + 5, "END RequestId: %s" % rid),
          (t + 5, "REPORT RequestId: %s\tDuration: 4.20 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB" % rid)]
    if not failed:
        return ok
    if (k // 4) % 2 == 0:
        fail = (t + 3, '%s\t%s\tERROR\tInvoke Error \t{"errorType":"ReferenceError","errorMessage":"x is not defined",'
                       '"stack":["ReferenceError: x is not defined","    at Runtime.exports.handler (/var/task/index.js:2:3)"]}'
                % (iso(t + 3), rid))
    else:
        fail = (t + 3, "%s %s Task timed out after 3.00 seconds" % (iso(t + 3), rid))
    return ok + [fail]


def seed(ep):
    lam, logs, cw = client("lambda", ep), client("logs", ep), client("cloudwatch", ep)
    now = int(time.time() * 1000)

    def one(i):
        name = "err-fn-%04d" % i
        lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role="arn:aws:iam::123456789012:role/lamtop-test",
                            Handler="index.handler", Code={"ZipFile": ZIP})
        group = "/aws/lambda/" + name
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        events = []
        for k in range(REQUESTS * 4):
            events += request_lines(i, k, now - 600_000 + k * 1000, k % 4 == 0)
        events.sort()
        logs.put_log_events(logGroupName=group, logStreamName="s",
                            logEvents=[{"timestamp": t, "message": m} for t, m in events])
        cw.put_metric_data(Namespace="AWS/Lambda", MetricData=[
            {"MetricName": "Errors", "Dimensions": [{"Name": "FunctionName", "Value": name}],
             "Timestamp": now // 60_000 * 60 - 300, "Value": REQUESTS}])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(N)))


def main():
    gw, port = gateway()
    ep = "http://127.0.0.1:%d" % port
    try:
        seed(ep)
        control(port, "/__gateway/reset-calls", {})
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp/lamtop-measure-errors", "AWS_ACCESS_KEY_ID": "x",
               "AWS_SECRET_ACCESS_KEY": "y", "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
               "NO_PROXY": "127.0.0.1"}
        t0 = time.time()
        out = subprocess.run([LAMTOP, "errors", "--window", "15m", "--output", "json", "--endpoint-url", ep],
                             capture_output=True, text=True, env=env, timeout=900)
        wall = time.time() - t0
        doc = json.loads(out.stdout)
        calls = control(port, "/__gateway/calls")["counts"]
        print("functions failing: %d, failed requests each: %d" % (N, REQUESTS))
        print("wall time: %.1f s (exit %d)" % (wall, out.returncode))
        print("FilterLogEvents calls: %d (scan says %d), events read: %d"
              % (calls.get("logs:FilterLogEvents", 0), doc["error_scan"]["calls"], doc["error_scan"]["events_read"]))
        for g in doc["error_groups"]:
            print("  %5d  %-8s %3d functions  %s" % (g["count"], g["kind"], len(g["functions"]), g["title"]))
    finally:
        gw.kill()


if __name__ == "__main__":
    main()
