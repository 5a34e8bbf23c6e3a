#!/bin/sh
# Makes samples/shapes/: the same messages in rsyslog's three file shapes, written by rsyslog.
# (The demo incident itself is made by make-incident.sh.)
#
# rsyslogd (Debian's rsyslog) runs under faketime in Africa/Nairobi (EAT, UTC+03:00) and writes
# every message it receives in the three shapes real systems use, from one run:
#   syslog.traditional  RSYSLOG_TraditionalFileFormat   Mar  8 08:25:04 web-01 puppet-agent[4780]: ...
#   syslog              RSYSLOG_FileFormat (Debian 12)  2026-03-08T08:25:04.123456+03:00 web-01 ...
#   syslog.rfc5424      RSYSLOG_SyslogProtocol23Format  <29>1 2026-03-08T08:25:04.123456+03:00 web-01 ...
# The senders are util-linux logger processes, each under faketime at its moment of the
# incident and in its own UTS namespace for its host name: programs on web-01 through rsyslog's
# Unix socket, a monitoring host mon-01 with structured data over UDP. They send RFC 5424, so
# the stamps keep their microseconds. (rsyslog's usual receive-time stamp comes from the
# kernel's SO_TIMESTAMP, which faketime cannot fake; so imuxsock is told to parse the message's
# own stamp instead.)
#
# Run as root: `make samples` (installs rsyslog and faketime first). Output replaces
# samples/shapes/. The incident: a Puppet run changes the PHP-FPM pool config at 08:25,
# PHP-FPM fails to start, the site returns 502 from 08:28, an alert fires at 08:32, a fixed
# Puppet run restores it at 08:52, and the alert resolves at 09:21.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shapes="$here/shapes"
work=$(mktemp -d /tmp/pmt-samples.XXXXXX)
trap 'kill "$(cat "$work/rsyslogd.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
export TZ=Africa/Nairobi
DAY=2026-03-08
PORT=${PMT_SAMPLE_PORT:-5514}

cat >"$work/rsyslog.conf" <<EOF
global(workDirectory="$work" localHostname="web-01")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$work/log.sock" UseSysTimeStamp="off" UseSpecialParser="off"
      ParseHostname="on" IgnoreTimestamp="off")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$PORT")
*.* action(type="omfile" file="$work/syslog.traditional" template="RSYSLOG_TraditionalFileFormat")
*.* action(type="omfile" file="$work/syslog" template="RSYSLOG_FileFormat")
*.* action(type="omfile" file="$work/syslog.rfc5424" template="RSYSLOG_SyslogProtocol23Format")
EOF

faketime "$DAY 08:20:00" rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rsyslogd.pid" &
for _ in $(seq 50); do [ -S "$work/log.sock" ] && break; sleep 0.1; done
[ -S "$work/log.sock" ] || { echo "rsyslogd did not start" >&2; exit 1; }

# Runs a command as host $1 (its own UTS namespace) at faked time $2.
as_host() {
    host=$1 when=$2
    shift 2
    unshare -u sh -c 'hostname "$0"; exec "$@"' "$host" faketime "$DAY $when" "$@"
}

# web-01, through the local socket
local_msg() { # TIME PRIORITY TAG[PID] MESSAGE
    when=$1 prio=$2 tag=$3
    shift 3
    case $tag in
    *\[*) id=${tag#*[}; id=${id%]}; tag=${tag%%[*}
          as_host web-01 "$when" logger -u "$work/log.sock" --rfc5424 -p "$prio" -t "$tag" --id="$id" "$*" ;;
    *) as_host web-01 "$when" logger -u "$work/log.sock" --rfc5424 -p "$prio" -t "$tag" "$*" ;;
    esac
}
# mon-01, over UDP (RFC 5424 with structured data and a message id)
remote_msg() { # TIME PRIORITY APP MSGID SD-PARAMS MESSAGE
    when=$1 prio=$2 app=$3 msgid=$4 sd=$5
    shift 5
    as_host mon-01 "$when" logger -n 127.0.0.1 -P "$PORT" -d --rfc5424 -p "$prio" -t "$app" \
        --msgid "$msgid" --sd-id alert@32473 $sd "$*"
}

local_msg 08:21:10 daemon.info 'systemd[1]' 'Started nginx.service - A high performance web server and a reverse proxy server.'
local_msg 08:24:58 daemon.notice 'puppet-agent[4780]' '(/Stage[main]/Php::Fpm/File[/etc/php/8.2/fpm/pool.d/www.conf]/content) content changed '"'"'{sha256}3f1c0a'"'"' to '"'"'{sha256}9be2d4'"'"''
local_msg 08:25:02 daemon.notice 'puppet-agent[4780]' '(/Stage[main]/Php::Fpm/Service[php8.2-fpm]) Triggered '"'"'refresh'"'"' from 1 event'
local_msg 08:25:04 daemon.notice 'puppet-agent[4780]' 'Applied catalog in 4.21 seconds'
local_msg 08:25:04 daemon.err 'php-fpm8.2[5012]' "[ERROR] unable to bind listening socket for address '/run/php/php8.2-fpm.sock': No such file or directory (2)"
local_msg 08:25:04 daemon.err 'php-fpm8.2[5012]' '[ERROR] FPM initialization failed'
local_msg 08:25:05 daemon.notice 'systemd[1]' 'php8.2-fpm.service: Main process exited, code=exited, status=78/CONFIG'
local_msg 08:25:05 daemon.warning 'systemd[1]' "php8.2-fpm.service: Failed with result 'exit-code'."
local_msg 08:28:12 daemon.err 'nginx[1201]' '*1 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, server: shop.example.com, request: "GET /login HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "shop.example.com"'
remote_msg 08:32:40 local0.crit alertmanager FIRING "--sd-param severity=\"critical\" --sd-param alertname=\"SiteDown\"" '[FIRING:1] SiteDown web-01 (https://shop.example.com/login returns 502)'
local_msg 08:41:00 authpriv.notice 'sudo' 'deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl status php8.2-fpm'
local_msg 08:52:30 authpriv.notice 'sudo' 'deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/puppet agent --test'
local_msg 08:52:44 daemon.notice 'puppet-agent[6120]' '(/Stage[main]/Php::Fpm/File[/etc/php/8.2/fpm/pool.d/www.conf]/content) content changed '"'"'{sha256}9be2d4'"'"' to '"'"'{sha256}3f1c0a'"'"''
local_msg 08:52:46 daemon.info 'systemd[1]' 'Started php8.2-fpm.service - The PHP 8.2 FastCGI Process Manager.'
local_msg 08:52:47 daemon.notice 'puppet-agent[6120]' 'Applied catalog in 3.02 seconds'
remote_msg 09:21:05 local0.notice alertmanager RESOLVED "--sd-param severity=\"critical\" --sd-param alertname=\"SiteDown\"" '[RESOLVED] SiteDown web-01'

sleep 1
kill "$(cat "$work/rsyslogd.pid")"
for _ in $(seq 50); do [ -f "$work/rsyslogd.pid" ] || break; sleep 0.1; done
mkdir -p "$shapes"
# The same messages in rsyslog's three file shapes: a test checks they give one timeline.
cp "$work/syslog" "$shapes/syslog.rsyslog-iso"
cp "$work/syslog.traditional" "$shapes/syslog.traditional"
cp "$work/syslog.rfc5424" "$shapes/syslog.rfc5424"
echo "wrote $(wc -l <"$shapes/syslog.rsyslog-iso") messages in three shapes to $shapes"
