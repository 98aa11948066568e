#!/usr/bin/env bash
# test_mail_imap.sh - messages of every kind through a real Dovecot IMAPS
# mailbox: plain, multi-attachment, nested multipart, a hostile file name,
# a referral in the body, no referral, over the size limit, signed,
# signed and encrypted, tampered, revoked, untrusted and unregistered
# signers, a signer claiming another practice, unsigned where a signature
# is required.  Each ends stored exactly once or quarantined with its
# reason, and the mailbox is checked on the server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail_lib.sh"

it_setup mail_imap
ml_config it1 false
cat >>"$PARS_CONFIG" <<YAML
    - name: signedonly
      url: imaps://127.0.0.1:$IMAP_PORT/
      user: it2
      password_file: $IMAP_PASSWORD_FILE
      ca_file: $ML_CA
      require_signed: true
    - name: certauth
      url: imaps://127.0.0.1:$IMAP_PORT/INBOX
      user: it7
      client_cert_file: $IMAP_CLIENT_CERT
      client_key_file: $IMAP_CLIENT_KEY
      ca_file: $ML_CA
    - name: noca
      url: imaps://127.0.0.1:$IMAP_PORT/INBOX
      user: it8
      password_file: $IMAP_PASSWORD_FILE
    - name: wrongname
      url: imaps://localhost:$IMAP_PORT/INBOX
      user: it8
      password_file: $IMAP_PASSWORD_FILE
      ca_file: $ML_CA
YAML
ml_smime
M=$IT_DIR/msg
mkdir -p "$M"
for u in it1 it2 it7 it8; do
    for f in INBOX PARS-Oversize; do
        curl -sS --cacert "$ML_CA" -u "$u:$ML_PASS" \
            "imaps://127.0.0.1:$IMAP_PORT/INBOX" -X "DELETE \"$f\"" \
            >/dev/null 2>&1 || true
    done
    curl -sS --cacert "$ML_CA" -u "$u:$ML_PASS" \
        "imaps://127.0.0.1:$IMAP_PORT/INBOX" -X "CREATE INBOX" \
        >/dev/null 2>&1 || true
done
it_eq "$(ml_count it1)" 0 "it1 INBOX at the start"

msg() { # NAME FROM ENTITY: a whole message, appended to it1
    ml_message "$2" "referral" "$3" >"$M/$1.eml"
    ml_append it1 "$M/$1.eml"
}

ml_text "Please find the referral attached." >"$M/note.part"
head -c 3000 /dev/urandom >"$M/letter.pdf"
printf '%%PDF-1.4\n' | cat - "$M/letter.pdf" >"$M/letter2.pdf"
ml_part application/pdf letter.pdf "$M/letter2.pdf" >"$M/pdf.part"

it_log "plain: a note and one HL7 attachment"
ml_part application/octet-stream "referral 1.hl7" "$(ml_sample P81000 0)" >"$M/a0.part"
ml_mixed B-plain "$M/note.part" "$M/a0.part" >"$M/plain.ent"
msg plain pm@p81000.test "$M/plain.ent"

it_log "three attachments and a PDF"
for i in 1 2 3; do
    ml_part text/plain "ref$i.hl7" "$(ml_sample P81000 $i)" >"$M/a$i.part"
done
ml_mixed B-multi "$M/note.part" "$M/a1.part" "$M/a2.part" "$M/a3.part" \
    "$M/pdf.part" >"$M/multi.ent"
msg multi pm@p81000.test "$M/multi.ent"

it_log "nested: alternative bodies and a forwarded message with an attachment"
{ printf 'Content-Type: multipart/alternative; boundary="ALT"\r\n\r\n'
  printf -- '--ALT\r\n'; cat "$M/note.part"
  printf -- '--ALT\r\nContent-Type: text/html\r\n\r\n<p>see attached</p>\r\n--ALT--\r\n'
} >"$M/alt.part"
ml_part application/octet-stream "fwd.hl7" "$(ml_sample P81000 4)" >"$M/a4.part"
ml_mixed B-inner "$M/note.part" "$M/a4.part" >"$M/inner.ent"
{ printf 'Content-Type: message/rfc822\r\n\r\n'
  ml_message colleague@p81000.test "fwd" "$M/inner.ent"; } >"$M/fwd.part"
ml_mixed B-nested "$M/alt.part" "$M/fwd.part" >"$M/nested.ent"
msg nested pm@p81000.test "$M/nested.ent"

it_log "a file name that tries to be a path"
ml_part application/octet-stream "../../etc/passwd" "$(ml_sample P81000 5)" >"$M/a5.part"
ml_mixed B-passwd "$M/note.part" "$M/a5.part" >"$M/passwd.ent"
msg passwd pm@p81000.test "$M/passwd.ent"

