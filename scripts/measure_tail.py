#!/usr/bin/env python3
"""Measures `lamtop tail` against the local emulator (loopback only):
latency p50/p95 at 20 events/s, FilterLogEvents calls per idle minute,
catch-up throughput for 20,000 events, peak RSS.

    .venv/bin/python scripts/measure_tail.py target/release/lamtop
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
LAMTOP = sys.argv[1] if len(sys.argv) > 1 else "target/release/lamtop"


def gateway():
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "tests", "support", "gateway.py"), "--port", "0"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(p.stdout.readline().split()[1])
    return p, port


def calls(port):
    import urllib.request
    with urllib.request.urlopen("http://127.0.0.1:%d/__gateway/calls" % port) as r:
        return json.load(r)["counts"]


def env(port):
    e = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y", AWS_REGION="us-east-1",
             NO_PROXY="127.0.0.1", AWS_EC2_METADATA_DISABLED="true")
    return e


def peak_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def main():
    gw, port = gateway()
    ep = "http://127.0.0.1:%d" % port
    logs = boto3.client("logs", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    logs.create_log_group(logGroupName="/m/live")
    logs.create_log_stream(logGroupName="/m/live", logStreamName="s")

    # Latency at 20 events/s for 30 s.
    tail = subprocess.Popen([LAMTOP, "--endpoint-url", ep, "tail", "/m/live", "--since", "1m", "--format", "json"],
                            stdout=subprocess.PIPE, text=True, env=env(port))
    lat = []
    rss = [0]

    def reader():
        for line in tail.stdout:
            sent = float(json.loads(line)["message"].split()[1])
            lat.append((time.time() - sent) * 1000)
            rss[0] = max(rss[0], peak_rss_kb(tail.pid))

    threading.Thread(target=reader, daemon=True).start()
    time.sleep(2)
    for i in range(600):
        now = time.time()
        logs.put_log_events(logGroupName="/m/live", logStreamName="s",
                            logEvents=[{"timestamp": int(now * 1000), "message": "sent %.6f %d" % (now, i)}])
        time.sleep(max(0, 0.05 - (time.time() - now)))
    time.sleep(5)
    got = len(lat)
    lat.sort()
    print("latency at 20 ev/s: received %d/600, p50 %.0f ms, p95 %.0f ms" % (got, lat[len(lat) // 2], lat[int(len(lat) * 0.95)]))

    # Calls per idle minute.
    before = calls(port).get("logs:FilterLogEvents", 0)
    time.sleep(60)
    after = calls(port).get("logs:FilterLogEvents", 0)
    print("FilterLogEvents calls in an idle minute: %d" % (after - before))
    rss[0] = max(rss[0], peak_rss_kb(tail.pid))
    tail.terminate()
    tail.wait()
    print("peak RSS while following: %.1f MB" % (rss[0] / 1024))

    # Catch-up of 20,000 events.
    logs.create_log_group(logGroupName="/m/bulk")
    logs.create_log_stream(logGroupName="/m/bulk", logStreamName="s")
    t0 = int(time.time() * 1000) - 120_000
    for b in range(2):
        logs.put_log_events(logGroupName="/m/bulk", logStreamName="s", logEvents=[
            {"timestamp": t0 + (b * 10000 + i) * 5, "message": "event %05d" % (b * 10000 + i)} for i in range(10000)])
    start = time.time()
    p = subprocess.Popen([LAMTOP, "--endpoint-url", ep, "tail", "/m/bulk", "--since", "10m", "--no-follow", "--format", "json"],
                         stdout=subprocess.PIPE, text=True, env=env(port))
    n = sum(1 for _ in p.stdout)
    p.wait()
    took = time.time() - start
    print("catch-up: %d events in %.2f s = %.0f events/s (including start-up)" % (n, took, n / took))
    gw.terminate()


if __name__ == "__main__":
    main()
