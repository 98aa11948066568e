#!/usr/bin/env bash
# smtp_fixture.sh start|stop DIR - a real SMTP server for delivery tests:
# OpenSMTPD from a private config (smtpd -f), delivering every message to
# the maildir DIR/Maildir, behind stunnel for TLS on loopback (smtps://).
#
# OpenSMTPD keeps its queue in /var/spool/smtpd and its control socket in
# /run, fixed paths: it runs in a private mount namespace with its own
# there, so that test runs (and other hubs' tests) never share them.
# Debian 12's OpenSMTPD 6.8 cannot complete a TLS handshake with OpenSSL 3
# ("EVP lib", its privilege-separated key engine), hence stunnel.
# Writes DIR/smtp.env: SMTP_URL, SMTP_CA, SMTP_MAILDIR, and SMTP_PLAIN_URL
# (the server itself: no TLS offered, for testing that mail is refused).
set -euo pipefail
cmd=$1 dir=$2
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
case $cmd in
start)
    rm -rf "$dir"
    mkdir -p "$dir/Maildir"
    chmod 777 "$dir/Maildir"
    cd "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=PARS test CA" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
        -CAcreateserial -out server.crt -days 2 -extfile ext 2>/dev/null
    chmod 600 server.key ca.key
    plain=$(free_port) tls=$(free_port)
    cat >smtpd.conf <<CONF
table vusers { "@" = "nobody" }
listen on 127.0.0.1 port $plain hostname localhost
action "deliver" maildir "$dir/Maildir" virtual <vusers>
match from any for any action "deliver"
CONF
    cat >stunnel.conf <<CONF
foreground = yes
pid =
[smtps]
accept = 127.0.0.1:$tls
connect = 127.0.0.1:$plain
cert = $dir/server.crt
key = $dir/server.key
CONF
    unshare -m bash -c 'mount -t tmpfs -o mode=755 tmpfs /var/spool &&
        mkdir -m 711 /var/spool/smtpd && mount -t tmpfs tmpfs /run &&
        exec smtpd -d -f "$0"' "$dir/smtpd.conf" >smtpd.log 2>&1 &
    echo $! >smtpd.pid
    stunnel4 stunnel.conf >stunnel.log 2>&1 &
    echo $! >stunnel.pid
    for _ in $(seq 100); do
        if ss -ltn | grep -q "127.0.0.1:$plain " &&
            ss -ltn | grep -q "127.0.0.1:$tls "; then
            break
        fi
        sleep 0.1
    done
    cat >smtp.env <<ENV
SMTP_URL=smtps://127.0.0.1:$tls
SMTP_PLAIN_URL=smtp://127.0.0.1:$plain
SMTP_CA=$dir/ca.crt
SMTP_MAILDIR=$dir/Maildir
ENV
    ;;
stop)
    for f in "$dir/smtpd.pid" "$dir/stunnel.pid"; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    done
    ;;
*)
    echo "usage: smtp_fixture.sh start|stop DIR" >&2
    exit 2
    ;;
esac
