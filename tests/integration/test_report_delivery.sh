#!/usr/bin/env bash
# Delivery of the reports to a real SMTP server (OpenSMTPD, TLS) as
# S/MIME-encrypted mail, and to a real SFTP server (OpenSSH) with the host
# key checked; each recorded with the files' SHA-256; a failure recorded
# with its reason and retried; "e-mail only when something is new".
. "$(dirname "$0")/lib.sh"
it_setup report_delivery
HERE=$PARS_SRC/tests/integration
python3 "$HERE/report_data.py" sql >"$IT_DIR/data.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$IT_NAME" -f "$IT_DIR/data.sql"

bash "$HERE/smtp_fixture.sh" start "$IT_DIR/smtp"
bash "$HERE/sftp_fixture.sh" start "$IT_DIR/sftp"
trap 'bash "$HERE/smtp_fixture.sh" stop "$IT_DIR/smtp";
      bash "$HERE/sftp_fixture.sh" stop "$IT_DIR/sftp"; it_cleanup' EXIT
. "$IT_DIR/smtp/smtp.env"
. "$IT_DIR/sftp/sftp.env"

# The practices' certificates (the registry: certs/<ODS>.pem).
mkdir -p "$IT_DIR/certs" "$IT_DIR/keys"
for p in P10001 P20001; do
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$p" \
        -keyout "$IT_DIR/keys/$p.key" -out "$IT_DIR/certs/$p.pem" 2>/dev/null
done
cat >>"$PARS_CONFIG" <<YAML
reports:
  certs_dir: $IT_DIR/certs
  retry_attempts: 2
  retry_seconds: 0
  smtp:
    url: $SMTP_URL
    from: reports@hub.example
    ca_file: $SMTP_CA
  sftp:
    username: $SFTP_USER
    private_key: $SFTP_KEY
    public_key: $SFTP_PUB
    known_hosts: $SFTP_KNOWN_HOSTS
  practices:
    - code: P10001
      channel: email
      email: p10001@practice.example
    - code: P10002
      channel: sftp
      sftp_url: sftp://127.0.0.1:$SFTP_PORT$SFTP_ROOT/P10002
    - code: P10003
      channel: email
      email: p10003@practice.example
    - code: P20001
      channel: email
      email: p20001@practice.example
      email_when: new
YAML
"$PARS/pars" check-config >/dev/null

it_log "run: e-mail, SFTP and outbox deliveries"
"$PARS/pars" report run --period 2025-01 >"$IT_DIR/run1.out" || true
status() {
    it_sql "SELECT status || ':' || coalesce(reason, '') FROM
        pars.report_deliveries WHERE practice_code = '$1' ORDER BY id DESC LIMIT 1"
}
it_eq "$(status P10001)" "delivered:" "P10001 by e-mail"
it_eq "$(status P10002)" "delivered:" "P10002 by SFTP"
it_eq "$(status P20001)" "delivered:" "P20001 by e-mail (first report)"
case $(status P10003) in
failed:*"no certificate for P10003"*) ;;
*) it_fail "P10003 without a certificate: $(status P10003)" ;;
esac
it_eq "$(it_sql "SELECT attempts FROM pars.report_deliveries WHERE
    practice_code = 'P10003' ORDER BY id DESC LIMIT 1")" 2 "attempts"

it_log "the mail: encrypted to the practice, the files inside intact"
it_wait_sql "SELECT 1" 1 1
for _ in $(seq 100); do
    [ "$(ls "$SMTP_MAILDIR/new" | wc -l)" -ge 2 ] && break
    sleep 0.1
