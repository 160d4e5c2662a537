#!/usr/bin/env python3
"""pty_run.py OUT ARGS...: runs ARGS with stdin, stdout and stderr on a new
pseudo-terminal (so isatty(2) is true for it), writes every byte the
terminal received to OUT, and exits with the command's status. With
PTY_STDERR_ONLY=1 stdout goes to OUT.stdout (a file) and only stderr is
the terminal."""
import os
import pty
import select
import sys

out_path, argv = sys.argv[1], sys.argv[2:]
only_err = os.environ.get("PTY_STDERR_ONLY") == "1"
pid, fd = pty.fork()
if pid == 0:
    if only_err:
        f = os.open(out_path + ".stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(f, 1)
    os.execvp(argv[0], argv)
got = bytearray()
while True:
    try:
        r, _, _ = select.select([fd], [], [], 120)
    except InterruptedError:
        continue
    if not r:
        break
    try:
        d = os.read(fd, 65536)
    except OSError:  # EIO: the child closed the terminal
        break
    if not d:
        break
    got += d
_, status = os.waitpid(pid, 0)
with open(out_path, "wb") as f:
    f.write(got)
sys.exit(os.waitstatus_to_exitcode(status))
