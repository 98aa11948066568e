/*
 * receipts.c - what is due, what it says, and sending it (receipts.h).
 */
#include "receipts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "hub.h"
#include "log.h"
#include "transfer.h"
#include "xmalloc.h"

#define RECEIPT_MAX_BYTES (256 * 1024)

static const char due_sql[] =
    "SELECT d.id::text AS id, d.source, d.state, d.reason,"
    " to_char(d.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
    "  AS received,"
    " coalesce(d.practice_ods, (SELECT min(r.practice_ods)"
    "   FROM pars.referrals r JOIN pars.documents c ON c.id = r.document_id"
    "  WHERE c.id = d.id OR c.parent_id = d.id"
    " HAVING count(DISTINCT r.practice_ods) = 1)) AS practice"
    " FROM pars.documents d"
    " WHERE d.parent_id IS NULL AND d.source = ANY ($1::text[])"
    "  AND d.received_at > now() - pg_catalog.make_interval(days => $2::int)"
    "  AND d.state <> 'received'"
    "  AND NOT EXISTS (SELECT 1 FROM pars.documents c"
    "   WHERE c.parent_id = d.id AND c.state = 'received')"
    "  AND NOT EXISTS (SELECT 1 FROM pars.receipt_documents rd"
    "   WHERE rd.document_id = d.id)"
    " ORDER BY practice NULLS FIRST, d.id LIMIT 2000";

static const char parts_sql[] =
    "SELECT c.id::text AS id, c.state, c.reason FROM pars.documents c"
    " WHERE c.parent_id = $1 AND c.state = 'quarantined' ORDER BY c.id";

static const char refs_sql[] =
    "SELECT coalesce(r.source_id, '(none)') AS source_id,"
    " (r.duplicate_of IS NOT NULL)::text AS dup,"
    " (r.supersedes IS NOT NULL)::text AS corr"
    " FROM pars.referrals r"
    " WHERE r.document_id = $1 OR r.document_id IN"
    "  (SELECT id FROM pars.documents WHERE parent_id = $1)"
    " ORDER BY r.document_id, r.position";

static const char record_sql[] =
    "WITH rc AS (INSERT INTO pars.receipts (practice_ods, address, state,"
    "  n_documents, n_referrals, n_quarantined)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id)"
    " INSERT INTO pars.receipt_documents (document_id, receipt_id)"
    " SELECT unnest($7::bigint[]), id FROM rc";

void
receipts_setup(const struct config *cfg, struct receipts_setup *rs)
{
	size_t i;

	memset(rs, 0, sizeof(*rs));
	rs->smtp_url = cfg->receipts.smtp_url;
	rs->from = cfg->receipts.from;
	rs->user = cfg->receipts.user;
	rs->password_file = cfg->receipts.password_file;
	rs->ca_file = cfg->receipts.ca_file;
	rs->max_age_days = cfg->receipts.max_age_days;
	rs->timeout_seconds = cfg->receipts.timeout_seconds;
	rs->labels = xcalloc(cfg->sources.imap_n + cfg->sources.sftp_n + 1,
	    sizeof(*rs->labels));
	for (i = 0; i < cfg->sources.imap_n; i++)
		if (cfg->sources.imap[i].receipts)
			rs->labels[rs->nlabels++] = xasprintf("imap:%s",
			    cfg->sources.imap[i].name);
	for (i = 0; i < cfg->sources.sftp_n; i++)
		if (cfg->sources.sftp[i].receipts)
			rs->labels[rs->nlabels++] = xasprintf("sftp:%s",
			    cfg->sources.sftp[i].name);
}

void
receipts_setup_free(struct receipts_setup *rs)
{
	size_t i;

	for (i = 0; i < rs->nlabels; i++)
		free(rs->labels[i]);
	free(rs->labels);
	memset(rs, 0, sizeof(*rs));
}

/* What one practice's receipt covers, as it is written. */
struct receipt {
	const char *practice; /* borrowed from the due rows */
	struct buf body;
	char **ids;
	size_t nids;
	int referrals, repeats, quarantined;
};

