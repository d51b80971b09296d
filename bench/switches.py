#!/usr/bin/env python3
"""Context switches and CPU per session in a relay's processes (docs/PERFORMANCE.md §2a, sixth pass).

    bench/switches.py PID PORT [SESSIONS] [CLIENTS]

PID is the relay's process (the proxy's JVM, HAProxy, nginx's master: its live child processes
are counted too), PORT where it listens in front of a server with bench/dovecot.sh's users
(u0.., password pw, a message each). CLIENTS threads (default 16) run SESSIONS sessions (default
3200) of connect, USER, PASS, STAT, RETR 1, QUIT with poplib, once to warm up and once measured;
the voluntary and involuntary context switches of every thread of the relay (from
/proc/<pid>/task/*/status) and its CPU time (utime + stime of /proc/<pid>/stat) are read around
the measured round and printed per session.
"""
import glob
import os
import poplib
import sys
import threading


def processes(pid):
    """The process and its live descendants, as /proc lists them now."""
    found = [pid]
    for p in found:
        for children in glob.glob(f"/proc/{p}/task/*/children"):
            try:
                found += [int(c) for c in open(children).read().split()]
            except OSError:
                pass
    return found


def reading(pid):
    voluntary = involuntary = ticks = 0
    for p in processes(pid):
        for status in glob.glob(f"/proc/{p}/task/*/status"):
            try:
                for line in open(status):
                    if line.startswith("voluntary_ctxt_switches"):
                        voluntary += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        involuntary += int(line.split()[1])
            except OSError:
                pass
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return voluntary, involuntary, ticks


TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def sessions(port, count, clients):
    def client(k):
        for _ in range(count // clients):
            c = poplib.POP3("127.0.0.1", port, timeout=30)
            c.user(f"u{k}")
            c.pass_("pw")
            c.stat()
            c.retr(1)
            c.quit()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main():
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 3200
    clients = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    count -= count % clients
    sessions(port, count, clients)
    before = reading(pid)
    sessions(port, count, clients)
    after = reading(pid)
    print(f"per session: voluntary switches {(after[0] - before[0]) / count:.1f}, "
          f"involuntary {(after[1] - before[1]) / count:.1f}, "
          f"CPU {(after[2] - before[2]) * TICK_MS / count:.3f} ms "
          f"({count} sessions, {clients} clients, {len(processes(pid))} processes)")


if __name__ == "__main__":
    main()
