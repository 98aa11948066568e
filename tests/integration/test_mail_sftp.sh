#!/usr/bin/env bash
# test_mail_sftp.sh - SFTP pull from a real sshd (a directory per
# practice, and a directory of one practice), a host key that does not
# match (refused), the same referral sent by SFTP and by mail (stored
# once), a corrected re-send (supersedes, history kept), and receipts
# through a real SMTP server to the practices' addresses.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail_lib.sh"

it_setup mail_sftp
R=$SFTP_ROOT/mail_sftp
rm -rf "$R"
mkdir -p "$R/bypractice/P81000" "$R/bypractice/P81001" "$R/bypractice/notes" \
    "$R/p81002" "$R/wrong"
U=sftp://127.0.0.1:$SFTP_PORT
ml_config it3 false
cat >>"$PARS_CONFIG" <<YAML
      receipts: true
  sftp:
    - name: drops
      url: $U$R/bypractice/
      user: nobody
      key_file: $SFTP_KEY
      known_hosts: $KNOWN_HOSTS
      receipts: true
    - name: p81002
      url: $U$R/p81002
      user: nobody
      key_file: $SFTP_KEY
      known_hosts: $KNOWN_HOSTS
      practice: P81002
      done_dir: $R/done
    - name: wrongkey
      url: $U$R/wrong/
      user: nobody
      key_file: $SFTP_KEY
      known_hosts: $KNOWN_HOSTS_WRONG
      practice: P81000
receipts:
  smtp_url: smtps://127.0.0.1:$SMTP_PORT
  from: pars-hub@hub.test
  ca_file: $ML_CA
YAML
ml_smime
for box in p81000-sftp p81001-sftp; do rm -rf "${SMTP_MAILDIR:?}/$box"; done
"$PARS/pars" practice add --email p81000-sftp@practice.test P81000 >/dev/null
"$PARS/pars" practice add --email p81001-sftp@practice.test P81001 >/dev/null
"$PARS/pars" practice add P81002 >/dev/null
M=$IT_DIR/msg
mkdir -p "$M"
curl -sS --cacert "$ML_CA" -u "it3:$ML_PASS" "imaps://127.0.0.1:$IMAP_PORT/INBOX" \
    -X "CREATE INBOX" >/dev/null 2>&1 || true

s0=$(ml_sample P81000 0)
cp "$s0" "$R/bypractice/P81000/a.hl7"
cp "$s0" "$R/bypractice/P81000/.hidden.hl7"
cp "$s0" "$R/bypractice/P81000/b.hl7.part"
cp "$(ml_sample P81001 0)" "$R/bypractice/P81001/c.hl7"
echo "not a referral, just a note" >"$R/bypractice/P81001/junk.txt"
cp "$s0" "$R/bypractice/notes/x.hl7"
cp "$(ml_sample P81002 0)" "$R/p81002/d.hl7"
head -c 100000 /dev/urandom >"$R/p81002/big.hl7"
cp "$(ml_sample P81000 1)" "$R/wrong/e.hl7"
chown -R nobody: "$R"

it_log "fetch: the drops and P81002's directory; the wrong host key is refused"
if out=$("$PARS/pars" fetch 2>&1); then
    it_fail "fetch succeeded with a host key that does not match: $out"
fi
echo "$out"
echo "$out" | grep -q "^sftp:drops: 3 found, 3 taken in: 3 new document(s)" || it_fail "drops: $out"
echo "$out" | grep -q "^sftp:p81002: 2 found, 2 taken in: 1 new document(s), 0 already held, 0 quarantined, 1 over the size limit" ||
    it_fail "p81002: $out"
echo "$out" | grep -q "^sftp:wrongkey: .*the server's host key (SHA256:.*) does not match the one in known_hosts: refused" ||
    it_fail "wrongkey: $out"

it_log "the server's view"
it_eq "$(cd "$R/bypractice/P81000" && ls -A | sort | tr '\n' ' ')" ".hidden.hl7 b.hl7.part " \
    "left in P81000's directory"
it_eq "$(ls -A "$R/bypractice/P81001" | wc -l)" 0 "left in P81001's directory"
it_eq "$(ls -A "$R/bypractice/notes")" "x.hl7" "a directory that is not a practice's"
it_eq "$(find "$R/p81002" -maxdepth 1 -type f | wc -l)" 0 "files left in P81002's directory"
it_eq "$(ls "$R/p81002/oversize" | sed 's/^[0-9a-f]\{8\}-//')" "big.hl7" "set aside as oversize"
it_eq "$(ls "$R/done" | sed 's/^[0-9a-f]\{8\}-//')" "d.hl7" "renamed into done_dir"
it_eq "$(ls "$R/wrong")" "e.hl7" "left behind the refused host key"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents WHERE source = 'sftp:wrongkey'")" 0 \
    "documents from the refused server"

"$PARS/pars" process >/dev/null
it_eq "$(it_sql "SELECT string_agg(r.source_id || '@' || d.practice_ods || '@' || d.source, ' ' ORDER BY r.source_id)
    FROM pars.referrals r JOIN pars.documents d ON d.id = r.document_id WHERE r.is_current")" \
    "P81000-000000@P81000@sftp:drops P81001-000012@P81001@sftp:drops P81002-000024@P81002@sftp:p81002" \
    "referrals from SFTP, with their directories' practices"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents WHERE state = 'quarantined' AND source = 'sftp:drops'
    AND reason LIKE 'unknown format%'")" 1 "the note quarantined"

