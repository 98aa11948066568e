/*
 * process.c - the durability contract's second half (DESIGN.md): claim
 * received documents with FOR UPDATE SKIP LOCKED, parse them, and in the
 * same transaction store their referrals and mark them stored, or mark
 * them quarantined with a reason a person can act on.  A crash anywhere
 * rolls back and the work is simply done again.
 */
#include "process.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "coding.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "hub.h"
#include "live.h"
#include "log.h"
#include "parser.h"
#include "referrals.h"
#include "xmalloc.h"

static const char claim_sql[] =
    "SELECT d.id::text AS id, d.source, d.practice_ods,"
    " pg_catalog.encode(d.sha256, 'hex') AS sha256, d.attempts::text AS"
    " attempts, b.key_id, b.raw"
    " FROM pars.documents d"
    " LEFT JOIN pars.document_blobs b ON b.document_id = d.id"
    " WHERE d.state = 'received' AND ($2::bigint IS NULL OR d.id = $2)"
    " ORDER BY d.id LIMIT $1"
    " FOR UPDATE OF d SKIP LOCKED";

static const char finish_sql[] =
    "UPDATE pars.documents d SET state = u.state, reason = u.reason,"
    " format = u.format, n_referrals = u.n,"
    " attempts = d.attempts + CASE WHEN u.state = 'quarantined' THEN 1"
    "  ELSE 0 END,"
    " updated_at = now(),"
    " stored_at = CASE WHEN u.state = 'stored' THEN now() END"
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],"
    "  $5::int[]) AS u(id, state, reason, format, n)"
    " WHERE d.id = u.id";

static const char issues_sql[] =
    "INSERT INTO pars.document_issues (document_id, row_no, message)"
    " SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[])";

/* One claimed document and what became of it. */
struct doc {
	long long id;
	char sha[65];
	const char *source, *practice; /* borrowed from the claim result */
	struct arena *arena;
	struct parse_result res;
	char *reason; /* quarantined when set (malloc'ed) */
};

