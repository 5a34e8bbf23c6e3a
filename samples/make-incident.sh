#!/bin/sh
# Makes samples/incident/: a small outage, logged by the real programs (Debian's nginx, rsyslog,
# puppet and util-linux logger), at a fixed date in a non-UTC zone.
#
# Every process runs under one constant faketime offset (so all their clocks agree), in
# Africa/Nairobi (EAT, UTC+03:00), and the run starts at 2026-03-08 08:24:30 EAT. In about four
# minutes of real time:
#   08:24:30  nginx (web-01) proxies shop traffic to an app (a second nginx, port 9001);
#             curl clients on several loopback addresses browse the shop
#   08:25:00  `puppet apply` changes the app's listen port to 9002 and restarts it: nginx's
#             upstream is refused, the shop answers 502
#   08:26:10  the monitoring host mon-01 fires SiteDown (RFC 5424 over UDP to rsyslog)
#   08:27:20  a second `puppet apply` puts the port back: the shop recovers
#   08:28:30  the alert resolves
# Outputs: web-01/access.log (combined), web-01/error.log, web-01/syslog (RSYSLOG_FileFormat,
# Debian 12's default), web-01/puppet/*.yaml (Puppet's stored reports), web-01/puppet.log.
#
# Run as root: `make samples` installs nginx-light, rsyslog, puppet, faketime first.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/incident/web-01"
work=$(mktemp -d /tmp/pmt-incident.XXXXXX)
PORT=${PMT_SAMPLE_PORT:-5515}
export TZ=Africa/Nairobi
start_at=$(date -d '2026-03-08 08:24:30 +0300' +%s)
offset=$((start_at - $(date +%s)))
if [ "$offset" -lt 0 ]; then export FAKETIME="-$((-offset))s"; else export FAKETIME="+${offset}s"; fi
export LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
export FAKETIME_DONT_RESET=1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    [ -f "$work/proxy.pid" ] && kill "$(cat "$work/proxy.pid")" 2>/dev/null || true
    [ -f "$work/app.pid" ] && kill "$(cat "$work/app.pid")" 2>/dev/null || true
    [ -f "$work/rsyslogd.pid" ] && kill "$(cat "$work/rsyslogd.pid")" 2>/dev/null || true
    sleep 1
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/logs" "$work/www/static" "$work/app" "$work/reports" "$work/puppet"
chmod 755 "$work" "$work/www" "$work/www/static" # nginx's workers (www-data) read the pages

# Seconds since the start, in the faked clock, as HH:MM:SS for the messages below.
at() { date +%H:%M:%S; }
wait_for() { # until the faked clock reads HH:MM:SS
    target=$(date -d "2026-03-08 $1 +0300" +%s)
    while [ "$(date +%s)" -lt "$target" ]; do sleep 0.2; done
}

# --- rsyslog: the system log of web-01, and the receiver of mon-01's alerts ---------------
cat >"$work/rsyslog.conf" <<EOF
global(workDirectory="$work" localHostname="web-01")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$work/log.sock" UseSysTimeStamp="off" UseSpecialParser="off"
      ParseHostname="on" IgnoreTimestamp="off")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$PORT")
