#!/usr/bin/env bash
# mail_lib.sh - helpers for the mail and SFTP intake tests (sourced after
# lib.sh): the servers started by mailservers.sh, messages built the way a
# practice's mail client builds them (MIME; openssl smime to sign and
# encrypt), put in a mailbox with IMAP APPEND, and the servers' own view.
# shellcheck disable=SC1091
. "$PARS_BUILD/it/mail/servers.env"
ML_CA=$PKI/ca.pem
ML_PASS=$(cat "$IMAP_PASSWORD_FILE")
ML_SAMPLES=$PARS_SRC/conf/samples

# ml_config USER [require_signed]: appends the size limit and an IMAP
# source "inbox" for Dovecot user USER to the config (more sources may
# follow; then ml_smime).
ml_config() {
    local user=$1 req=${2:-false}
    cat >>"$PARS_CONFIG" <<YAML
limits:
  max_document_bytes: 65536
sources:
  imap:
    - name: inbox
      url: imaps://127.0.0.1:$IMAP_PORT/INBOX
      user: $user
      password_file: $IMAP_PASSWORD_FILE
      ca_file: $ML_CA
      poll_seconds: 1
      require_signed: $req
YAML
}

# ml_smime: the S/MIME set-up (the hub's key, the CA and CRL, and a copy
# of the registry of practices' certificates in $IT_DIR/certs).
ml_smime() {
    rm -rf "$IT_DIR/certs"
    cp -r "$PKI/certs" "$IT_DIR/certs"
    cat >>"$PARS_CONFIG" <<YAML
smime:
  cert_file: $PKI/hub.pem
  key_file: $PKI/hub.key
  practice_certs_dir: $IT_DIR/certs
  ca_file: $ML_CA
  crl_file: $PKI/crl.pem
YAML
}

# ml_append USER FILE: puts a message in USER's INBOX as a client does.
ml_append() {
    curl -sS --cacert "$ML_CA" -u "$1:$ML_PASS" -T "$2" \
        "imaps://127.0.0.1:$IMAP_PORT/INBOX"
}

# ml_count USER [FOLDER]: messages in the folder, as the server says.
ml_count() {
    local folder=${2:-INBOX} out
    out=$(curl -sS --cacert "$ML_CA" -u "$1:$ML_PASS" \
        "imaps://127.0.0.1:$IMAP_PORT/INBOX" \
        -X "STATUS \"$folder\" (MESSAGES)" 2>/dev/null || true)
    out=${out##*MESSAGES }
    echo "${out%%)*}" | tr -d '\r\n'
}

# ml_part TYPE NAME FILE: one base64 MIME part (CRLF lines) on stdout.
ml_part() {
    printf 'Content-Type: %s\r\n' "$1"
    [ -n "$2" ] && printf 'Content-Disposition: attachment; filename="%s"\r\n' "$2"
    printf 'Content-Transfer-Encoding: base64\r\n\r\n'
    base64 -w 76 "$3" | sed 's/$/\r/'
}

# ml_text TEXT: a plain-text part.
ml_text() {
    printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' "$1"
}

# ml_mixed BOUNDARY PARTFILE...: a multipart/mixed entity of the parts.
ml_mixed() {
    local b=$1 f
    shift
    printf 'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n' "$b"
    printf 'This is a multi-part message in MIME format.\r\n'
    for f in "$@"; do
        printf -- '--%s\r\n' "$b"
        cat "$f"
        printf '\r\n'
    done
    printf -- '--%s--\r\n' "$b"
}

# ml_message FROM SUBJECT ENTITYFILE: headers a client adds, then it.
ml_message() {
    printf 'From: %s\r\nTo: referrals@hub.test\r\nSubject: %s\r\n' "$1" "$2"
    printf 'Date: %s\r\nMessage-ID: <%s@practice.test>\r\nMIME-Version: 1.0\r\n' \
        "$(date -R)" "$RANDOM$RANDOM$RANDOM"
    cat "$3"
}

# ml_sign PRACTICE IN OUT: S/MIME-signs the MIME entity IN (detached).
ml_sign() {
    openssl smime -sign -binary -in "$2" -signer "$PKI/$1.pem" \
        -inkey "$PKI/$1.key" -out "$3.body"
    { printf 'From: %s@practice.test\r\nTo: referrals@hub.test\r\n' "$1"
      printf 'Subject: signed referrals\r\nMessage-ID: <%s@practice.test>\r\n' \
          "$RANDOM$RANDOM"
      sed 's/\r$//; s/$/\r/' "$3.body"; } >"$3"
}

# ml_encrypt IN OUT: enveloped to the hub's certificate.
ml_encrypt() {
    openssl smime -encrypt -binary -aes256 -in "$1" -out "$2.body" \
        "$PKI/hub.pem"
    { printf 'From: practice@practice.test\r\nTo: referrals@hub.test\r\n'
      printf 'Subject: encrypted referrals\r\n'
      sed 's/\r$//; s/$/\r/' "$2.body"; } >"$2"
}

# ml_sample PRACTICE N [DIR]: copies sample referral N of PRACTICE and
# prints its path; its source id is PRACTICE-0000NN.
ml_sample() {
    local p=$1 n=$2 d=${3:-$IT_DIR/msg} f
    mkdir -p "$d"
    f=$(ls "$ML_SAMPLES/$p"/*.hl7 | sed -n "$((n + 1))p")
    cp "$f" "$d/$(basename "$f")"
    echo "$d/$(basename "$f")"
}

# ml_source_id FILE: the referral's id (RF1-6) in an HL7 file.
ml_source_id() {
    tr '\r' '\n' <"$1" | awk -F'|' '$1 == "RF1" { print $7 }'
}
