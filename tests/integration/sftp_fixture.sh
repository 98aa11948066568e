#!/usr/bin/env bash
# sftp_fixture.sh start|stop DIR - a real SFTP server for delivery tests:
# OpenSSH's sshd from a private config (sshd -f) on a free loopback port,
# with its own host key, one client key allowed in, internal-sftp.
# Writes DIR/sftp.env: SFTP_PORT, SFTP_USER, SFTP_KEY, SFTP_PUB,
# SFTP_KNOWN_HOSTS (the host key for [127.0.0.1]:PORT), SFTP_ROOT (a
# directory to upload into).
set -euo pipefail
cmd=$1 dir=$2
case $cmd in
start)
    rm -rf "$dir"
    mkdir -p "$dir/root" /run/sshd
    cd "$dir"
    ssh-keygen -q -t ed25519 -N '' -f host_key
    ssh-keygen -q -t ed25519 -N '' -f client_key
    cp client_key.pub authorized_keys
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat >sshd_config <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
CONF
    /usr/sbin/sshd -D -e -f "$dir/sshd_config" >sshd.log 2>&1 &
    echo $! >sshd.pid.main
    for _ in $(seq 100); do
        ss -ltn | grep -q "127.0.0.1:$port " && break
        sleep 0.1
    done
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 host_key.pub)" >known_hosts
    cat >sftp.env <<ENV
SFTP_PORT=$port
SFTP_USER=$(id -un)
SFTP_KEY=$dir/client_key
SFTP_PUB=$dir/client_key.pub
SFTP_KNOWN_HOSTS=$dir/known_hosts
SFTP_ROOT=$dir/root
ENV
    ;;
stop)
    [ -f "$dir/sshd.pid.main" ] && kill "$(cat "$dir/sshd.pid.main")" 2>/dev/null || true
    ;;
*)
    echo "usage: sftp_fixture.sh start|stop DIR" >&2
    exit 2
    ;;
esac
