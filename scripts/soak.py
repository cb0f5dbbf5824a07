#!/usr/bin/env python3
"""A long shift on the demo fleet: the dashboard in tmux with a short
refresh, the function view of a busy function open and its logs flowing;
resident memory, CPU and the log buffer sampled every minute, for
MINUTES (default 30). Prints one line per sample and a summary: start and
end RSS, CPU share per interval, growth.

    python3 scripts/soak.py target/release/lamtop [MINUTES] [REFRESH] [LOG_BUFFER]

LOG_BUFFER (default 300) is the log pane's cap, small so the pane reaches
it within minutes and the run shows memory once the buffer is full.

Needs tmux. Nothing leaves the machine: the demo fleet is synthetic.
"""

import os
import subprocess
import sys
import tempfile
import time

LAMTOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/lamtop")
MINUTES = int(sys.argv[2]) if len(sys.argv) > 2 else 30
REFRESH = sys.argv[3] if len(sys.argv) > 3 else "10s"
LOG_BUFFER = int(sys.argv[4]) if len(sys.argv) > 4 else 300
CLK_TCK = os.sysconf("SC_CLK_TCK")
SOCKET = "lamtop-soak-%d" % os.getpid()


def tmux(*args):
    return subprocess.run(["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True).stdout


def lamtop_pid():
    out = subprocess.run(["pgrep", "-f", "-n", "^%s --demo" % LAMTOP], capture_output=True, text=True).stdout
    return int(out.split()[0])


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def main():
    home = tempfile.mkdtemp(prefix="lamtop-soak-")
    config = os.path.join(home, "config.toml")
    with open(config, "w") as f:
        f.write("log_buffer = %d\n" % LOG_BUFFER)
    os.chmod(config, 0o600)
    tmux("new-session", "-d", "-x", "200", "-y", "50",
         "%s --demo --refresh %s --config %s" % (LAMTOP, REFRESH, config))
    try:
        time.sleep(5)
        # Open the busiest function (first row by errors), logs following.
        tmux("send-keys", "Enter")
        time.sleep(5)
        pid = lamtop_pid()
        t0, c0 = time.time(), cpu_ticks(pid)
        samples = []
        for minute in range(MINUTES + 1):
            if minute:
                time.sleep(60)
            t, c, r = time.time(), cpu_ticks(pid), rss_kb(pid)
            screen = tmux("capture-pane", "-p")
            logs = next((l for l in screen.splitlines() if "┌ Logs" in l), "").strip("┌─ ")
            samples.append((t, c, r))
            cpu = 0.0
            if len(samples) > 1:
                (pt, pc, _) = samples[-2]
                cpu = 100.0 * (c - pc) / CLK_TCK / (t - pt)
            print("min %3d  rss %6.1f MB  cpu %5.2f %%  %s" % (minute, r / 1024, cpu, logs[:90]), flush=True)
        (t1, c1, r1) = samples[-1]
        first_cpu = 100.0 * (samples[1][1] - samples[0][1]) / CLK_TCK / (samples[1][0] - samples[0][0])
        last_cpu = 100.0 * (c1 - samples[-2][1]) / CLK_TCK / (t1 - samples[-2][0])
        print("summary: %d min, refresh %s, log buffer %d; RSS %.1f MB at start, %.1f MB at end, peak %.1f MB; "
              "CPU first minute %.2f %%, last minute %.2f %%, mean %.2f %% of a core"
              % (MINUTES, REFRESH, LOG_BUFFER, samples[0][2] / 1024, r1 / 1024, max(s[2] for s in samples) / 1024,
                 first_cpu, last_cpu, 100.0 * (c1 - c0) / CLK_TCK / (t1 - t0)))
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)


if __name__ == "__main__":
    main()