it_log "the referral in the body itself"
{ printf 'Content-Type: text/plain\r\n\r\n'; cat "$(ml_sample P81000 6)"; } >"$M/body.ent"
msg body pm@p81000.test "$M/body.ent"

it_log "no referral at all"
ml_mixed B-none "$M/note.part" "$M/pdf.part" >"$M/none.ent"
msg none pm@p81000.test "$M/none.ent"

it_log "over the size limit (64 KiB)"
head -c 100000 /dev/urandom >"$M/big.bin"
ml_part application/octet-stream big.bin "$M/big.bin" >"$M/big.part"
ml_mixed B-big "$M/note.part" "$M/big.part" >"$M/big.ent"
msg big pm@p81000.test "$M/big.ent"

it_log "S/MIME: signed, signed and encrypted, and the failures"
signed() { # NAME SIGNER PRACTICE N
    ml_part application/octet-stream "$1.hl7" "$(ml_sample "$3" "$4")" >"$M/$1.part"
    ml_mixed "B-$1" "$M/note.part" "$M/$1.part" >"$M/$1.ent"
    ml_sign "$2" "$M/$1.ent" "$M/$1.eml"
}
signed signed P81001 P81001 0
ml_append it1 "$M/signed.eml"
signed sealed P81002 P81002 0
ml_encrypt "$M/sealed.eml" "$M/sealed-enc.eml"
ml_append it1 "$M/sealed-enc.eml"
signed tampered P81001 P81001 1
# Change one base64 character of the attachment, inside the signed part.
awk 'BEGIN{d=0} /^Content-Disposition: attachment; filename="tampered.hl7"/{d=1}
     d==1 && /^$|^\r$/ {d=2; print; next}
     d==2 {sub(/^./, substr($0,1,1)=="A" ? "B" : "A"); d=3} {print}' \
    "$M/tampered.eml" >"$M/tampered2.eml"
cmp -s "$M/tampered.eml" "$M/tampered2.eml" && it_fail "tampering changed nothing"
ml_append it1 "$M/tampered2.eml"
signed revoked P81003 P81003 0
ml_append it1 "$M/revoked.eml"
signed untrusted P81009 P81000 7
ml_append it1 "$M/untrusted.eml"
signed unregistered P81008 P81007 0
ml_append it1 "$M/unregistered.eml"
signed claims P81001 P81000 9
ml_append it1 "$M/claims.eml"

it_log "a mailbox that takes only signed messages"
ml_message pm@p81000.test "referral" "$M/plain.ent" >"$M/unsigned.eml"
ml_append it2 "$M/unsigned.eml"
signed onlysigned P81002 P81002 1
ml_append it2 "$M/onlysigned.eml"

it_log "a mailbox the hub logs in to with a client certificate"
ml_part application/octet-stream "cert.hl7" "$(ml_sample P81006 0)" >"$M/cert.part"
ml_mixed B-cert "$M/note.part" "$M/cert.part" >"$M/cert.ent"
ml_message pm@p81006.test "referral" "$M/cert.ent" >"$M/cert.eml"
ml_append it7 "$M/cert.eml"

it_eq "$(ml_count it1)" 14 "it1 INBOX before the fetch"
it_log "TLS: the server's certificate is checked, and its name"
ml_message pm@p81000.test "referral" "$M/plain.ent" >"$M/it8.eml"
ml_append it8 "$M/it8.eml"
if out=$("$PARS/pars" fetch noca 2>&1); then it_fail "no CA, yet: $out"; fi
echo "$out" | grep -q "^imap:noca: .*SSL certificate problem: self-signed certificate in certificate chain" ||
    it_fail "noca: $out"
if out=$("$PARS/pars" fetch wrongname 2>&1); then it_fail "wrong name, yet: $out"; fi
echo "$out" | grep -qi "^imap:wrongname: .*SSL: no alternative certificate subject name matches" ||
    it_fail "wrongname: $out"
it_eq "$(ml_count it8)" 1 "it8 INBOX: nothing taken over an unverified connection"

out=$("$PARS/pars" fetch inbox signedonly certauth)
echo "$out"
echo "$out" | grep -q "^imap:inbox: 14 found, 14 taken in" || it_fail "fetch: $out"
echo "$out" | grep -q "^imap:signedonly: 2 found, 2 taken in" || it_fail "fetch: $out"
echo "$out" | grep -q "^imap:certauth: 1 found, 1 taken in: 2 new document(s)" || it_fail "fetch: $out"
"$PARS/pars" process >/dev/null

