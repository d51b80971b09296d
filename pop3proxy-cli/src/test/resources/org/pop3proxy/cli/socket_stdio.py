#!/usr/bin/env python3
"""Acts as inetd for one connection: socket_stdio.py COMMAND [ARGS...]

Listens on 127.0.0.1 on a free port, prints the port on stdout, accepts one connection and then
executes COMMAND with that socket as its stdin, stdout and stderr, as inetd does.
"""
import os
import signal
import socket
import sys


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print(listener.getsockname()[1], flush=True)
    conn, _ = listener.accept()
    listener.close()
    for fd in (0, 1, 2):
        os.dup2(conn.fileno(), fd)
    conn.close()
    # Python ignores SIGPIPE; inetd's children start with the default.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
