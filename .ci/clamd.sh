#!/bin/bash
# Starts a private clamd for tests and benchmarks: no network, no freshclam, a one-line
# signature database that detects only the EICAR test string.
#
# Usage: .ci/clamd.sh [STATE_DIR]
#   Installs Debian's clamav-daemon when clamd is missing (needs root and an apt mirror),
#   writes STATE_DIR/clamd.conf and STATE_DIR/db/eicar.ndb, runs clamd (foreground mode) in the
#   background, waits until it answers PING, then writes
#     STATE_DIR/clamd.port  (the TCP port)      STATE_DIR/clamd.pid  (clamd's pid)
#   and prints CLAMD_PORT=, CLAMD_PID=, CLAMD_STATE= and (when the path fits) CLAMD_SOCKET=
#   lines on stdout; clamd also listens on the Unix socket STATE_DIR/clamd.sock then.
#   STATE_DIR defaults to a new temporary directory. Stop with: kill "$(cat STATE_DIR/clamd.pid)"
#
# Environment: CLAMD_PORT           the port to listen on (default: a free one, picked here)
#              CLAMD_START_TIMEOUT  seconds to wait for PONG (default 120)
set -euo pipefail

find_clamd() {
    local c
    for c in "$(command -v clamd 2>/dev/null || true)" /usr/sbin/clamd /usr/local/sbin/clamd; do
        if [ -n "$c" ] && [ -x "$c" ]; then
            echo "$c"
            return 0
        fi
    done
    return 1
}

CLAMD=$(find_clamd || true)
if [ -z "$CLAMD" ]; then
    echo "clamd.sh: installing clamav-daemon" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends clamav-daemon >&2
    CLAMD=$(find_clamd)
fi

STATE=${1:-$(mktemp -d "${TMPDIR:-/tmp}/pop3proxy-clamd.XXXXXX")}
mkdir -p "$STATE/db"
STATE=$(cd "$STATE" && pwd)

# The EICAR test file as hex, in two halves so that this script is not itself a match.
EICAR_HEX_A=58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e
EICAR_HEX_B=444152442d414e544956495255532d544553542d46494c452124482b482a
printf 'Eicar-Test-Signature:0:*:%s%s\n' "$EICAR_HEX_A" "$EICAR_HEX_B" > "$STATE/db/eicar.ndb"

# Answers 0 when something accepts connections on 127.0.0.1:$1.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$(( 20000 + RANDOM % 40000 ))
        if ! port_in_use "$p"; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# Answers 0 when clamd on $PORT replies PONG to zPING.
ping_clamd() {
    local reply=
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
    printf 'zPING\0' >&3
    IFS= read -r -d '' -t 2 reply <&3 || true
    exec 3<&- 3>&-
    [ "$reply" = PONG ]
}

# clamd switches to User only when started as root; as anyone else it runs as itself.
USER_LINE=
if [ "$(id -u)" = 0 ]; then
    USER_LINE="User root"
fi
# A Unix socket too, unless the path is too long for sun_path.
SOCKET_LINE=
if [ "${#STATE}" -lt 90 ]; then
    SOCKET_LINE="LocalSocket $STATE/clamd.sock"
fi

write_config() {
    cat > "$STATE/clamd.conf" <<CONF
Foreground yes
TCPSocket $PORT
TCPAddr 127.0.0.1
DatabaseDirectory $STATE/db
LogFile $STATE/clamd.log
LogTime yes
TemporaryDirectory $STATE
$USER_LINE
$SOCKET_LINE
ScanMail yes
ScanArchive yes
StreamMaxLength 200M
MaxFileSize 200M
MaxScanSize 400M
AlertExceedsMax yes
ReadTimeout 120
CommandReadTimeout 30
MaxThreads 8
Bytecode no
CONF
}

# Starts clamd and waits for PONG; answers 1 if clamd exits first or cannot bind its port.
start_clamd() {
    write_config
    "$CLAMD" --config-file="$STATE/clamd.conf" >"$STATE/clamd.out" 2>&1 &
    PID=$!
    echo "$PID" > "$STATE/clamd.pid"
    local deadline=$(( $(date +%s) + ${CLAMD_START_TIMEOUT:-120} ))
    until ping_clamd 2>/dev/null; do
        if ! kill -0 "$PID" 2>/dev/null; then
            return 1
        fi
        # clamd logs a taken TCP port and goes on without it: try another port at once.
        if grep -qi "cannot bind" "$STATE/clamd.out" "$STATE"/*.log 2>/dev/null; then
            kill "$PID" 2>/dev/null || true
            wait "$PID" 2>/dev/null || true
            : > "$STATE/clamd.out"; : > "$STATE/clamd.log"
            return 1
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "clamd.sh: clamd did not answer PING in time" >&2
            kill "$PID" 2>/dev/null || true
            exit 1
        fi
        sleep 0.2
    done
}

for attempt in 1 2 3 4 5; do
    PORT=${CLAMD_PORT:-$(free_port)}
    if start_clamd; then
        break
    fi
    if [ -n "${CLAMD_PORT:-}" ] || [ "$attempt" = 5 ]; then
        echo "clamd.sh: clamd exited; its output:" >&2
        cat "$STATE/clamd.out" >&2
        exit 1
    fi
done

echo "$PORT" > "$STATE/clamd.port"
echo "CLAMD_PORT=$PORT"
echo "CLAMD_PID=$PID"
echo "CLAMD_STATE=$STATE"
if [ -n "$SOCKET_LINE" ]; then
    echo "CLAMD_SOCKET=$STATE/clamd.sock"
fi