static void
quarantine(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
quarantine(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	free(d->reason);
	va_start(ap, fmt);
	if (vasprintf(&d->reason, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
}

/*
 * The practice each referral is counted against: its own, or the one
 * the channel vouches for.  A referral naming another practice than its
 * channel is refused: a practice may send only its own referrals.
 */
static int
check_practices(struct doc *d)
{
	size_t i;

	if (d->practice == NULL)
		return 0;
	for (i = 0; i < d->res.n; i++) {
		struct referral *r = d->res.v[i];

		if (r->practice_ods == NULL) {
			r->practice_ods = arena_strdup(d->arena, d->practice);
			referral_warn(d->arena, r, "practice taken from the "
			    "channel (%s)", d->practice);
		} else if (strcmp(r->practice_ods, d->practice) != 0) {
			quarantine(d, "referral %zu names practice %s but the "
			    "document came from practice %s (%s): a practice "
			    "may send only its own referrals; check which "
			    "drop directory or certificate it was sent with",
			    i + 1, r->practice_ods, d->practice, d->source);
			return -1;
		}
	}
	return 0;
}

/* Decrypts and parses one document; sets d->reason when it cannot. */
static void
parse_one(struct hub *hub, struct doc *d, const char *key_id,
    const unsigned char *blob, size_t bloblen)
{
	unsigned char *raw;
	size_t rawlen;
	char aad[96];

	if (blob == NULL) {
		quarantine(d, "the raw document is not held (purged, or never "
		    "taken in): ask the practice to send it again");
		return;
	}
	snprintf(aad, sizeof(aad), "pars-doc-v1:%s", d->sha);
	if (archive_decrypt(hub->archive_key, aad, strlen(aad), blob, bloblen,
	    &raw, &rawlen) < 0) {
		quarantine(d, "the raw document could not be decrypted: it was "
		    "stored under archive key %s and this hub has key %s; "
		    "configure the archive key it was stored with", key_id,
		    hub->archive_key_id);
		return;
	}
	d->arena = arena_new(hub->limits.max_bytes * 8 + (1 << 20));
	if (parse_document(d->arena, raw, rawlen, &hub->limits, &d->res) < 0) {
		if (d->res.err.line > 0 && strstr(d->res.err.msg, "line ") ==
		    NULL)
			quarantine(d, "%s: line %ld: %s", d->res.format ?
			    d->res.format : "format", d->res.err.line,
			    d->res.err.msg);
		else
			quarantine(d, "%s%s%s", d->res.format ? d->res.format :
			    "", d->res.format ? ": " : "", d->res.err.msg);
	} else {
		check_practices(d);
	}
	wipe(raw, rawlen);
	free(raw);
}

static char *
lld(long long v)
{
	return xasprintf("%lld", v);
}

/* Writes every outcome of the batch; 0 or -1 (transaction still open). */
static int
store_batch(struct hub *hub, struct db *db, struct doc *docs, size_t n,
    struct process_stats *st)
{
	struct stored_ref *refs;
	struct coding_ref *ref = NULL;
	size_t nrefs = 0, i, j, nissues = 0, k;
	const char **ids, **states, **reasons, **formats, **counts;
	const char **iss_doc, **iss_row, **iss_msg;
	char **own;
	size_t nown = 0;
	char *arr[5];
	const char *params[5];
	int rc = -1;

	for (i = 0; i < n; i++)
		if (docs[i].reason == NULL) {
			nrefs += docs[i].res.n;
			nissues += docs[i].res.nrejects;
		}
	refs = xcalloc(nrefs ? nrefs : 1, sizeof(*refs));
	for (i = 0, k = 0; i < n; i++) {
		if (docs[i].reason != NULL)
			continue;
		for (j = 0; j < docs[i].res.n; j++, k++) {
			const struct referral *r = docs[i].res.v[j];

			refs[k].r = r;
			refs[k].document_id = docs[i].id;
			refs[k].practice_ods = r->practice_ods;
			if (r->nhs_number != NULL &&
			    strlen(r->nhs_number) == 10)
				pseudonym_hex(hub->pseudonym_key,
				    r->nhs_number, refs[k].pseudonym);
			referral_content_hash(r, refs[k].practice_ods,
			    refs[k].pseudonym[0] ? refs[k].pseudonym : NULL,
			    refs[k].content);
		}
	}
	/* One snapshot of the reference data codes the batch and prices its
	 * findings. */
	if (nrefs > 0 && (ref = coding_cache_get(db)) == NULL) {
		log_warnx("coding: could not read the reference data: %s",
		    db_error(db));
		goto out;
	}
	coding_apply(hub, ref, refs, nrefs);
	if (referrals_insert(db, refs, nrefs) < 0)
		goto out;
	/* The rules' findings, in this transaction, from the coded TFC and
	 * price. */
	if (nrefs > 0) {
		struct assess_input *in = xcalloc(nrefs, sizeof(*in));

		for (k = 0; k < nrefs; k++) {
			in[k].r = refs[k].r;
			in[k].referral_id = refs[k].id;
			/* The coded TFC and the price at tariff the coding
			 * step found (-1: the engine prices the first
			 * attendance itself). */
			in[k].tfc = refs[k].coding.tfc[0] ? refs[k].coding.tfc
							   : refs[k].r->tfc;
			in[k].price_pence = refs[k].coding.price_pence;
		}
		rc = assess_store(db, hub->cfg->rules.dir, ref, in, nrefs) < 0
		    ? -1 : 0;
		free(in);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	own = xcalloc(2 * n + 2 * nissues + 1, sizeof(*own));
	if (nissues > 0) {
		iss_doc = xcalloc(nissues, sizeof(*iss_doc));
		iss_row = xcalloc(nissues, sizeof(*iss_row));
		iss_msg = xcalloc(nissues, sizeof(*iss_msg));
		for (i = 0, k = 0; i < n; i++) {
			if (docs[i].reason != NULL)
				continue;
			for (j = 0; j < docs[i].res.nrejects; j++, k++) {
				iss_doc[k] = own[nown++] = lld(docs[i].id);
				iss_row[k] = own[nown++] =
				    lld(docs[i].res.rejects[j].row);
				iss_msg[k] = docs[i].res.rejects[j].reason;
			}
		}
		arr[0] = db_array(iss_doc, nissues);
		arr[1] = db_array(iss_row, nissues);
		arr[2] = db_array(iss_msg, nissues);
		for (i = 0; i < 3; i++)
			params[i] = arr[i];
		rc = db_exec(db, issues_sql, 3, params);
		for (i = 0; i < 3; i++)
			free(arr[i]);
		free(iss_doc);
		free(iss_row);
		free(iss_msg);
		if (rc < 0)
			goto out_own;
		rc = -1;
	}
	ids = xcalloc(n, sizeof(*ids));
	states = xcalloc(n, sizeof(*states));
	reasons = xcalloc(n, sizeof(*reasons));
	formats = xcalloc(n, sizeof(*formats));
	counts = xcalloc(n, sizeof(*counts));
	for (i = 0; i < n; i++) {
		ids[i] = own[nown++] = lld(docs[i].id);
		formats[i] = docs[i].res.format;
		if (docs[i].reason != NULL) {
			states[i] = "quarantined";
			reasons[i] = docs[i].reason;
		} else {
			states[i] = "stored";
			counts[i] = own[nown++] = lld((long long)docs[i].res.n);
		}
	}
	arr[0] = db_array(ids, n);
	arr[1] = db_array(states, n);
	arr[2] = db_array(reasons, n);
	arr[3] = db_array(formats, n);
	arr[4] = db_array(counts, n);
	for (i = 0; i < 5; i++)
		params[i] = arr[i];
	rc = db_exec(db, finish_sql, 5, params);
	for (i = 0; i < 5; i++)
		free(arr[i]);
	free(ids);
	free(states);
	free(reasons);
	free(formats);
	free(counts);
	if (rc == 0) {
		for (i = 0; i < n; i++)
			if (docs[i].reason != NULL)
				st->quarantined++;
			else
				st->stored++;
		st->referrals += (int)nrefs;
	}
out_own:
	for (i = 0; i < nown; i++)
		free(own[i]);
	free(own);
out:
	coding_ref_release(ref);
	free(refs);
	return rc;
}

/* Counts a failed attempt at a document the database would not take,
 * quarantining it after max_attempts. */
static void
note_failure(struct hub *hub, struct db *db, long long id, const char *why)
{
	char ids[24], max[16], *reason;
	const char *params[3];

	snprintf(ids, sizeof(ids), "%lld", id);
	snprintf(max, sizeof(max), "%d", hub->cfg->processing.max_attempts);
	reason = xasprintf("the database would not store it: %s (a hub "
	    "problem, not the practice's: tell the hub's developers, then "
	    "retry it)", why);
	params[0] = ids;
	params[1] = reason;
	params[2] = max;
	if (db_exec(db, "UPDATE pars.documents SET attempts = attempts + 1,"
	    " reason = $2, updated_at = now(),"
	    " state = CASE WHEN attempts + 1 >= $3::int THEN 'quarantined'"
	    "  ELSE state END"
	    " WHERE id = $1", 3, params) < 0)
		log_warnx("document %lld: could not count a failed attempt: %s",
		    id, db_error(db));
	free(reason);
}

static void
free_docs(struct doc *docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		arena_free(docs[i].arena);
		free(docs[i].reason);
	}
	free(docs);
}

int
process_batch(struct hub *hub, struct db *db, int batch, long long only_id,
    struct process_stats *st)
{
	char lim[16], idbuf[24];
	const char *params[2];
	struct db_res *res;
	struct doc *docs;
	size_t n, i;
	long long *ids;
	int cid, csrc, cprac, csha, ckey, craw;

	snprintf(lim, sizeof(lim), "%d", batch);
	snprintf(idbuf, sizeof(idbuf), "%lld", only_id);
	params[0] = lim;
	params[1] = only_id > 0 ? idbuf : NULL;
	if (db_begin(db) < 0)
		return -1;
	if ((res = db_queryb(db, claim_sql, 2, params, NULL, NULL, 1)) == NULL) {
		log_warnx("processing: could not claim documents: %s",
		    db_error(db));
		db_rollback(db);
		return -1;
	}
	if ((n = db_nrows(res)) == 0) {
		db_res_free(res);
		db_rollback(db);
		return 0;
	}
	cid = db_col(res, "id");
	csrc = db_col(res, "source");
	cprac = db_col(res, "practice_ods");
	csha = db_col(res, "sha256");
	ckey = db_col(res, "key_id");
	craw = db_col(res, "raw");
	docs = xcalloc(n, sizeof(*docs));
	for (i = 0; i < n; i++) {
		struct doc *d = &docs[i];

		d->id = db_getll(res, i, cid, 0);
		snprintf(d->sha, sizeof(d->sha), "%s", db_get(res, i, csha));
		d->source = db_get(res, i, csrc);
		d->practice = db_get(res, i, cprac);
		parse_one(hub, d, db_get(res, i, ckey) ? db_get(res, i, ckey)
		    : "(none)", (const unsigned char *)db_get(res, i, craw),
		    db_getlen(res, i, craw));
		if (d->reason != NULL)
			log_info("document %lld: quarantined: %s", d->id,
			    d->reason);
	}
	if (store_batch(hub, db, docs, n, st) == 0 && db_commit(db) == 0) {
		log_debug("processing: stored a batch of %zu document(s)", n);
		db_res_free(res);
		free_docs(docs, n);
		return (int)n;
	}
	/* Something in the batch upset the database: nothing was written.
	 * Do the documents one at a time so one cannot hold up the rest. */
	{
		char why[1024];

		snprintf(why, sizeof(why), "%s", db_error(db));
		db_rollback(db);
		ids = xcalloc(n, sizeof(*ids));
		for (i = 0; i < n; i++)
			ids[i] = docs[i].id;
		db_res_free(res);
		free_docs(docs, n);
		if (!db_ok(db)) {
			free(ids);
			return -1;
		}
		if (n == 1) {
			log_warnx("document %lld: could not store: %s", ids[0],
			    why);
			note_failure(hub, db, ids[0], why);
			free(ids);
			return 1;
		}
		log_warnx("processing: a batch of %zu failed (%s): trying "
		    "each document alone", n, why);
		for (i = 0; i < n; i++)
			if (process_batch(hub, db, 1, ids[i], st) < 0) {
				free(ids);
				return -1;
			}
		free(ids);
		return (int)n;
	}
}
