#!/usr/bin/env python3
"""Splits an access log into daily files the way a server rotating its log at
midnight does: a line goes to the file of the latest time seen so far, so a
line stamped 23:59:5x written just after midnight sits in the next day's file.
    bench/split_days.py IN.log[.gz] OUT_PREFIX [--gz]
writes OUT_PREFIX-YYYYMMDD.log (or .log.gz) and prints their names."""
import gzip
import re
import sys

MON = {m: i for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
STAMP = re.compile(rb"\[(\d\d)/(\w\w\w)/(\d{4}):(\d\d):(\d\d):(\d\d)")


def main():
    src, prefix = sys.argv[1], sys.argv[2]
    gz = "--gz" in sys.argv[3:]
    opener = gzip.open if src.endswith(".gz") else open
    best = None
    out = None
    day = None
    names = []
    with opener(src, "rb") as f:
        for line in f:
            m = STAMP.search(line)
            if m:
                key = (int(m.group(3)), MON[m.group(2).decode()], int(m.group(1)),
                       int(m.group(4)), int(m.group(5)), int(m.group(6)))
                if best is None or key > best:
                    best = key
            d = best[:3] if best else (0, 0, 0)
            if d != day:
                if out:
                    out.close()
                day = d
                name = "%s-%04d%02d%02d.log%s" % (prefix, d[0], d[1], d[2], ".gz" if gz else "")
                out = gzip.open(name, "wb", compresslevel=6) if gz else open(name, "wb")
                names.append(name)
            out.write(line)
    if out:
        out.close()
    print("\n".join(names))


if __name__ == "__main__":
    main()