/* A reason on one line of at most 900 bytes. */
static void
add_reason(struct buf *b, const char *reason)
{
	size_t i, n = reason ? strlen(reason) : 0;

	if (n > 900)
		n = 900;
	for (i = 0; i < n; i++)
		buf_addc(b, reason[i] == '\n' || reason[i] == '\r' ? ' ' :
		    reason[i]);
	if (reason != NULL && strlen(reason) > 900)
		buf_adds(b, "...");
	buf_addc(b, '\n');
}

/* Adds one top-level document to the receipt.  0 or -1 (db error). */
static int
add_document(struct db *db, struct receipt *rc, const struct db_res *due,
    size_t row)
{
	const char *id = db_get(due, row, db_col(due, "id"));
	const char *src = db_get(due, row, db_col(due, "source"));
	const char *state = db_get(due, row, db_col(due, "state"));
	struct db_res *r;
	size_t i;
	int nref;

	buf_printf(&rc->body, "\n%s %s, received %s UTC by %s:\n",
	    strncmp(src, "imap:", 5) == 0 ? "Message" : "File", id,
	    db_get(due, row, db_col(due, "received")), src);
	rc->ids = xreallocarray(rc->ids, rc->nids + 1, sizeof(*rc->ids));
	rc->ids[rc->nids++] = xstrdup(id);
	if (strcmp(state, "quarantined") == 0) {
		rc->quarantined++;
		buf_adds(&rc->body, "  NOT ACCEPTED: ");
		add_reason(&rc->body, db_get(due, row, db_col(due, "reason")));
		return 0;
	}
	if ((r = db_query(db, refs_sql, 1, &id)) == NULL)
		return -1;
	nref = (int)db_nrows(r);
	buf_printf(&rc->body, "  %d referral(s) accepted\n", nref);
	for (i = 0; i < db_nrows(r); i++) {
		int dup = strcmp(db_get(r, i, db_col(r, "dup")), "true") == 0;
		int corr = strcmp(db_get(r, i, db_col(r, "corr")), "true") == 0;

		buf_printf(&rc->body, "    source id %s%s\n",
		    db_get(r, i, db_col(r, "source_id")), dup ? ": already "
		    "received before (counted once)" : corr ? ": a corrected "
		    "version (replaces the earlier one)" : "");
		rc->repeats += dup;
	}
	rc->referrals += nref;
	db_res_free(r);
	if ((r = db_query(db, parts_sql, 1, &id)) == NULL)
		return -1;
	for (i = 0; i < db_nrows(r); i++) {
		rc->quarantined++;
		buf_printf(&rc->body, "  NOT ACCEPTED: attachment (document "
		    "%s): ", db_get(r, i, db_col(r, "id")));
		add_reason(&rc->body, db_get(r, i, db_col(r, "reason")));
	}
	db_res_free(r);
	return 0;
}

/* Records the receipt's documents as done.  0 or -1. */
static int
record(struct db *db, const struct receipt *rc, const char *address,
    const char *state)
{
	char n[3][16], *arr = db_array((const char *const *)rc->ids,
	    rc->nids);
	const char *v[7];
	int ok;

	snprintf(n[0], sizeof(n[0]), "%zu", rc->nids);
	snprintf(n[1], sizeof(n[1]), "%d", rc->referrals);
	snprintf(n[2], sizeof(n[2]), "%d", rc->quarantined);
	v[0] = rc->practice;
	v[1] = address;
	v[2] = state;
	v[3] = n[0];
	v[4] = n[1];
	v[5] = n[2];
	v[6] = arr;
	ok = db_exec(db, record_sql, 7, v);
	free(arr);
	return ok;
}

/* 1 when an address can go in a header and an SMTP RCPT as it is. */
static int
plain_address(const char *a)
{
	const char *p;

	if (a == NULL || strchr(a, '@') == NULL || strlen(a) > 254)
		return 0;
	for (p = a; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("<>,;\"()[]\\", *p) != NULL)
			return 0;
	return 1;
}

