#!/bin/sh
# Builds an AppCDS archive of the classes that an inetd start of pop3.proxy loads, so that
# bin/pop3.proxy starts faster (issue 5: inetd starts one JVM per connection). The training run
# is one inetd-mode session on a pipe: greeting, QUIT, exit. The launcher uses the archive only
# with the JDK that made it; without it (or with another JDK) it starts as before.
# "-u root": a build as root must stay root to write the archive at exit (elsewhere -u changes
# nothing); the run still loads what changing the user needs, as a real start as root does.
#   cds-archive.sh JAVA JAR ARCHIVE
java=$1
jar=$2
archive=$3
rm -f "$archive" "$archive.jdk"
printf 'QUIT\r\n' | "$java" -XX:ArchiveClassesAtExit="$archive" -Xshare:auto -Xlog:disable -Xlog:all=off \
    -XX:TieredStopAtLevel=1 -XX:CompressedClassSpaceSize=64m -XX:ReservedCodeCacheSize=32m -Xmx128m \
    -XX:+UseSerialGC -Xss512k \
    -jar "$jar" -u root 127.0.0.1:110 >/dev/null 2>&1
if [ -s "$archive" ]; then
    # The JDK that made it: the launcher compares this with the java it runs.
    "$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p' > "$archive.jdk"
else
    echo "cds-archive.sh: no archive made; bin/pop3.proxy works without it, only slower" >&2
fi
exit 0
