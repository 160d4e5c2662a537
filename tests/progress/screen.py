#!/usr/bin/env python3
"""screen.py FILE: what a terminal shows after receiving FILE's bytes, line
by line: '\r' goes back to the start of the line, ESC [ K erases to its
end, '\n' ends the line (the pty turns '\n' into '\r\n'). Any other escape
sequence is an error: bilan writes no other."""
import sys

data = open(sys.argv[1], "rb").read().decode("utf-8")
lines, cur, col, i = [], [], 0, 0
while i < len(data):
    c = data[i]
    if c == "\r":
        col = 0
    elif c == "\n":
        lines.append("".join(cur))
        cur, col = [], 0
    elif c == "\x1b":
        if data[i:i + 3] != "\x1b[K":
            sys.exit("unexpected escape sequence %r" % data[i:i + 8])
        del cur[col:]
        i += 2
    else:
        if col < len(cur):
            cur[col] = c
        else:
            cur.append(c)
        col += 1
    i += 1
if cur:
    lines.append("".join(cur))
sys.stdout.write("".join(l + "\n" for l in lines))
