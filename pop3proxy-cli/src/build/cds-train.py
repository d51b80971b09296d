#!/usr/bin/env python3
"""The AppCDS training run (cds-archive.sh): one inetd-mode session of bin/pop3.proxy, the way
inetd starts it (a connected TCP socket as stdin and stdout), through a login to a scripted POP3
server, so that the archive holds what a real session loads. Usage:
    cds-train.py LAUNCHER [LAUNCHER-OPTIONS...]   (the server address is appended)
Exits 0 when the session went through, 1 otherwise."""
import socket
import subprocess
import sys
import threading

REPLIES = {b"USER": b"+OK\r\n", b"PASS": b"+OK logged in\r\n", b"STAT": b"+OK 1 20\r\n",
           b"LIST": b"+OK\r\n1 20\r\n.\r\n", b"RETR": b"+OK\r\nSubject: x\r\n\r\n..dot\r\n.\r\n",
           b"NOOP": b"+OK\r\n", b"QUIT": b"+OK bye\r\n"}


def serve(listener):
    conn, _ = listener.accept()
    with conn, conn.makefile("rb") as lines:
        conn.sendall(b"+OK server ready\r\n")
        for line in lines:
            reply = REPLIES.get(line.split(b" ")[0].strip().upper(), b"-ERR\r\n")
            conn.sendall(reply)
            if reply == REPLIES[b"QUIT"]:
                return


def main():
    server = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=serve, args=(server,), daemon=True).start()
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname(), timeout=60)
    inetd_end, _ = listener.accept()
    listener.close()
    cmd = ["sh"] + sys.argv[1:] + ["127.0.0.1:%d" % server.getsockname()[1]]
    proxy = subprocess.Popen(cmd, stdin=inetd_end, stdout=inetd_end, stderr=subprocess.DEVNULL)
    inetd_end.close()
    ok = True
    with client, client.makefile("rb") as replies:
        ok &= replies.readline().startswith(b"+OK")
        for command, lines in ((b"USER u", 1), (b"PASS p", 1), (b"STAT", 1), (b"LIST", 3), (b"RETR 1", 5),
                               (b"NOOP", 1), (b"QUIT", 1)):
            client.sendall(command + b"\r\n")
            for _ in range(lines):
                ok &= bool(replies.readline())
    ok &= proxy.wait(timeout=60) == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
