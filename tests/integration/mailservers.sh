#!/usr/bin/env bash
# mailservers.sh start|stop DIR - real servers for the mail and SFTP intake
# tests, on loopback ports picked at run time, private configs under
# DIR/mail:
#
#  - a throwaway PKI (openssl): a test CA, the servers' certificate for
#    127.0.0.1, the hub's S/MIME certificate, practices' signing
#    certificates (one revoked, with a CRL; one from another CA; one not
#    registered);
#  - Dovecot serving IMAPS (users it1..it9 in a passwd-file, it7 also by
#    client certificate (SASL EXTERNAL), mail stored as the unprivileged
#    user nobody; Dovecot's own processes run as dovenull and dovecot);
#  - OpenSSH sshd serving SFTP only (internal-sftp as nobody, key
#    authentication, its own host key; a known_hosts file that holds it
#    and one that holds another key);
#  - OpenSMTPD delivering to one maildir per recipient (as nobody), behind
#    stunnel for TLS (smtps, and STARTTLS on another port): OpenSMTPD 6.8 in Debian 12 cannot do TLS with
#    OpenSSL 3 (its privilege-separated key fails: "missing private key"),
#    and it hard-codes /var/spool/smtpd and /var/run/smtpd.sock, so it runs
#    in a private mount namespace (unshare -m) with those on tmpfs.
#
# Writes DIR/mail/servers.env for the tests (mail_lib.sh reads it).
set -euo pipefail
cmd=$1
mkdir -p "$2"
top=$(cd "$2" && pwd)
dir=$top/mail
NOBODY=65534

free_port() {
    perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
        LocalAddr => "127.0.0.1:0", ReuseAddr => 1)->sockport'
}

wait_port() {
    local port=$1 i
    for i in $(seq 1 100); do
        if perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new(
            PeerAddr => "127.0.0.1:'"$port"'")'; then return 0; fi
        sleep 0.1
    done
    echo "mailservers: nothing listening on port $port" >&2
    return 1
}

stop_pid() {
    local f=$1 pid
    [ -f "$f" ] || return 0
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
}

stop_all() {
    [ -d "$dir" ] || return 0
    if [ -f "$dir/dovecot/dovecot.conf" ]; then
        doveadm -c "$dir/dovecot/dovecot.conf" stop 2>/dev/null || true
    fi
    stop_pid "$dir/sshd/sshd.pid"
    stop_pid "$dir/smtp/stunnel.pid"
    stop_pid "$dir/smtp/smtpd.pid"
}

# A certificate signed by the test CA: cert NAME SUBJECT EXTENSIONS [ca]
cert() {
    local name=$1 subj=$2 ext=$3 ca=${4:-ca}
    openssl req -new -newkey rsa:2048 -nodes -keyout "$name.key" \
        -subj "$subj" -out "$name.csr" 2>/dev/null
    printf '%b\n' "$ext" >"$name.ext"
    openssl ca -batch -config "$ca.cnf" -in "$name.csr" -out "$name.pem" \
        -extfile "$name.ext" -notext 2>/dev/null
    chmod 600 "$name.key"
}

