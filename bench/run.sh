#!/usr/bin/env bash
# Runs the whole benchmark suite of issue 5 and rewrites BENCHMARKS.md with the results.
#
#   bench/run.sh [--quick] [--no-dovecot] [--no-clamd] [--no-haproxy] [--no-nginx]
#                [--no-write] [--budget SECONDS]
#
# Builds with the bench profile (not part of `mvn verify`), starts a private Dovecot
# (bench/dovecot.sh) unless --no-dovecot and a private clamd (.ci/clamd.sh, for RETR with -z)
# unless --no-clamd, runs the JMH micro-benchmarks, then the end-to-end
# benchmark (org.pop3proxy.bench.Bench) with the proxy on JDK 17 and, when installed, JDK 25,
# and two reference rows: HAProxy in TCP mode, a blind relay, unless --no-haproxy, and nginx's
# mail proxy for POP3 unless --no-nginx (each installed from Debian if missing). Everything
# listens on 127.0.0.1 only. About 18 minutes; --quick takes about 6.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
dovecot=1
clamd=1
haproxy=1
nginx=1
write=1
budget=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=--quick ;;
    --no-dovecot) dovecot=0 ;;
    --no-clamd) clamd=0 ;;
    --no-haproxy) haproxy=0 ;;
    --no-nginx) nginx=0 ;;
    --no-write) write=0 ;;
    --budget) budget=$2; shift ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
  shift
done

JAVA17=${JAVA17:-$(command -v java)}
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
# 8,000 idle sessions need about 16,000 descriptors in the proxy and 8,000 in each of the server
# and the load generator: raise the soft limit to the hard one (about 20,000 here).
ulimit -n "$(ulimit -Hn)"

echo "== build"
mvn -q -B -Pbench -DskipTests package
CP="pop3proxy-bench/target/classes:pop3proxy-bench/target/lib/*"

port=""
clamd_dir=""
cleanup() {
  [ -n "$port" ] && bench/dovecot.sh stop
  if [ -n "$clamd_dir" ]; then
    kill "$(cat "$clamd_dir/clamd.pid")" 2>/dev/null || true
    rm -rf "$clamd_dir"
  fi
}
trap cleanup EXIT
if [ "$dovecot" = 1 ]; then
  echo "== dovecot"
  if ! port=$(bench/dovecot.sh start 32 50); then
    echo "Dovecot did not start; measuring against GreenMail only" >&2
    port=""
  fi
fi
if [ "$clamd" = 1 ]; then
  echo "== clamd"
  clamd_dir=$(mktemp -d "${TMPDIR:-/tmp}/pop3proxy-bench-clamd.XXXXXX")
  if ! .ci/clamd.sh "$clamd_dir" >/dev/null; then
    echo "clamd did not start; no RETR with -z" >&2
    rm -rf "$clamd_dir"
    clamd_dir=""
  fi
fi

# Installs Debian packages for a reference that is missing; Debian starts a package's system
# service on install where it may, and the benchmark runs its own instances, so it is stopped.
install_reference() {
  local service=$1
  shift
  echo "== $service (install)"
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then
    # systemd where it runs, the init script where it does not (a container).
    systemctl stop "$service" 2>/dev/null || service "$service" stop >/dev/null 2>&1 || true
    systemctl disable "$service" 2>/dev/null || true
  else
    echo "$* could not be installed; no $service reference rows" >&2
  fi
}
haproxy_bin=""
if [ "$haproxy" = 1 ]; then
  command -v haproxy >/dev/null || install_reference haproxy haproxy
  haproxy_bin=$(command -v haproxy || true)
fi
nginx_bin=""
if [ "$nginx" = 1 ]; then
  # The mail proxy is a module of its own in Debian's nginx (Bench loads it from there).
  mail_module=/usr/lib/nginx/modules/ngx_mail_module.so
  if ! command -v nginx >/dev/null || [ ! -f "$mail_module" ]; then
    install_reference nginx nginx libnginx-mod-mail
  fi
  [ -f "$mail_module" ] && nginx_bin=$(command -v nginx || true)
fi

jdks=(--jdk "JDK 17=$JAVA17")
[ -x "$JAVA25" ] && jdks+=(--jdk "JDK 25=$JAVA25")
# The build made bin/pop3.proxy's class data archive for the JDK Maven runs on; add one for the
# other JDKs the launcher is timed on (an AOT cache on JDK 25).
for java in "$JAVA17" "$JAVA25"; do
  [ -x "$java" ] && sh pop3proxy-cli/src/build/cds-archive.sh . "$(readlink -f "$java")"
done

echo "== JMH (codec and relay)"
mkdir -p pop3proxy-bench/target
jmh=()
forks=2
[ -n "$quick" ] && forks=1
"$JAVA17" -cp "$CP" org.openjdk.jmh.Main -f "$forks" -wi 2 -w 1 -i 3 -r 1 \
  -rf csv -rff pop3proxy-bench/target/jmh-17.csv 'org.pop3proxy.engine.*Benchmark.*'
jmh+=(--jmh "JDK 17=pop3proxy-bench/target/jmh-17.csv")
if [ -x "$JAVA25" ] && [ -z "$quick" ]; then
  "$JAVA17" -cp "$CP" org.openjdk.jmh.Main -jvm "$JAVA25" -f "$forks" -wi 2 -w 1 -i 3 -r 1 \
    -rf csv -rff pop3proxy-bench/target/jmh-25.csv 'org.pop3proxy.engine.*Benchmark.*'
  jmh+=(--jmh "JDK 25=pop3proxy-bench/target/jmh-25.csv")
fi

echo "== end to end"
args=("${jdks[@]}" "${jmh[@]}" --command "bench/run.sh${quick:+ $quick}")
[ -n "$quick" ] && args+=(--quick)
[ -n "$port" ] && args+=(--dovecot "$port")
[ -n "$clamd_dir" ] && args+=(--clamd "$clamd_dir")
[ -n "$haproxy_bin" ] && args+=(--haproxy "$haproxy_bin")
[ -n "$nginx_bin" ] && args+=(--nginx "$nginx_bin")
[ -n "$budget" ] && args+=(--budget "$budget")
[ "$write" = 1 ] && args+=(--out BENCHMARKS.md)
[ -x bin/pop3.proxy ] && args+=(--launcher bin/pop3.proxy)
"$JAVA17" -cp "$CP" org.pop3proxy.bench.Bench "${args[@]}"