it_log "the servers' view: nothing left but the oversize message, set aside"
it_eq "$(ml_count it1)" 0 "it1 INBOX after the fetch"
it_eq "$(ml_count it1 PARS-Oversize)" 1 "it1 PARS-Oversize"
it_eq "$(ml_count it2)" 0 "it2 INBOX after the fetch"
it_eq "$(ml_count it7)" 0 "it7 INBOX after the fetch"

it_log "every referral stored once, from the part it came in"
it_eq "$(it_sql "SELECT count(*) FROM pars.referrals WHERE is_current")" 11 \
    "current referrals"
it_eq "$(it_sql "SELECT string_agg(source_id || '@' || coalesce(d.practice_ods, '-'), ' ' ORDER BY source_id)
    FROM pars.referrals r JOIN pars.documents d ON d.id = r.document_id")" \
    "P81000-000000@- P81000-000001@- P81000-000002@- P81000-000003@- P81000-000004@- P81000-000005@- P81000-000006@- P81001-000012@P81001 P81002-000024@P81002 P81002-000025@P81002 P81006-000072@-" \
    "referrals and the practice their documents came from"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents c WHERE c.parent_id IS NOT NULL
    AND (SELECT p.format FROM pars.documents p WHERE p.id = c.parent_id) = 'mime'")" 12 \
    "parts taken from messages"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents WHERE format = 'mime'
    AND state = 'stored' AND n_referrals = 0")" 10 "messages stored as containers"

reason() { # SQL condition on the container -> its reason
    it_sql "SELECT reason FROM pars.documents WHERE parent_id IS NULL AND $1"
}
want_reason() { # PATTERN: exactly one quarantined document says it
    local n
    n=$(it_sql "SELECT count(*) FROM pars.documents WHERE state = 'quarantined'
        AND reason LIKE '%' || \$\$$1\$\$ || '%'")
    it_eq "$n" 1 "quarantined with [$1]"
}
want_reason "the message holds no referral: none of its 2 part(s) (text/plain 36 bytes, application/pdf 3009 bytes)"
want_reason "over the limit of 65536"
want_reason "the signature does not match the message: it was changed after it was signed"
want_reason "is not trusted: certificate revoked"
want_reason "is not trusted: unable to get local issuer certificate"
want_reason "is not registered to any practice"
want_reason "names practice P81000 but the document came from practice P81001"
want_reason "the message is not signed (S/MIME), and imap:signedonly takes only signed messages"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents WHERE state = 'quarantined'")" 8 \
    "quarantined documents"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents WHERE state = 'received'")" 0 \
    "documents left unprocessed"

it_log "a hostile file name is a label only"
id=$(it_sql "SELECT d.id FROM pars.documents d JOIN pars.referrals r ON r.document_id = d.id
    WHERE r.source_id = 'P81000-000005'")
"$PARS/pars" quarantine show "$id" | grep -q "file      passwd$" ||
    it_fail "the part's name is not the bare label passwd"

it_log "the same message again: recorded once, acknowledged"
ml_append it1 "$M/plain.eml"
before=$(it_sql "SELECT count(*) FROM pars.documents")
out=$("$PARS/pars" fetch inbox)
echo "$out" | grep -q "^imap:inbox: 1 found, 1 taken in: 0 new document(s), 2 already held" ||
    it_fail "re-fetch: $out"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents")" "$before" "documents after a re-send"
it_eq "$(ml_count it1)" 0 "it1 INBOX after the re-send"
it_log "the unregistered signer registered: the message unpacked again"
id=$(it_sql "SELECT id FROM pars.documents WHERE reason LIKE '%not registered to any practice%'")
cp "$PKI/P81008.pem" "$IT_DIR/certs/P81007.pem"
out=$("$PARS/pars" fetch --again "$id")
it_eq "$out" "document $id: stored, 1 part(s) to process" "fetch --again"
"$PARS/pars" process >/dev/null
it_eq "$(it_sql "SELECT d.state || ' ' || d.practice_ods || ' ' || r.source_id || ' ' || r.is_current
    FROM pars.documents d JOIN pars.documents c ON c.parent_id = d.id
    JOIN pars.referrals r ON r.document_id = c.id WHERE d.id = $id")" \
    "stored P81007 P81007-000084 true" "the message once its signer is registered"
id=$(it_sql "SELECT id FROM pars.documents WHERE reason LIKE '%certificate revoked%'")
out=$("$PARS/pars" fetch --again "$id")
case $out in
"document $id: still quarantined: the signing certificate"*"is not trusted: certificate revoked") ;;
*) it_fail "fetch --again of a revoked signer: $out" ;;
esac
echo "PASS mail_imap"
