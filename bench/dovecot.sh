#!/usr/bin/env bash
# Installs, configures, starts and stops a private Dovecot POP3 server for the benchmark.
# It listens on 127.0.0.1 only, on a free port, with its own config, runtime and mail directories
# under $BENCH_DOVECOT_DIR (default /tmp/pop3proxy-bench-dovecot), a passwd-file passdb and
# maildirs owned by nobody. The system's Dovecot service, if any, is left alone.
#
#   bench/dovecot.sh install          apt-get install dovecot-pop3d (once, as root)
#   bench/dovecot.sh start [USERS] [BIG_MB]
#                                     writes users u0..u<USERS-1> (password pw, one 2 KB
#                                     message each) and big (one BIG_MB MB message), starts it
#                                     and prints the port (default 32 users, 50 MB)
#   bench/dovecot.sh port             prints the port of the running instance
#   bench/dovecot.sh stop             stops it and removes its directory
set -euo pipefail

DIR=${BENCH_DOVECOT_DIR:-/tmp/pop3proxy-bench-dovecot}
DOVECOT=${DOVECOT:-/usr/sbin/dovecot}

install() {
  if [ -x "$DOVECOT" ] && [ -e /usr/lib/dovecot/pop3 ]; then
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends dovecot-core dovecot-pop3d >/dev/null
  # Debian starts the system service on install; the benchmark runs its own private instance.
  systemctl stop dovecot 2>/dev/null || true
  systemctl disable dovecot 2>/dev/null || true
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_mail() {
  local users=$1 big_mb=$2
  python3 - "$DIR/mail" "$users" "$big_mb" <<'PY'
import os, sys
root, users, big_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def message(subject, size):
    # Same shape as org.pop3proxy.bench.Messages: one line in a hundred starts with a dot.
    head = ("From: bench@example.org\nTo: user@example.org\nSubject: %s\n"
            "Message-ID: <%s@bench.example.org>\n\n" % (subject, subject.replace(" ", ".")))
    parts, n, line = [head], len(head), 0
    while n < size:
        lead = "." if line % 100 == 99 else "L"
        text = "%s%08d The quick brown fox jumps over the lazy dog; pack my box with jugs.\n" % (lead, line)
        parts.append(text)
        n += len(text)
        line += 1
    return "".join(parts).encode("ascii")

def maildir(user, body):
    d = os.path.join(root, user)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    name = "1700000000.M1P1.bench,S=%d:2,S" % len(body)
    with open(os.path.join(d, "cur", name), "wb") as f:
        f.write(body)

for i in range(users):
    maildir("u%d" % i, message("small %d" % i, 2048))
maildir("big", message("big", big_mb * 1024 * 1024))
PY
}

start() {
  local users=${1:-32} big_mb=${2:-50}
  install
  if [ -f "$DIR/run/master.pid" ] && kill -0 "$(cat "$DIR/run/master.pid")" 2>/dev/null; then
    cat "$DIR/port"
    return 0
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR/run" "$DIR/state" "$DIR/mail" "$DIR/home"
  chmod 755 "$DIR"
  local port
  port=$(free_port)
  echo "$port" >"$DIR/port"
  : >"$DIR/passwd"
  for ((i = 0; i < users; i++)); do
    echo "u$i:{PLAIN}pw::::::" >>"$DIR/passwd"
  done
  echo "big:{PLAIN}pw::::::" >>"$DIR/passwd"
  write_mail "$users" "$big_mb"
  chown -R nobody:nogroup "$DIR/mail" "$DIR/home"
  cat >"$DIR/dovecot.conf" <<CONF
# Private benchmark instance written by bench/dovecot.sh; loopback only, plaintext logins.
base_dir = $DIR/run
state_dir = $DIR/state
instance_name = pop3proxy-bench
protocols = pop3
listen = 127.0.0.1
log_path = $DIR/dovecot.log
# One line per login would be written per benchmark session; only problems are kept.
info_log_path = /dev/null
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:$DIR/mail/%u
pop3_uidl_format = %08Xu%08Xv
# The benchmark logs in with 16 clients as one user per client and keeps no limit of its own.
default_process_limit = 1000
default_client_limit = 4000
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DIR/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DIR/home/%u
}
protocol pop3 {
  mail_max_userip_connections = 1000
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $port
  }
  # Performance mode: long-lived login processes instead of one per connection.
  service_count = 0
  process_min_avail = 2
  client_limit = 1000
}
service pop3 {
  process_limit = 1000
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3s {
    port = 0
  }
}
CONF
  "$DOVECOT" -c "$DIR/dovecot.conf"
  # Wait (bounded) until it accepts connections and greets.
  for _ in $(seq 1 100); do
    if python3 - "$port" <<'PY' 2>/dev/null; then
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
assert s.recv(3) == b"+OK"
PY
      echo "$port"
      return 0
    fi
    sleep 0.1
  done
  echo "dovecot did not start; see $DIR/dovecot.log" >&2
  tail -20 "$DIR/dovecot.log" >&2 || true
  return 1
}

stop() {
  if [ -f "$DIR/dovecot.conf" ]; then
    "$DOVECOT" -c "$DIR/dovecot.conf" stop 2>/dev/null || true
    for _ in $(seq 1 50); do
      [ -f "$DIR/run/master.pid" ] || break
      sleep 0.1
    done
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  install) install ;;
  start) shift; start "$@" ;;
  port) cat "$DIR/port" ;;
  stop) stop ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