make_ca() {
    local ca=$1 cn=$2
    mkdir -p "$ca.db"
    : >"$ca.db/index.txt"
    echo 1000 >"$ca.db/serial"
    echo 1000 >"$ca.db/crlnumber"
    cat >"$ca.cnf" <<CNF
[ca]
default_ca = this
[this]
dir = $PWD/$ca.db
database = \$dir/index.txt
serial = \$dir/serial
crlnumber = \$dir/crlnumber
new_certs_dir = \$dir
certificate = $PWD/$ca.pem
private_key = $PWD/$ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
CNF
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ca.key" -out "$ca.pem" \
        -days 30 -subj "/CN=$cn" -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

make_pki() {
    mkdir -p "$dir/pki/certs"
    (
        cd "$dir/pki"
        make_ca ca "PARS test CA"
        make_ca otherca "Another CA"
        cert server "/CN=127.0.0.1" \
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment"
        local smime="extendedKeyUsage=emailProtection\nkeyUsage=digitalSignature,nonRepudiation,keyEncipherment"
        cert hub "/CN=pars-hub" "$smime"
        for p in P81000 P81001 P81002 P81003 P81008; do
            cert "$p" "/CN=practice $p" "$smime"
        done
        cert P81009 "/CN=practice P81009" "$smime" otherca
        # A client certificate for IMAP user it7 (SASL EXTERNAL).
        cert it7 "/CN=it7" "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature"
        openssl ca -batch -config ca.cnf -revoke P81003.pem 2>/dev/null
        openssl ca -batch -config ca.cnf -gencrl -out crl.pem 2>/dev/null
        # The registry: every practice but P81008 (not registered).
        for p in P81000 P81001 P81002 P81003 P81009; do
            cp "$p.pem" "certs/$p.pem"
        done
        chmod 644 ./*.pem certs/*.pem
    )
}

start_dovecot() {
    local d=$dir/dovecot port i
    port=$(free_port)
    mkdir -p "$d/run" "$d/mail"
    chown "$NOBODY:$NOBODY" "$d/mail"
    echo "imap-secret-$RANDOM$RANDOM" >"$dir/imap.password"
    chmod 600 "$dir/imap.password"
    local hash
    hash=$(doveadm pw -s SHA512-CRYPT -p "$(cat "$dir/imap.password")")
    : >"$d/passwd"
    for i in 1 2 3 4 5 6 7 8 9; do
        echo "it$i:$hash:$NOBODY:$NOBODY::$d/mail/it$i::" >>"$d/passwd"
    done
    cat >"$d/dovecot.conf" <<CONF
base_dir = $d/run
instance_name = pars-it-imap
listen = 127.0.0.1
protocols = imap
ssl = required
ssl_cert = <$dir/pki/server.pem
ssl_key = <$dir/pki/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain external
# Client certificates: asked for, not required; EXTERNAL logs in as the
# certificate's common name, and only with a certificate from the CA.
ssl_ca = <$dir/pki/ca.pem
ssl_verify_client_cert = yes
ssl_require_crl = no
auth_ssl_username_from_cert = yes
ssl_cert_username_field = commonName
passdb {
  driver = static
  args = nopassword=y
  mechanisms = external
}
passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT $d/passwd
}
userdb {
  driver = passwd-file
  args = $d/passwd
}
mail_location = maildir:~/Maildir
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
log_path = $d/dovecot.log
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $port
    ssl = yes
  }
}
CONF
    dovecot -c "$d/dovecot.conf" </dev/null >/dev/null 2>&1
    wait_port "$port"
    echo "IMAP_PORT=$port" >>"$dir/servers.env"
}

start_sshd() {
    local d=$dir/sshd port
    port=$(free_port)
    mkdir -p "$d" "$dir/sftp"
    chown "$NOBODY:$NOBODY" "$dir/sftp"
    ssh-keygen -q -t ecdsa -N '' -f "$d/host_key"
    ssh-keygen -q -t ecdsa -N '' -f "$d/other_host_key"
    ssh-keygen -q -t ed25519 -N '' -f "$d/client_key" -C pars-hub
    cp "$d/client_key.pub" "$d/authorized_keys"
    chmod 644 "$d/authorized_keys"
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$d/host_key.pub")" >"$d/known_hosts"
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$d/other_host_key.pub")" >"$d/known_hosts.wrong"
    # The privilege separation directory Debian's service makes.
    [ -d /run/sshd ] || mkdir -m 0755 /run/sshd
    cat >"$d/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $d/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile none
AuthorizedKeysCommand /bin/cat $d/authorized_keys
AuthorizedKeysCommandUser nobody
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
PermitRootLogin no
AllowUsers nobody
Subsystem sftp internal-sftp
ForceCommand internal-sftp
AllowTcpForwarding no
X11Forwarding no
LogLevel VERBOSE
CONF
    /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log" </dev/null >/dev/null 2>&1
    wait_port "$port"
    echo "SFTP_PORT=$port" >>"$dir/servers.env"
}

start_smtp() {
    local d=$dir/smtp plain tls
    plain=$(free_port)
    mkdir -p "$d/maildir"
    chown "$NOBODY:$NOBODY" "$d/maildir"
    echo '@practice.test nobody' >"$d/vusers"
    cat >"$d/smtpd.conf" <<CONF
listen on 127.0.0.1 port $plain hostname "smtp.hub.test"
table vusers file:$d/vusers
action "practice" maildir "$d/maildir/%{rcpt.user}" virtual <vusers>
match from any for domain "practice.test" action "practice"
CONF
    smtpd -n -f "$d/smtpd.conf" >/dev/null
    cat >"$d/run.sh" <<'RUN'
mount -t tmpfs -o mode=0755 pars-it-spool /var/spool
mount -t tmpfs -o mode=0755 pars-it-run /run
exec /usr/sbin/smtpd -d -f "$1"
RUN
    setsid unshare -m --propagation private sh "$d/run.sh" "$d/smtpd.conf" \
        </dev/null >"$d/smtpd.log" 2>&1 &
    echo $! >"$d/smtpd.pid"
    wait_port "$plain"
    tls=$(free_port)
    starttls=$(free_port)
    cat >"$d/stunnel.conf" <<CONF
foreground = yes
pid =
setuid = nobody
setgid = nogroup
[smtps]
accept = 127.0.0.1:$tls
connect = 127.0.0.1:$plain
cert = $dir/pki/server.pem
key = $dir/pki/server.key
[smtp-starttls]
accept = 127.0.0.1:$starttls
connect = 127.0.0.1:$plain
protocol = smtp
cert = $dir/pki/server.pem
key = $dir/pki/server.key
CONF
    setsid stunnel4 "$d/stunnel.conf" </dev/null >"$d/stunnel.log" 2>&1 &
    echo $! >"$d/stunnel.pid"
    wait_port "$tls"
    wait_port "$starttls"
    echo "SMTP_PORT=$tls" >>"$dir/servers.env"
    echo "SMTP_STARTTLS_PORT=$starttls" >>"$dir/servers.env"
}

case $cmd in
start)
    stop_all
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 755 "$top" "$dir"
    : >"$dir/servers.env"
    make_pki
    start_dovecot
    start_sshd
    start_smtp
    cat >>"$dir/servers.env" <<ENV
MAIL_DIR=$dir
PKI=$dir/pki
IMAP_PASSWORD_FILE=$dir/imap.password
IMAP_CLIENT_CERT=$dir/pki/it7.pem
IMAP_CLIENT_KEY=$dir/pki/it7.key
SFTP_ROOT=$dir/sftp
SFTP_KEY=$dir/sshd/client_key
KNOWN_HOSTS=$dir/sshd/known_hosts
KNOWN_HOSTS_WRONG=$dir/sshd/known_hosts.wrong
SMTP_MAILDIR=$dir/smtp/maildir
ENV
    ;;
stop)
    stop_all
    ;;
*)
    echo "usage: mailservers.sh start|stop DIR" >&2
    exit 2
    ;;
esac