it_log "the same referral by mail (other bytes, same content): stored once"
tr '\r' '\n' <"$s0" >"$M/lf.hl7"
cmp -s "$s0" "$M/lf.hl7" && it_fail "the mail copy should differ in its bytes"
ml_part application/octet-stream "copy.hl7" "$M/lf.hl7" >"$M/copy.part"
ml_text "copy" >"$M/note.part"
ml_mixed B-copy "$M/note.part" "$M/copy.part" >"$M/copy.ent"
ml_message pm@p81000.test "copy" "$M/copy.ent" >"$M/copy.eml"
ml_append it3 "$M/copy.eml"
"$PARS/pars" fetch inbox >/dev/null
"$PARS/pars" process >/dev/null
it_eq "$(ml_count it3)" 0 "it3 INBOX after the fetch"
it_eq "$(it_sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE is_current) || ' '
    || count(duplicate_of) FROM pars.referrals WHERE source_id = 'P81000-000000'")" "2 1 1" \
    "versions, current, duplicates of P81000-000000"

it_log "a corrected re-send by SFTP supersedes it, the history kept"
sed 's/PSA 3\.1/PSA 4.2/' "$s0" >"$R/bypractice/P81000/a-corrected.hl7"
chown nobody: "$R/bypractice/P81000/a-corrected.hl7"
"$PARS/pars" fetch drops >/dev/null
"$PARS/pars" process >/dev/null
it_eq "$(it_sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE is_current) FROM pars.referrals
    WHERE source_id = 'P81000-000000'")" "3 1" "versions and current after the correction"
it_eq "$(it_sql "SELECT (n.supersedes = o.id AND o.superseded_by = n.id AND NOT o.is_current
    AND n.reason_text LIKE '%PSA 4.2%' AND o.reason_text LIKE '%PSA 3.1%')::text
    FROM pars.referrals n, pars.referrals o
    WHERE n.source_id = 'P81000-000000' AND n.is_current
      AND o.source_id = 'P81000-000000' AND o.duplicate_of IS NULL AND o.id <> n.id")" "true" \
    "the correction supersedes the first version"

it_log "receipts: the SMTP server's certificate is checked"
sed -e '/^receipts:/,/^smime:/{/^  ca_file:/d}' "$PARS_CONFIG" >"$IT_DIR/noca.yaml"
if out=$(PARS_CONFIG=$IT_DIR/noca.yaml "$PARS/pars" receipts 2>&1); then
    it_fail "receipts sent without checking the server: $out"
fi
echo "$out" | grep -q "sending a receipt: .*SSL certificate problem" || it_fail "noca: $out"
it_eq "$(it_sql "SELECT count(*) FROM pars.receipts")" 0 "receipts recorded unsent"

it_log "receipts: one per practice, to its address, source ids and counts only"
out=$("$PARS/pars" receipts)
it_eq "$out" "2 receipt(s) sent" "pars receipts"
it_eq "$("$PARS/pars" receipts)" "0 receipt(s) sent" "pars receipts again"
for _ in $(seq 1 50); do
    [ -n "$(ls -A "$SMTP_MAILDIR/p81000-sftp/new" 2>/dev/null)" ] &&
        [ -n "$(ls -A "$SMTP_MAILDIR/p81001-sftp/new" 2>/dev/null)" ] && break
    sleep 0.2
done
r0=$(cat "$SMTP_MAILDIR"/p81000-sftp/new/*)
r1=$(cat "$SMTP_MAILDIR"/p81001-sftp/new/*)
echo "$r0"
echo "$r0" | grep -q "^Subject: PARS receipt for practice P81000: 3 referral(s) accepted, 0 item(s) not accepted" ||
    it_fail "P81000's receipt subject"
echo "$r0" | grep -q "source id P81000-000000: already received before (counted once)" ||
    it_fail "P81000's receipt: the mail copy"
echo "$r0" | grep -q "source id P81000-000000: a corrected version (replaces the earlier one)" ||
    it_fail "P81000's receipt: the correction"
echo "$r1" | grep -q "^Subject: PARS receipt for practice P81001: 1 referral(s) accepted, 1 item(s) not accepted" ||
    it_fail "P81001's receipt subject"
echo "$r1" | grep -q "NOT ACCEPTED: unknown format" || it_fail "P81001's receipt: the note"
for r in "$r0" "$r1"; do
    for secret in 9997142349 Patel 19440420 a.hl7 junk.txt; do
        if echo "$r" | grep -q "$secret"; then
            it_fail "a receipt holds [$secret]"
        fi
    done
done
it_eq "$(it_sql "SELECT string_agg(coalesce(practice_ods, '-') || ':' || state || ':' || n_documents, ' '
    ORDER BY practice_ods) FROM pars.receipts")" "P81000:sent:3 P81001:sent:2" "receipts recorded"
it_log "a receipt by SMTP with STARTTLS"
cp "$(ml_sample P81001 1)" "$R/bypractice/P81001/f.hl7"
chown nobody: "$R/bypractice/P81001/f.hl7"
"$PARS/pars" fetch drops >/dev/null
"$PARS/pars" process >/dev/null
sed "s|smtp_url: smtps://127.0.0.1:$SMTP_PORT|smtp_url: smtp://127.0.0.1:$SMTP_STARTTLS_PORT|" \
    "$PARS_CONFIG" >"$IT_DIR/starttls.yaml"
it_eq "$(PARS_CONFIG=$IT_DIR/starttls.yaml "$PARS/pars" receipts)" "1 receipt(s) sent" \
    "pars receipts over STARTTLS"
for _ in $(seq 1 50); do
    [ "$(ls "$SMTP_MAILDIR/p81001-sftp/new" | wc -l)" = 2 ] && break
    sleep 0.2
done
grep -l "source id P81001-000013$" "$SMTP_MAILDIR"/p81001-sftp/new/* >/dev/null ||
    it_fail "the STARTTLS receipt did not arrive"
echo "PASS mail_sftp"
