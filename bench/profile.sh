#!/usr/bin/env bash
# Profiles the proxy with JDK Flight Recorder during one RETR-throughput run and one sessions/s
# run (and reads Native Memory Tracking with idle sessions open), then prints JFR's hot-method
# and allocation views. Findings go to docs/PERFORMANCE.md.
#
#   bench/profile.sh [greenmail|dovecot]     (default dovecot when it starts)
#
# Needs a build (bench/run.sh or mvn -q -Pbench -DskipTests package). Recordings and views land
# in pop3proxy-bench/target/profile/.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"

JAVA17=${JAVA17:-$(command -v java)}
JFR=${JFR:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr}
[ -x "$JFR" ] || JFR=$(command -v jfr)
CP="pop3proxy-bench/target/classes:pop3proxy-bench/target/lib/*"
OUT=pop3proxy-bench/target/profile
mkdir -p "$OUT"

server=${1:-dovecot}
args=()
if [ "$server" = dovecot ]; then
  if port=$(bench/dovecot.sh start 32 50); then
    trap 'bench/dovecot.sh stop' EXIT
    args=(--dovecot "$port" --only-server Dovecot)
  else
    server=greenmail
  fi
fi
[ "$server" = greenmail ] && args=(--only-server GreenMail)

for part in retr sessions; do
  rec="$OUT/$part.jfr"
  rm -f "$rec"
  "$JAVA17" -cp "$CP" org.pop3proxy.bench.Bench --jdk "JDK 17=$JAVA17" --parts "$part" "${args[@]}" \
    --proxy-opts "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$rec"
  for view in hot-methods allocation-by-site; do
    "$JFR" view --width 160 "$view" "$rec" >"$OUT/$part-$view.txt" 2>&1 || true
    echo "== $part: $view"
    head -30 "$OUT/$part-$view.txt"
  done
done

echo "== native memory with idle sessions (JDK 17 and 25)"
for java in "$JAVA17" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; do
  [ -x "$java" ] || continue
  "$JAVA17" -cp "$CP" org.pop3proxy.bench.Bench --quick --jdk "$(basename "$(dirname "$(dirname "$java")")")=$java" \
    --parts memory --proxy-opts "-XX:NativeMemoryTracking=summary"
done