*.* action(type="omfile" file="$work/logs/syslog" template="RSYSLOG_FileFormat")
EOF
rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rsyslogd.pid" &
pids="$pids $!"
for _ in $(seq 50); do [ -S "$work/log.sock" ] && break; sleep 0.1; done
say() { # PRIORITY TAG[PID] MESSAGE: a program on web-01 logging through syslog(3)
    prio=$1 tag=$2
    shift 2
    id=${tag#*[}; id=${id%]}; tag=${tag%%[*}
    unshare -u sh -c 'hostname web-01; exec "$@"' sh \
        logger -u "$work/log.sock" --rfc5424 -p "$prio" -t "$tag" --id="$id" "$*"
}
alert() { # PRIORITY MSGID MESSAGE: mon-01's alertmanager, over UDP
    prio=$1 msgid=$2
    shift 2
    unshare -u sh -c 'hostname mon-01; exec "$@"' sh \
        logger -n 127.0.0.1 -P "$PORT" -d --rfc5424 -p "$prio" -t alertmanager --msgid "$msgid" \
        --sd-id alert@32473 --sd-param 'alertname="SiteDown"' --sd-param 'severity="critical"' "$*"
}

# --- the app: a second nginx whose listen port Puppet manages --------------------------------
printf '<h1>shop</h1>\n' >"$work/www/index.html"
printf '<form>login</form>\n' >"$work/www/login"
head -c 20000 /dev/urandom | base64 >"$work/www/static/app.js"
chmod 644 "$work"/www/index.html "$work"/www/login "$work"/www/static/app.js
echo 9001 >"$work/app/port"
cat >"$work/app/start" <<EOF
#!/bin/sh
# (re)starts the app on the port in $work/app/port
[ -f "$work/app.pid" ] && kill "\$(cat "$work/app.pid")" 2>/dev/null && sleep 0.5
port=\$(cat "$work/app/port")
cat >"$work/app/nginx.conf" <<CONF
env LD_PRELOAD; env FAKETIME; env FAKETIME_DONT_RESET;
pid $work/app.pid;
error_log $work/app/error.log;
events { worker_connections 64; }
http {
    access_log off;
    server { listen 127.0.0.1:\$port; root $work/www; location /api/ { return 200 '{"ok":true}'; } }
}
CONF
nginx -c "$work/app/nginx.conf"
EOF
chmod +x "$work/app/start"
"$work/app/start"
say daemon.info 'systemd[1]' 'Started shop-app.service - Shop application server.'

# --- the front: nginx on web-01, proxying to the app -------------------------------------------
cat >"$work/proxy.conf" <<EOF
# nginx clears its workers' environment but for TZ: keep the faked clock
env LD_PRELOAD; env FAKETIME; env FAKETIME_DONT_RESET;
pid $work/proxy.pid;
error_log $work/logs/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log $work/logs/access.log combined;
    upstream shop_app { server 127.0.0.1:9001; }
    server {
        listen 127.0.0.1:8088;
        server_name shop.example.com;
        location / { proxy_pass http://shop_app; proxy_connect_timeout 2s; }
    }
}
EOF
nginx -c "$work/proxy.conf"
say daemon.info 'systemd[1]' 'Started nginx.service - A high performance web server and a reverse proxy server.'

# --- traffic: clients on 127.0.0.11..127.0.0.40, a few pages each ------------------------------
browse() {
    i=0
    while [ ! -f "$work/stop" ]; do
        c=$((11 + i % 30))
        case $((i % 5)) in
        0) path=/ ;; 1) path=/login ;; 2) path=/static/app.js ;; 3) path=/api/cart ;; *) path=/ ;;
        esac
        ua="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
        [ $((c % 3)) = 0 ] && ua="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
        curl -s -o /dev/null --interface "127.0.0.$c" -A "$ua" -H "Host: shop.example.com" \
            "http://127.0.0.1:8088$path" || true
        i=$((i + 1))
        sleep 0.15
    done
}
browse & pids="$pids $!"
(sleep 0.07; browse) & pids="$pids $!"

# --- Puppet: the change, and its revert -------------------------------------------------------
manifest() { # PORT COMMENT
    cat <<EOF
file { '$work/app/port':
  ensure  => file,
  content => "$1\n",
  notify  => Exec['restart-shop-app'],
}
exec { 'restart-shop-app':
  command     => '$work/app/start',
  refreshonly => true,
}
notify { 'shop-app': message => '$2' }
EOF
}
papply() { # PORT COMMENT
    manifest "$1" "$2" >"$work/puppet/site.pp"
    unshare -u sh -c 'hostname web-01; exec "$@"' sh \
        puppet apply --certname web-01 --confdir "$work/puppet" --vardir "$work/puppet/var" \
        --codedir "$work/puppet" --reports store --reportdir "$work/reports" \
        --logdest "$work/logs/puppet.log" "$work/puppet/site.pp" >/dev/null 2>&1 || true
    say daemon.notice 'puppet-agent[4780]' "Applied catalog (port $1)"
}

wait_for 08:25:00
papply 9002 'shop-app moved to port 9002 (change CHG-1187)'
wait_for 08:26:10
alert local0.crit FIRING '[FIRING:1] SiteDown web-01 (https://shop.example.com/login returns 502)'
wait_for 08:26:40
say authpriv.notice 'sudo[7711]' 'deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl status shop-app'
wait_for 08:27:20
papply 9001 'shop-app back on port 9001 (revert of CHG-1187)'
wait_for 08:28:30
alert local0.notice RESOLVED '[RESOLVED] SiteDown web-01'
touch "$work/stop"
sleep 2
kill "$(cat "$work/proxy.pid")"
sleep 1

mkdir -p "$out/puppet"
rm -f "$out"/access.log "$out"/error.log "$out"/syslog "$out"/puppet.log "$out"/puppet/*
cp "$work/logs/access.log" "$work/logs/error.log" "$work/logs/syslog" "$work/logs/puppet.log" "$out/"
cp "$work"/reports/web-01/*.yaml "$out/puppet/"
echo "wrote $(wc -l <"$out/access.log") requests, $(wc -l <"$out/error.log") nginx errors," \
    "$(wc -l <"$out/syslog") syslog lines, $(ls "$out/puppet" | wc -l) Puppet reports to $out"
