#!/usr/bin/env python3
"""Runs a command and prints "WALL_S CPU_S MAXRSS_KB RC" on one line.

    bench/rusage.py CMD [ARG...]

CPU is user + system time from wait4's rusage, in microseconds, where GNU
time prints hundredths: at 0.04 s a floor measured in hundredths is off by
up to a quarter. The command's output goes to /dev/null.
"""
import os
import subprocess
import sys
import time

if len(sys.argv) < 2:
    sys.stderr.write("usage: bench/rusage.py CMD [ARG...]\n")
    sys.exit(2)
start = time.monotonic()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.monotonic() - start
err = proc.stderr.read()
proc.stderr.close()
rc = os.waitstatus_to_exitcode(status)
sys.stderr.buffer.write(err)
print(f"{wall:.6f} {usage.ru_utime + usage.ru_stime:.6f} {usage.ru_maxrss} {rc}")
