#!/usr/bin/env python3
"""Times an inetd-mode process from spawn to its first greeting byte.

Like inetd, hands the accepted end of a loopback TCP connection to the command as its stdin and
stdout, then waits on the other end for the first byte. Repeats --runs times and prints each time,
then "median min max" in milliseconds on the last line. With --reply, also sends USER after the
greeting and times the first byte of its answer (the whole start-up, where the greeting may come
before the process is ready), adding "reply-median reply-min reply-max" to the last line. Usage:

    inetd_greeting.py [--runs 15] [--reply] -- COMMAND [ARGS...]
"""
import argparse
import socket
import statistics
import subprocess
import sys
import time


def one(cmd, timeout, reply):
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
        answered = None
        if reply:
            greeting = first
            while not greeting.endswith(b"\n"):
                more = client.recv(1)
                if not more:
                    raise RuntimeError("greeting cut short by %r" % (cmd,))
                greeting += more
            client.sendall(b"USER bench\r\n")
            if not client.recv(1):
                raise RuntimeError("no answer to USER from %r (exit %r)" % (cmd, proc.poll()))
            answered = (time.perf_counter() - start) * 1000.0
            client.sendall(b"QUIT\r\n")
        client.close()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return elapsed * 1000.0, answered
    finally:
        client.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--reply", action="store_true")
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        parser.error("no command")
    times = []
    replies = []
    for _ in range(max(1, min(args.runs, 100))):
        greeting, answered = one(cmd, args.timeout, args.reply)
        times.append(greeting)
        if answered is not None:
            replies.append(answered)
        print("%.1f %s" % (greeting, "" if answered is None else "%.1f" % answered), file=sys.stderr)
    last = "%.2f %.2f %.2f" % (statistics.median(times), min(times), max(times))
    if replies:
        last += " %.2f %.2f %.2f" % (statistics.median(replies), min(replies), max(replies))
    print(last)


if __name__ == "__main__":
    main()
