#!/bin/sh
# Builds the class data archive that bin/pop3.proxy maps at start (issue 5: inetd starts one JVM
# per connection, so its start-up is the cost of every session). The build runs this for the JDK
# it runs on; run it again for another JDK the launcher will use:
#   pop3proxy-cli/src/build/cds-archive.sh ROOT JAVA     (ROOT: the checkout, holding bin/pop3.proxy)
# The archive goes to pop3proxy-cli/target/cds/<that JDK's java.home>/, where the launcher looks
# for the JDK it runs; with no archive for its JDK it starts as before, only slower.
# - JDK 25 and later: an AOT cache (JEP 483, 514, 515), made by one training run: the classes
#   loaded and linked, lambdas and method handles resolved, method profiles.
# - JDK 17 to 23: a static AppCDS archive, made as the JDK's own is: the training run lists the
#   classes it loads, then -Xshare:dump archives them with the JDK's, the method-handle code the
#   list names and the JDK's module graph, in one file.
# - JDK 24: none (see below).
# The training run is one inetd session through bin/pop3.proxy itself, with its JVM flags and JNA
# setup (cds-train.py: a TCP socket as stdin, a login to a scripted server; without Python, a
# session on a pipe that only says QUIT). "-u root": a build as root must stay root to write its
# files at exit (elsewhere -u changes nothing); the run still loads what changing the user needs,
# as a real start as root does. Its log lines go to a socket that does not exist, not to syslog.
root=$(cd -- "$1" && pwd -P) || exit 0
java=$2
settings=$("$java" -XshowSettings:properties -version 2>&1)
home=$(printf '%s\n' "$settings" | sed -n 's/^ *java\.home = //p')
feature=$(printf '%s\n' "$settings" | sed -n 's/^ *java\.specification\.version = //p')
[ -n "$home" ] || { echo "cds-archive.sh: $java does not run; no archive made" >&2; exit 0; }
dir=$root/pop3proxy-cli/target/cds$home
rm -rf "$dir"
mkdir -p "$dir" || exit 0
# The jar as the launcher names it: an archive is only used with the same class path.
jar=$root/pop3proxy-cli/target/pop3proxy.jar
JAVA_HOME=$home
export JAVA_HOME

train() {
    POP3PROXY_JVM_OPTIONS=$1
    export POP3PROXY_JVM_OPTIONS
    python3 "$root/pop3proxy-cli/src/build/cds-train.py" "$root/bin/pop3.proxy" -u root \
        --syslog-socket "$dir/no-syslog" >"$dir/train.log" 2>&1 \
    || printf 'QUIT\r\n' | sh "$root/bin/pop3.proxy" -u root --syslog-socket "$dir/no-syslog" \
        127.0.0.1:110 >>"$dir/train.log" 2>&1
}

if [ "${feature%%.*}" -ge 25 ] 2>/dev/null; then
    archive=$dir/pop3proxy.aot
    train "-XX:AOTCacheOutput=$archive"
elif [ "${feature%%.*}" -ge 24 ] 2>/dev/null; then
    # The launcher starts a .jsa's JDK with -cp, and JDK 24 would then warn of JNA's native
    # access on stderr, the client's socket; JDK 24's AOT cache takes two runs. None is made.
    echo "cds-archive.sh: no archive for JDK 24 (use JDK 17-23 or 25+ for a fast inetd start)" >&2
    exit 0
else
    archive=$dir/pop3proxy.jsa
    train "-XX:DumpLoadedClassList=$dir/classes.txt"
    if [ -s "$dir/classes.txt" ]; then
        # G1 and the heap of an inetd start (bin/pop3.proxy): the archive then also holds the
        # JDK's module graph, which JDK 17 maps only into a G1 heap, at the place it will go.
        "$java" -Xshare:dump -XX:SharedClassListFile="$dir/classes.txt" -XX:SharedArchiveFile="$archive" \
            -XX:+UseG1GC -Xmx128m -XX:CompressedClassSpaceSize=64m -cp "$jar" >"$dir/dump.log" 2>&1
    fi
fi
if [ ! -s "$archive" ]; then
    rm -f "$archive"
    echo "cds-archive.sh: no archive made for $home (see $dir); bin/pop3.proxy works without it, only slower" >&2
fi
exit 0
