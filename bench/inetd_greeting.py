#!/usr/bin/env python3
"""Times an inetd-mode process from spawn to its first greeting byte.

Like inetd, hands the accepted end of a loopback TCP connection to the command as its stdin and
stdout, then waits on the other end for the first byte. Repeats --runs times and prints each time,
then "median min max" in milliseconds on the last line. Usage:

    inetd_greeting.py [--runs 15] -- COMMAND [ARGS...]
"""
import argparse
import socket
import statistics
import subprocess
import sys
import time


def one(cmd, timeout):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname(), timeout=timeout)
    server_end, _ = listener.accept()
    listener.close()
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=server_end, stdout=server_end,
                                stderr=subprocess.DEVNULL, close_fds=True)
        server_end.close()
        first = client.recv(1)
        elapsed = time.perf_counter() - start
        if not first:
            raise RuntimeError("no greeting from %r (exit %r)" % (cmd, proc.poll()))
        client.close()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return elapsed * 1000.0
    finally:
        client.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        parser.error("no command")
    times = []
    for _ in range(max(1, min(args.runs, 100))):
        times.append(one(cmd, args.timeout))
        print("%.1f" % times[-1], file=sys.stderr)
    print("%.2f %.2f %.2f" % (statistics.median(times), min(times), max(times)))


if __name__ == "__main__":
    main()
