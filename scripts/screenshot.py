#!/usr/bin/env python3
"""Renders the real dashboard to SVG for the README.

Runs `lamtop --demo` in a private tmux server, optionally sends keys, captures
the pane with its colours (`capture-pane -e`) and converts the ANSI text to
an SVG image. Usage:

    scripts/screenshot.py target/release/lamtop assets/dashboard.svg
    scripts/screenshot.py target/release/lamtop assets/function.svg "j j j Enter"
"""

import html
import re
import subprocess
import sys
import time

COLS, ROWS = 160, 45
CW, LH = 8.4, 17  # cell width and line height in px
BASE16 = [
    "#1e1e1e", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
    "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
]
FG, BG = "#d4d4d4", "#1e1e1e"


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        r, g, b = n // 36, (n // 6) % 6, n % 6
        scale = lambda v: 0 if v == 0 else 55 + v * 40
        return "#%02x%02x%02x" % (scale(r), scale(g), scale(b))
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


def apply_sgr(state, params):
    codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            state.update(fg=None, bg=None, bold=False, dim=False, rev=False)
        elif c == 1:
            state["bold"] = True
        elif c == 2:
            state["dim"] = True
        elif c == 7:
            state["rev"] = True
        elif c in (22,):
            state["bold"] = state["dim"] = False
        elif c == 27:
            state["rev"] = False
        elif 30 <= c <= 37:
            state["fg"] = BASE16[c - 30]
        elif 90 <= c <= 97:
            state["fg"] = BASE16[c - 90 + 8]
        elif 40 <= c <= 47:
            state["bg"] = BASE16[c - 40]
        elif 100 <= c <= 107:
            state["bg"] = BASE16[c - 100 + 8]
        elif c == 39:
            state["fg"] = None
        elif c == 49:
            state["bg"] = None
        elif c in (38, 48) and i + 1 < len(codes):
            if codes[i + 1] == 5 and i + 2 < len(codes):
                state["fg" if c == 38 else "bg"] = color256(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                state["fg" if c == 38 else "bg"] = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                i += 4
        i += 1


def to_svg(ansi):
    out = []
    for y, line in enumerate(ansi.split("\n")[:ROWS]):
        state = dict(fg=None, bg=None, bold=False, dim=False, rev=False)
        x = 0
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            m = re.match(r"\x1b\[([0-9;]*)m", part)
            if m:
                apply_sgr(state, m.group(1))
                continue
            if not part:
                continue
            fg, bg = state["fg"] or FG, state["bg"] or BG
            if state["rev"]:
                fg, bg = bg, fg
            if state["dim"]:
                fg = "#808080"
            n = len(part)
            if bg != BG:
                out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>' % (x * CW, y * LH, n * CW, LH, bg))
            if part.strip():
                weight = ' font-weight="bold"' if state["bold"] else ""
                # One x per glyph keeps every cell on its column whatever
                # the font's own glyph widths.
                xs = " ".join("%.1f" % ((x + k) * CW) for k in range(n))
                out.append('<text x="%s" y="%d" fill="%s"%s>%s</text>' % (
                    xs, y * LH + 13, fg, weight, html.escape(part)))
            x += n
    w, h = COLS * CW, ROWS * LH
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">'
        '<rect width="100%%" height="100%%" fill="%s"/>'
        '<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14px" xml:space="preserve">%s</g></svg>\n'
        % (w, h, w, h, BG, "".join(out))
    )


def main():
    binary, target = sys.argv[1], sys.argv[2]
    keys = sys.argv[3].split() if len(sys.argv) > 3 else []
    tmux = ["tmux", "-L", "lamtop-shot", "-f", "/dev/null"]
    subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
    subprocess.run(tmux + ["new-session", "-d", "-s", "s", "-x", str(COLS), "-y", str(ROWS),
                           "env TERM=xterm-256color COLORTERM=truecolor %s --demo" % binary], check=True)
    try:
        time.sleep(4)
        for k in keys:
            subprocess.run(tmux + ["send-keys", "-t", "s", k], check=True)
            time.sleep(0.4)
        time.sleep(2)
        ansi = subprocess.run(tmux + ["capture-pane", "-e", "-p", "-t", "s"], check=True,
                              capture_output=True, text=True).stdout
    finally:
        subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
    with open(target, "w") as f:
        f.write(to_svg(ansi))
    print("wrote", target)


if __name__ == "__main__":
    main()