struct reader {
	const char *p;
	size_t left;
};

static size_t
on_read(char *out, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t k = size * n < r->left ? size * n : r->left;

	memcpy(out, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

/* Sends one receipt.  0 or -1 (err set). */
static int
send_mail(const struct receipts_setup *rs, const atomic_int *stop,
    const struct receipt *rc, const char *to, char *err, size_t errlen)
{
	struct transfer t;
	struct curl_slist *rcpt = NULL;
	struct reader rd;
	struct buf msg;
	unsigned char rnd[12];
	char mid[25], date[64], *password = NULL, e[512];
	const char *domain = strchr(rs->from, '@') + 1;
	time_t now = time(NULL);
	struct tm tm;
	int rv;

	if (rs->password_file != NULL && (password = secret_file_read(
	    rs->password_file, e, sizeof(e))) == NULL) {
		snprintf(err, errlen, "receipts.password_file: %s", e);
		return -1;
	}
	if (transfer_open(&t, "smtps,smtp", stop, rs->timeout_seconds, 0,
	    rs->ca_file, err, errlen) < 0) {
		free(password);
		return -1;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		fatalx("RAND_bytes failed");
	hex_encode(rnd, sizeof(rnd), mid);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_init(&msg, RECEIPT_MAX_BYTES);
	buf_printf(&msg, "From: %s\r\nTo: %s\r\nDate: %s\r\n"
	    "Message-ID: <%s@%s>\r\n"
	    "Subject: PARS receipt for practice %s: %d referral(s) accepted, "
	    "%d item(s) not accepted\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Auto-Submitted: auto-generated\r\n\r\n", rs->from, to, date, mid,
	    domain, rc->practice, rc->referrals, rc->quarantined);
	buf_printf(&msg, "The PARS hub has taken in what practice %s sent.\r\n"
	    "Items NOT ACCEPTED were kept but not counted: please put right "
	    "what the reason says and send them again.\r\n", rc->practice);
	{
		const char *p;

		for (p = rc->body.p ? rc->body.p : ""; *p != '\0'; p++) {
			if (*p == '\n')
				buf_addc(&msg, '\r');
			buf_addc(&msg, *p);
		}
	}
	if (!buf_ok(&msg)) {
		buf_free(&msg);
		buf_init(&msg, 0);
		snprintf(err, errlen, "a receipt for %s would be over %d bytes",
		    rc->practice, RECEIPT_MAX_BYTES);
		rv = -1;
		goto out;
	}
	rd.p = msg.p;
	rd.left = msg.len;
	transfer_reset(&t, rs->smtp_url, 1 << 16);
	curl_easy_setopt(t.h, CURLOPT_MAIL_FROM, rs->from);
	rcpt = curl_slist_append(NULL, to);
	curl_easy_setopt(t.h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(t.h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(t.h, CURLOPT_READDATA, &rd);
	curl_easy_setopt(t.h, CURLOPT_UPLOAD, 1L);
	if (rs->user != NULL)
		curl_easy_setopt(t.h, CURLOPT_USERNAME, rs->user);
	if (password != NULL)
		curl_easy_setopt(t.h, CURLOPT_PASSWORD, password);
	rv = transfer_run(&t, "sending a receipt", err, errlen);
	curl_easy_setopt(t.h, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
out:
	buf_free(&msg);
	transfer_close(&t);
	if (password != NULL) {
		wipe(password, strlen(password));
		free(password);
	}
	return rv;
}

static void
receipt_free(struct receipt *rc)
{
	size_t i;

	for (i = 0; i < rc->nids; i++)
		free(rc->ids[i]);
	free(rc->ids);
	buf_free(&rc->body);
	memset(rc, 0, sizeof(*rc));
}

/* Builds, sends and records the receipt for rows [from, to) of due, all
 * of one practice (or none).  1 sent, 0 recorded unsent, -1 failed. */
static int
one_practice(struct db *db, const struct receipts_setup *rs,
    const atomic_int *stop, const struct db_res *due, size_t from,
    size_t to, char *err, size_t errlen)
{
	struct receipt rc;
	struct db_res *r = NULL;
	const char *address = NULL;
	size_t i;
	int rv = -1;

	memset(&rc, 0, sizeof(rc));
	buf_init(&rc.body, RECEIPT_MAX_BYTES);
	rc.practice = db_get(due, from, db_col(due, "practice"));
	for (i = from; i < to; i++)
		if (add_document(db, &rc, due, i) < 0)
			goto dberr;
	if (rc.practice == NULL) {
		log_info("receipts: %zu document(s) came from no known "
		    "practice: no receipt", rc.nids);
		rv = record(db, &rc, NULL, "no_practice") < 0 ? -1 : 0;
		goto done;
	}
	if ((r = db_query(db, "SELECT email FROM pars.practices WHERE code ="
	    " $1 AND active", 1, &rc.practice)) == NULL)
		goto dberr;
	if (db_nrows(r) > 0)
		address = db_get(r, 0, db_col(r, "email"));
	if (!plain_address(address)) {
		log_warnx("receipts: practice %s has no usable e-mail address "
		    "(pars practice add %s --email ADDRESS): no receipt for %zu "
		    "document(s)", rc.practice, rc.practice, rc.nids);
		rv = record(db, &rc, NULL, "no_address") < 0 ? -1 : 0;
		goto done;
	}
	if (send_mail(rs, stop, &rc, address, err, errlen) < 0) {
		rv = -1;
		goto out;
	}
	if (record(db, &rc, address, "sent") < 0) {
		log_warnx("receipts: a receipt went to practice %s but could "
		    "not be recorded (%s): it may be sent again", rc.practice,
		    db_error(db));
		rv = -1;
		snprintf(err, errlen, "could not record a receipt: %s",
		    db_error(db));
		goto out;
	}
	log_info("receipts: practice %s: %d referral(s) accepted, %d item(s) "
	    "not accepted, in %zu document(s)", rc.practice, rc.referrals,
	    rc.quarantined, rc.nids);
	rv = 1;
	goto out;
done:
	if (rv < 0)
		snprintf(err, errlen, "could not record a receipt: %s",
		    db_error(db));
	goto out;
dberr:
	snprintf(err, errlen, "receipts: %s", db_error(db));
	rv = -1;
out:
	db_res_free(r);
	receipt_free(&rc);
	return rv;
}

static int
same_practice(const struct db_res *due, size_t a, size_t b)
{
	const char *x = db_get(due, a, db_col(due, "practice"));
	const char *y = db_get(due, b, db_col(due, "practice"));

	return (x == NULL && y == NULL) || (x && y && strcmp(x, y) == 0);
}

int
receipts_run(struct hub *hub, const struct receipts_setup *rs,
    struct db **db, const atomic_int *stop, char *err, size_t errlen)
{
	struct db_res *due;
	char *labels, days[16];
	const char *v[2];
	size_t i, j;
	int sent = 0, rc, failed = 0;

	if (rs->nlabels == 0)
		return 0;
	if (*db == NULL && (*db = hub_connect(hub, err, errlen)) == NULL)
		return -1;
	labels = db_array((const char *const *)rs->labels, rs->nlabels);
	snprintf(days, sizeof(days), "%d", rs->max_age_days);
	v[0] = labels;
	v[1] = days;
	due = db_query(*db, due_sql, 2, v);
	free(labels);
	if (due == NULL) {
		snprintf(err, errlen, "receipts: %s", db_error(*db));
		return -1;
	}
	for (i = 0; i < db_nrows(due) && !atomic_load(stop); i = j) {
		for (j = i + 1; j < db_nrows(due) && same_practice(due, i, j);
		    j++)
			;
		rc = one_practice(*db, rs, stop, due, i, j, err, errlen);
		if (rc < 0)
			failed = 1;
		else
			sent += rc;
	}
	db_res_free(due);
	return failed ? -1 : sent;
}