done
it_eq "$(ls "$SMTP_MAILDIR/new" | wc -l)" 2 "messages delivered"
msg=$(grep -l '^To: p10001@practice.example' "$SMTP_MAILDIR"/new/* || true)
[ -n "$msg" ] || it_fail "no message for P10001"
grep -q 'application/pkcs7-mime; smime-type=enveloped-data' "$msg" ||
    it_fail "the message is not S/MIME enveloped"
if grep -qiE 'Alder|referral feedback|%PDF' "$msg"; then
    it_fail "report content readable in the mail"
fi
openssl cms -decrypt -in "$msg" -recip "$IT_DIR/certs/P10001.pem" \
    -inkey "$IT_DIR/keys/P10001.key" -out "$IT_DIR/inner.eml" ||
    it_fail "P10001's key cannot decrypt its mail"
openssl cms -decrypt -in "$msg" -recip "$IT_DIR/certs/P20001.pem" \
    -inkey "$IT_DIR/keys/P20001.key" -out /dev/null 2>/dev/null &&
    it_fail "another practice's key decrypts P10001's mail"
python3 - "$IT_DIR/inner.eml" >"$IT_DIR/attached.txt" <<'PY'
import email, hashlib, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for part in m.walk():
    name = part.get_filename()
    if name:
        print(name, hashlib.sha256(part.get_payload(decode=True)).hexdigest())
    elif part.get_content_type() == "text/plain":
        print("text", part.get_payload(decode=True).decode()[:60].replace(" ", "_"))
PY
dir=$IT_DIR/state/reports/P10001/2025-01
for ext in html csv pdf; do
    f=P10001-2025-01.$ext
    want=$(sha256sum "$dir/$f" | cut -d' ' -f1)
    grep -qx "$f $want" "$IT_DIR/attached.txt" ||
        it_fail "$f attached differs from the outbox copy: $(cat "$IT_DIR/attached.txt")"
    it_eq "$(it_sql "SELECT e->>'sha256' FROM pars.report_deliveries d,
        jsonb_array_elements(d.files) e WHERE d.practice_code = 'P10001'
        AND e->>'name' = '$f' ORDER BY d.id DESC LIMIT 1")" "$want" "recorded sha256 of $f"
done
grep -q '^text ' "$IT_DIR/attached.txt" || it_fail "no text part"

it_log "SFTP: the files in the practice's directory, nothing half-written"
for ext in html csv pdf; do
    f=P10002-2025-01.$ext
    cmp "$SFTP_ROOT/P10002/2025-01/$f" "$IT_DIR/state/reports/P10002/2025-01/$f" ||
        it_fail "$f uploaded differs"
done
[ -z "$(ls "$SFTP_ROOT/P10002/2025-01" | grep '\.part$' || true)" ] || it_fail ".part left"

it_log "a host key that is not in known_hosts is refused, then retried"
cp "$SFTP_KNOWN_HOSTS" "$IT_DIR/known_hosts.good"
ssh-keygen -q -t ed25519 -N '' -f "$IT_DIR/other_key"
echo "[127.0.0.1]:$SFTP_PORT $(cut -d' ' -f1,2 "$IT_DIR/other_key.pub")" >"$SFTP_KNOWN_HOSTS"
it_sql "INSERT INTO pars.referrals (document_id, position, format, source_id,
    status, practice_ods, nhs_number_valid, sex, referral_date, tfc,
    provider_ods, price_pence, content_sha256, is_current)
    SELECT document_id, 998, 'csv', 'P10002-new', 'active', 'P10002', true,
    'male', '2025-01-29', '120', 'RAL', 12000, sha256('x'::bytea), true
    FROM pars.referrals WHERE practice_ods = 'P10002' LIMIT 1" >/dev/null
rm -rf "${SFTP_ROOT:?}/P10002"
"$PARS/pars" report run --period 2025-01 P10002 >"$IT_DIR/run2.out" &&
    it_fail "the run did not report the failed delivery"
case $(status P10002) in
failed:*SFTP*) ;;
*) it_fail "P10002 with a wrong host key: $(status P10002)" ;;
esac
[ -e "$SFTP_ROOT/P10002" ] && it_fail "uploaded to a host with the wrong key"
cp "$IT_DIR/known_hosts.good" "$SFTP_KNOWN_HOSTS"
# P10003 still has no certificate: the retry says so and fails
"$PARS/pars" report retry >"$IT_DIR/retry.out" && it_fail "retry hid P10003's failure"
grep -q "^P10002 .* delivered" "$IT_DIR/retry.out" || it_fail "retry: $(cat "$IT_DIR/retry.out")"
grep -q "^P10003 .* failed: no certificate" "$IT_DIR/retry.out" || it_fail "retry: $(cat "$IT_DIR/retry.out")"
it_eq "$(status P10002)" "delivered:" "P10002 after the retry"
[ -s "$SFTP_ROOT/P10002/2025-01/P10002-2025-01.pdf" ] || it_fail "nothing uploaded on retry"

it_log "email_when: new - a report with nothing new is held, not mailed"
it_sql "INSERT INTO pars.referrals (document_id, position, format, source_id,
    status, practice_ods, nhs_number_valid, sex, referral_date, tfc,
    provider_ods, price_pence, content_sha256, is_current)
    SELECT document_id, 997, 'csv', 'P20001-new', 'active', 'P20001', true,
    'male', '2025-01-29', '330', 'RWG', 11000, sha256('y'::bytea), true
    FROM pars.referrals WHERE practice_ods = 'P20001' LIMIT 1" >/dev/null
"$PARS/pars" report run --period 2025-01 P20001 >"$IT_DIR/run3.out"
case $(status P20001) in
held:*"nothing new"*) ;;
*) it_fail "P20001 with nothing new: $(status P20001)" ;;
esac
it_eq "$(ls "$SMTP_MAILDIR/new" | wc -l)" 2 "messages after the held report"
it_log "a server that offers no TLS gets nothing"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=P10004" \
    -keyout "$IT_DIR/keys/P10004.key" -out "$IT_DIR/certs/P10004.pem" 2>/dev/null
sed -n '1,/^reports:/p' "$PARS_CONFIG" >"$IT_DIR/plain.yaml"
cat >>"$IT_DIR/plain.yaml" <<YAML
  certs_dir: $IT_DIR/certs
  retry_attempts: 1
  smtp:
    url: $SMTP_PLAIN_URL
    from: reports@hub.example
  practices:
    - code: P10004
      channel: email
      email: p10004@practice.example
YAML
"$PARS/pars" -c "$IT_DIR/plain.yaml" report run --period 2025-01 P10004 \
    >"$IT_DIR/plain.out" && it_fail "mail sent without TLS"
case $(status P10004) in
failed:*SMTP*) ;;
*) it_fail "P10004 over plain SMTP: $(status P10004)" ;;
esac
sleep 1
it_eq "$(ls "$SMTP_MAILDIR/new" | wc -l)" 2 "messages after the refused one"
echo "test_report_delivery: ok"
