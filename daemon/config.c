/*
 * config.c - YAML configuration: libyaml events into a small node tree
 * that remembers line numbers, then bound to struct config by one schema
 * table (see config.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "ident.h"
#include "log.h"
#include "xmalloc.h"

/* The node tree. */

enum ntype { N_SCALAR, N_MAP, N_SEQ };

struct node {
	enum ntype type;
	int line;
	char *value;	     /* N_SCALAR */
	char **keys;	     /* N_MAP: keys[i] names kids[i] */
	struct node **kids;  /* N_MAP values, N_SEQ items */
	size_t n;
};

static void
node_free(struct node *nd)
{
	size_t i;

	if (nd == NULL)
		return;
	for (i = 0; i < nd->n; i++) {
		if (nd->keys != NULL)
			free(nd->keys[i]);
		node_free(nd->kids[i]);
	}
	free(nd->keys);
	free(nd->kids);
	free(nd->value);
	free(nd);
}

struct loader {
	yaml_parser_t parser;
	const char *file;
	char *err;
	size_t errlen;
	int depth;
};

static int
lerr(struct loader *l, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
lerr(struct loader *l, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(l->err, l->errlen, "%s:%d: ", l->file, line);
	if (n < 0 || (size_t)n >= l->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
next_event(struct loader *l, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&l->parser, ev))
		return lerr(l, (int)l->parser.problem_mark.line + 1,
		    "YAML syntax: %s", l->parser.problem ? l->parser.problem
							 : "error");
	return 0;
}

static void
node_add(struct node *parent, char *key, struct node *kid)
{
	parent->kids = xreallocarray(parent->kids, parent->n + 1,
	    sizeof(*parent->kids));
	if (parent->type == N_MAP) {
		parent->keys = xreallocarray(parent->keys, parent->n + 1,
		    sizeof(*parent->keys));
		parent->keys[parent->n] = key;
	}
	parent->kids[parent->n++] = kid;
}

/* Builds the node for the event just read (and what belongs to it). */
static struct node *
build(struct loader *l, yaml_event_t *ev)
{
	struct node *nd = xcalloc(1, sizeof(*nd));
	yaml_event_t kev, vev;

	nd->line = (int)ev->start_mark.line + 1;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		nd->type = N_SCALAR;
		nd->value = xstrdup((const char *)ev->data.scalar.value);
		return nd;
	case YAML_ALIAS_EVENT:
		lerr(l, nd->line, "YAML aliases are not accepted here");
		free(nd);
		return NULL;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		break;
	default:
		lerr(l, nd->line, "unexpected YAML event");
		free(nd);
		return NULL;
	}
	if (++l->depth > 16) {
		lerr(l, nd->line, "nested too deeply");
		free(nd);
		return NULL;
	}
	nd->type = ev->type == YAML_MAPPING_START_EVENT ? N_MAP : N_SEQ;
	for (;;) {
		struct node *kid;
		char *key = NULL;

		if (next_event(l, &kev) < 0)
			goto fail;
		if (kev.type == YAML_MAPPING_END_EVENT ||
		    kev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&kev);
			break;
		}
		if (nd->type == N_MAP) {
			size_t i;

			if (kev.type != YAML_SCALAR_EVENT) {
				lerr(l, (int)kev.start_mark.line + 1,
				    "a key must be a plain word");
				yaml_event_delete(&kev);
				goto fail;
			}
			key = xstrdup((const char *)kev.data.scalar.value);
			for (i = 0; i < nd->n; i++)
				if (strcmp(nd->keys[i], key) == 0) {
					lerr(l, (int)kev.start_mark.line + 1,
					    "key '%s' appears twice", key);
					free(key);
					yaml_event_delete(&kev);
					goto fail;
				}
			yaml_event_delete(&kev);
			if (next_event(l, &vev) < 0) {
				free(key);
				goto fail;
			}
			kid = build(l, &vev);
			yaml_event_delete(&vev);
		} else {
			kid = build(l, &kev);
			yaml_event_delete(&kev);
		}
		if (kid == NULL) {
			free(key);
			goto fail;
		}
		node_add(nd, key, kid);
	}
	l->depth--;
	return nd;
fail:
	node_free(nd);
	return NULL;
}

/* Reads the whole file into a tree; NULL with err set on failure. */
static struct node *
load_tree(const char *path, char *err, size_t errlen)
{
	struct loader l = {.file = path, .err = err, .errlen = errlen};
	yaml_event_t ev;
	struct node *root = NULL;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "could not open configuration \"%s\": %s",
		    path, strerror(errno));
		return NULL;
	}
	yaml_parser_initialize(&l.parser);
	yaml_parser_set_input_file(&l.parser, fp);
	for (;;) {
		if (next_event(&l, &ev) < 0)
			break;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			if (root == NULL)
				root = xcalloc(1, sizeof(*root));
			root->type = N_MAP;
			break;
		}
		if (ev.type == YAML_MAPPING_START_EVENT ||
		    ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_SCALAR_EVENT) {
			if (root != NULL) {
				lerr(&l, (int)ev.start_mark.line + 1,
				    "only one YAML document is allowed");
				yaml_event_delete(&ev);
				node_free(root);
				root = NULL;
				break;
			}
			root = build(&l, &ev);
			yaml_event_delete(&ev);
			if (root == NULL)
				break;
			if (root->type != N_MAP) {
				lerr(&l, root->line, "the configuration must "
				    "be a mapping of keys to values");
				node_free(root);
				root = NULL;
				break;
			}
			continue;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&l.parser);
	fclose(fp);
	return root;
}

/* The schema. */

enum ftype { F_STR, F_INT, F_LONG, F_SIZE, F_BOOL, F_SECTION, F_LIST };

/*
 * A key.  Offsets are from the start of the struct being filled: struct
 * config for the top level and its sections, the element struct for the
 * items of an F_LIST (a list of sections: an array pointer at off, its
 * length, a size_t, at count_off).
 */
struct field {
	const char *key;
	enum ftype type;
	size_t off;
	const struct field *sub; /* F_SECTION, F_LIST */
	long min, max;
	int required;
	size_t count_off, elem_size; /* F_LIST */
};

#define OFF(m) offsetof(struct config, m)
#define STR(k, m) {k, F_STR, OFF(m), NULL, 0, 0, 0, 0, 0}
#define REQSTR(k, m) {k, F_STR, OFF(m), NULL, 0, 0, 1, 0, 0}
#define INT(k, m, lo, hi) {k, F_INT, OFF(m), NULL, lo, hi, 0, 0, 0}
#define LONG(k, m, lo, hi) {k, F_LONG, OFF(m), NULL, lo, hi, 0, 0, 0}
#define SIZE(k, m, lo, hi) {k, F_SIZE, OFF(m), NULL, lo, hi, 0, 0, 0}
#define BOOL(k, m) {k, F_BOOL, OFF(m), NULL, 0, 1, 0, 0, 0}
#define SECTION(k, s) {k, F_SECTION, 0, s, 0, 0, 0, 0, 0}
/* A list of sections of struct type T held in config member m (pointer)
 * and m##_n (count); the sub fields use offsetof(T, ...). */
#define LIST(k, m, T, s)                                                     \
	{k, F_LIST, OFF(m), s, 0, 0, 0, OFF(m##_n), sizeof(T)}
#define END {NULL, F_STR, 0, NULL, 0, 0, 0, 0, 0}
/* Keys of a list item of struct type T. */
#define ITEM_STR(T, k, m) {k, F_STR, offsetof(T, m), NULL, 0, 0, 0, 0, 0}
#define ITEM_REQSTR(T, k, m) {k, F_STR, offsetof(T, m), NULL, 0, 0, 1, 0, 0}
#define ITEM_INT(T, k, m, lo, hi)                                            \
	{k, F_INT, offsetof(T, m), NULL, lo, hi, 0, 0, 0}
#define ITEM_SIZE(T, k, m, lo, hi)                                           \
	{k, F_SIZE, offsetof(T, m), NULL, lo, hi, 0, 0, 0}
#define ITEM_BOOL(T, k, m) {k, F_BOOL, offsetof(T, m), NULL, 0, 1, 0, 0, 0}

static const struct field database_fields[] = {
	STR("dsn", database.dsn),
	STR("password_file", database.password_file),
	STR("embedded_user", database.embedded_user),
	STR("embedded_bindir", database.embedded_bindir),
	END,
};

static const struct field keys_fields[] = {
	STR("pseudonym_key_file", keys.pseudonym_key_file),
	STR("archive_key_file", keys.archive_key_file),
	BOOL("create_missing", keys.create_missing),
	END,
};

static const struct field spool_fields[] = {
	STR("dir", spool.dir),
	INT("rescan_seconds", spool.rescan_seconds, 1, 86400),
	INT("settle_seconds", spool.settle_seconds, 0, 3600),
	INT("batch_files", spool.batch_files, 1, 10000),
	INT("queue_files", spool.queue_files, 1, 1000000),
	SIZE("batch_bytes", spool.batch_bytes, 1024, 1L << 30),
	END,
};

static const struct field processing_fields[] = {
	INT("workers", processing.workers, 1, 64),
	INT("batch", processing.batch, 1, 1000),
	INT("max_attempts", processing.max_attempts, 1, 100),
	END,
};

static const struct field archive_fields[] = {
	INT("retention_days", archive.retention_days, 0, 36500),
	END,
};

static const struct field coding_fields[] = {
	BOOL("enabled", coding.enabled),
	END,
};

static const struct field rules_fields[] = {
	STR("dir", rules.dir),
	END,
};

static const struct field limits_fields[] = {
	SIZE("max_document_bytes", limits.max_document_bytes, 1024, 1L << 30),
	INT("max_depth", limits.max_depth, 4, 1000),
	LONG("max_nodes", limits.max_nodes, 10, 100000000),
	LONG("max_referrals", limits.max_referrals, 1, 10000000),
	SIZE("max_field_bytes", limits.max_field_bytes, 64, 1L << 30),
	END,
};

#define IM struct imap_source_cfg
static const struct field imap_fields[] = {
	ITEM_REQSTR(IM, "name", name),
	ITEM_REQSTR(IM, "url", url),
	ITEM_REQSTR(IM, "user", user),
	ITEM_STR(IM, "password_file", password_file),
	ITEM_STR(IM, "client_cert_file", client_cert_file),
	ITEM_STR(IM, "client_key_file", client_key_file),
	ITEM_STR(IM, "ca_file", ca_file),
	ITEM_STR(IM, "done_folder", done_folder),
	ITEM_STR(IM, "oversize_folder", oversize_folder),
	ITEM_INT(IM, "poll_seconds", poll_seconds, 1, 86400),
	ITEM_INT(IM, "timeout_seconds", timeout_seconds, 1, 3600),
	ITEM_BOOL(IM, "require_signed", require_signed),
	ITEM_BOOL(IM, "receipts", receipts),
	ITEM_INT(IM, "max_per_poll", max_per_poll, 1, 100000),
	ITEM_SIZE(IM, "max_recv_speed", max_recv_speed, 1024, 1L << 40),
	END,
};
#undef IM

#define SF struct sftp_source_cfg
static const struct field sftp_fields[] = {
	ITEM_REQSTR(SF, "name", name),
	ITEM_REQSTR(SF, "url", url),
	ITEM_REQSTR(SF, "user", user),
	ITEM_REQSTR(SF, "key_file", key_file),
	ITEM_STR(SF, "public_key_file", public_key_file),
	ITEM_STR(SF, "key_passphrase_file", key_passphrase_file),
	ITEM_REQSTR(SF, "known_hosts", known_hosts),
	ITEM_STR(SF, "practice", practice),
	ITEM_STR(SF, "done_dir", done_dir),
	ITEM_STR(SF, "oversize_dir", oversize_dir),
	ITEM_INT(SF, "poll_seconds", poll_seconds, 1, 86400),
	ITEM_INT(SF, "timeout_seconds", timeout_seconds, 1, 3600),
	ITEM_BOOL(SF, "receipts", receipts),
	ITEM_INT(SF, "max_per_poll", max_per_poll, 1, 100000),
	ITEM_SIZE(SF, "max_recv_speed", max_recv_speed, 1024, 1L << 40),
	END,
};
#undef SF

static const struct field sources_fields[] = {
	LIST("imap", sources.imap, struct imap_source_cfg, imap_fields),
	LIST("sftp", sources.sftp, struct sftp_source_cfg, sftp_fields),
	END,
};

static const struct field smime_fields[] = {
	STR("cert_file", smime.cert_file),
	STR("key_file", smime.key_file),
	STR("practice_certs_dir", smime.practice_certs_dir),
	STR("ca_file", smime.ca_file),
	STR("crl_file", smime.crl_file),
	END,
};

static const struct field receipts_fields[] = {
	STR("smtp_url", receipts.smtp_url),
	STR("from", receipts.from),
	STR("user", receipts.user),
	STR("password_file", receipts.password_file),
	STR("ca_file", receipts.ca_file),
	INT("interval_seconds", receipts.interval_seconds, 1, 86400),
	INT("max_age_days", receipts.max_age_days, 1, 365),
	INT("timeout_seconds", receipts.timeout_seconds, 1, 3600),
	END,
};

#define PSTR(k, m)                                                           \
	{k, F_STR, offsetof(struct config_report_practice, m), NULL, 0, 0,   \
	    0, 0, 0}
static const struct field report_practice_fields[] = {
	{"code", F_STR, offsetof(struct config_report_practice, code), NULL,
	    0, 0, 1, 0, 0},
	PSTR("channel", channel),
	PSTR("email", email),
	PSTR("sftp_url", sftp_url),
	PSTR("email_when", email_when),
	END,
};

static const struct field reports_smtp_fields[] = {
	STR("url", reports.smtp.url),
	STR("from", reports.smtp.from),
	STR("username", reports.smtp.username),
	STR("password_file", reports.smtp.password_file),
	STR("ca_file", reports.smtp.ca_file),
	END,
};

static const struct field reports_sftp_fields[] = {
	STR("username", reports.sftp.username),
	STR("private_key", reports.sftp.private_key),
	STR("public_key", reports.sftp.public_key),
	STR("known_hosts", reports.sftp.known_hosts),
	END,
};

static const struct field reports_fields[] = {
	STR("outbox", reports.outbox),
	STR("certs_dir", reports.certs_dir),
	STR("channel", reports.channel),
	STR("email_when", reports.email_when),
	STR("contract_pod", reports.contract_pod),
	INT("min_count", reports.min_count, 1, 100),
	INT("min_expected", reports.min_expected, 0, 1000),
	INT("final_day", reports.final_day, 1, 28),
	INT("retry_attempts", reports.retry_attempts, 1, 20),
	INT("retry_seconds", reports.retry_seconds, 0, 3600),
	SECTION("smtp", reports_smtp_fields),
	SECTION("sftp", reports_sftp_fields),
	LIST("practices", reports.practices, struct config_report_practice,
	    report_practice_fields),
	END,
};

static const struct field top_fields[] = {
	REQSTR("state_dir", state_dir),
	STR("log_level", log_level),
	SECTION("database", database_fields),
	SECTION("keys", keys_fields),
	SECTION("spool", spool_fields),
	SECTION("processing", processing_fields),
	SECTION("archive", archive_fields),
	SECTION("coding", coding_fields),
	SECTION("limits", limits_fields),
	SECTION("rules", rules_fields),
	SECTION("sources", sources_fields),
	SECTION("smime", smime_fields),
	SECTION("receipts", receipts_fields),
	SECTION("reports", reports_fields),
	END,
};

struct binder {
	const char *file;
	char *err;
	size_t errlen;
};

static int
berr(struct binder *b, int line, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
berr(struct binder *b, int line, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(b->err, b->errlen, "%s:%d: key '%s': ", b->file, line,
	    path);
	if (n < 0 || (size_t)n >= b->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->err + n, b->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
parse_number(const char *s, int size_suffix, long *out)
{
	char *end;
	long v, mul = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	if (size_suffix && *end != '\0') {
		if (strcmp(end, "K") == 0 || strcmp(end, "KiB") == 0)
			mul = 1024;
		else if (strcmp(end, "M") == 0 || strcmp(end, "MiB") == 0)
			mul = 1024 * 1024;
		else if (strcmp(end, "G") == 0 || strcmp(end, "GiB") == 0)
			mul = 1024L * 1024 * 1024;
		else
			return -1;
		end += strlen(end);
	}
	if (*end != '\0')
		return -1;
	if (v != 0 && (v > __LONG_MAX__ / mul || v < -__LONG_MAX__ / mul))
		return -1;
	*out = v * mul;
	return 0;
}

static int bind_map(struct binder *b, const struct node *map,
    const struct field *fields, const char *prefix, void *base);

/* Binds a YAML list of sections into a freshly allocated array. */
static int
bind_list(struct binder *b, const struct node *v, const struct field *f,
    const char *path, void *base)
{
	void **arr = (void **)((char *)base + f->off);
	size_t *count = (size_t *)((char *)base + f->count_off);
	char item[300];
	size_t i;

	if (v->type != N_SEQ)
		return berr(b, v->line, path, "must be a list (items start "
		    "with '- ')");
	*arr = xcalloc(v->n ? v->n : 1, f->elem_size);
	*count = v->n;
	for (i = 0; i < v->n; i++) {
		char *elem = (char *)*arr + i * f->elem_size;

		snprintf(item, sizeof(item), "%s[%zu]", path, i);
		if (v->kids[i]->type != N_MAP)
			return berr(b, v->kids[i]->line, item, "each item must "
			    "be a section of keys");
		if (bind_map(b, v->kids[i], f->sub, item, elem) < 0)
			return -1;
	}
	return 0;
}

/* Every required key of fields must be in map. */
static int
check_required(struct binder *b, const struct node *map,
    const struct field *fields, const char *prefix)
{
	const struct field *f;
	size_t i;

	for (f = fields; f->key != NULL; f++) {
		if (!f->required)
			continue;
		for (i = 0; i < map->n; i++)
			if (strcmp(map->keys[i], f->key) == 0)
				break;
		if (i == map->n) {
			char path[300];

			snprintf(path, sizeof(path), "%s%s%s", prefix,
			    *prefix ? "." : "", f->key);
			return berr(b, map->line, path, "is required but "
			    "missing");
		}
	}
	return 0;
}

static int
bind_map(struct binder *b, const struct node *map, const struct field *fields,
    const char *prefix, void *base)
{
	size_t i;
	const struct field *f;
	char path[256];

	if (check_required(b, map, fields, prefix) < 0)
		return -1;

	for (i = 0; i < map->n; i++) {
		const struct node *v = map->kids[i];
		long num;

		snprintf(path, sizeof(path), "%s%s%s", prefix,
		    *prefix ? "." : "", map->keys[i]);
		for (f = fields; f->key != NULL; f++)
			if (strcmp(f->key, map->keys[i]) == 0)
				break;
		if (f->key == NULL)
			return berr(b, v->line, path, "unknown key");
		if (f->type == F_SECTION) {
			if (v->type != N_MAP)
				return berr(b, v->line, path, "must be a "
				    "section of keys");
			if (bind_map(b, v, f->sub, path, base) < 0)
				return -1;
			continue;
		}
		if (f->type == F_LIST) {
			if (bind_list(b, v, f, path, base) < 0)
				return -1;
			continue;
		}
		if (v->type != N_SCALAR)
			return berr(b, v->line, path, "must be a single value, "
			    "not a %s", v->type == N_MAP ? "section" : "list");
		switch (f->type) {
		case F_STR: {
			char **sp = (char **)((char *)base + f->off);

			free(*sp);
			*sp = xstrdup(v->value);
			break;
		}
		case F_BOOL: {
			int *ip = (int *)((char *)base + f->off);

			if (strcmp(v->value, "true") == 0 ||
			    strcmp(v->value, "yes") == 0)
				*ip = 1;
			else if (strcmp(v->value, "false") == 0 ||
			    strcmp(v->value, "no") == 0)
				*ip = 0;
			else
				return berr(b, v->line, path, "must be true or "
				    "false, not \"%s\"", v->value);
			break;
		}
		case F_INT:
		case F_LONG:
		case F_SIZE:
			if (parse_number(v->value, f->type == F_SIZE, &num) < 0)
				return berr(b, v->line, path, "must be a whole "
				    "number%s, not \"%s\"", f->type == F_SIZE ?
				    " (K, M or G may follow)" : "", v->value);
			if (num < f->min || num > f->max)
				return berr(b, v->line, path, "must be between "
				    "%ld and %ld, not %ld", f->min, f->max, num);
			if (f->type == F_INT)
				*(int *)((char *)base + f->off) = (int)num;
			else
				*(long *)((char *)base + f->off) = num;
			break;
		default:
			break;
		}
	}
	return 0;
}

static void
free_strings(const struct field *fields, void *base)
{
	const struct field *f;

	for (f = fields; f->key != NULL; f++) {
		if (f->type == F_SECTION) {
			free_strings(f->sub, base);
		} else if (f->type == F_LIST) {
			void **arr = (void **)((char *)base + f->off);
			size_t *count = (size_t *)((char *)base + f->count_off);
			size_t i;

			for (i = 0; *arr != NULL && i < *count; i++)
				free_strings(f->sub,
				    (char *)*arr + i * f->elem_size);
			free(*arr);
			*arr = NULL;
			*count = 0;
		} else if (f->type == F_STR) {
			char **sp = (char **)((char *)base + f->off);

			free(*sp);
			*sp = NULL;
		}
	}
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free_strings(top_fields, c);
	free(c->path);
	free(c);
}

struct config *
config_defaults(void)
{
	struct config *c = xcalloc(1, sizeof(*c));

	c->state_dir = xstrdup("/var/lib/parsd");
	c->log_level = xstrdup("info");
	c->database.dsn = xstrdup("");
	c->database.embedded_user = xstrdup("postgres");
	c->keys.create_missing = 1;
	c->spool.dir = xstrdup("/var/spool/parsd");
	c->spool.rescan_seconds = 30;
	c->spool.settle_seconds = 2;
	c->spool.batch_files = 200;
	c->spool.queue_files = 5000;
	c->spool.batch_bytes = 16L << 20;
	c->processing.workers = 2;
	c->processing.batch = 64;
	c->processing.max_attempts = 5;
	c->archive.retention_days = 90;
	c->coding.enabled = 1;
	c->rules.dir = xstrdup("/etc/parsd/rules");
	c->reports.channel = xstrdup("outbox");
	c->reports.email_when = xstrdup("changed");
	c->reports.contract_pod = xstrdup("");
	c->reports.min_count = 5;
	c->reports.min_expected = 5;
	c->reports.final_day = 1;
	c->reports.retry_attempts = 3;
	c->reports.retry_seconds = 5;
	c->limits.max_document_bytes = 20L << 20;
	c->limits.max_depth = 64;
	c->limits.max_nodes = 200000;
	c->limits.max_referrals = 10000;
	c->limits.max_field_bytes = 1L << 20;
	c->receipts.interval_seconds = 60;
	c->receipts.max_age_days = 7;
	c->receipts.timeout_seconds = 60;
	return c;
}

void
config_swap_remote(struct config *a, struct config *b)
{
	struct config t;

	t.sources = a->sources;
	t.smime = a->smime;
	t.receipts = a->receipts;
	a->sources = b->sources;
	a->smime = b->smime;
	a->receipts = b->receipts;
	b->sources = t.sources;
	b->smime = t.smime;
	b->receipts = t.receipts;
}

static int
rerr(struct config *c, char *err, size_t errlen, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "FILE: key 'KEY': what is wrong" into err; returns -1. */
static int
rerr(struct config *c, char *err, size_t errlen, const char *key,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s: key '%s': ", c->path, key);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* 1 when s has a scheme it may have and no user:password@ in it. */
static int
url_ok(const char *s, const char *const *schemes)
{
	const char *auth, *end;

	for (; *schemes != NULL; schemes++)
		if (strncmp(s, *schemes, strlen(*schemes)) == 0)
			break;
	if (*schemes == NULL)
		return 0;
	auth = s + strlen(*schemes);
	end = auth + strcspn(auth, "/?#");
	return memchr(auth, '@', (size_t)(end - auth)) == NULL && end > auth;
}

/* 1 when s can be written as an IMAP quoted string or an SFTP path (and
 * is short enough for a command line). */
static int
plain_name(const char *s)
{
	if (strlen(s) > 400)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' ||
		    *s == '\\')
			return 0;
	return 1;
}

static int
source_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 40 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* Checks and completes sources, smime and receipts. */
static int
finish_remote(struct config *c, char *err, size_t errlen)
{
	static const char *const imap_schemes[] = {"imaps://", "imap://",
	    NULL};
	static const char *const sftp_schemes[] = {"sftp://", NULL};
	static const char *const smtp_schemes[] = {"smtps://", "smtp://",
	    NULL};
	size_t i, j;
	int need_signed = 0, need_receipts = 0;
	char key[64];

	for (i = 0; i < c->sources.imap_n; i++) {
		struct imap_source_cfg *s = &c->sources.imap[i];

		snprintf(key, sizeof(key), "sources.imap[%zu]", i);
		if (!source_name_ok(s->name))
			return rerr(c, err, errlen, key, "name must be 1-40 "
			    "letters, digits, '-' or '_', not \"%s\"",
			    s->name);
		if (!url_ok(s->url, imap_schemes))
			return rerr(c, err, errlen, key, "url must be "
			    "imaps://host[:port]/MAILBOX (or imap:// with "
			    "STARTTLS), with no user or password in it");
		if (s->password_file == NULL && s->client_cert_file == NULL)
			return rerr(c, err, errlen, key, "needs "
			    "password_file or client_cert_file");
		if ((s->client_cert_file == NULL) != (s->client_key_file ==
		    NULL))
			return rerr(c, err, errlen, key, "client_cert_file "
			    "and client_key_file go together");
		if ((s->done_folder && !plain_name(s->done_folder)) ||
		    (s->oversize_folder && !plain_name(s->oversize_folder)))
			return rerr(c, err, errlen, key, "a folder name may "
			    "not hold quotes, backslashes or control "
			    "characters");
		if (s->oversize_folder == NULL)
			s->oversize_folder = xstrdup("PARS-Oversize");
		if (s->poll_seconds == 0)
			s->poll_seconds = 60;
		if (s->timeout_seconds == 0)
			s->timeout_seconds = 120;
		if (s->max_per_poll == 0)
			s->max_per_poll = 500;
		need_signed |= s->require_signed;
		need_receipts |= s->receipts;
	}
	for (i = 0; i < c->sources.sftp_n; i++) {
		struct sftp_source_cfg *s = &c->sources.sftp[i];

		snprintf(key, sizeof(key), "sources.sftp[%zu]", i);
		if (!source_name_ok(s->name))
			return rerr(c, err, errlen, key, "name must be 1-40 "
			    "letters, digits, '-' or '_', not \"%s\"",
			    s->name);
		if (!url_ok(s->url, sftp_schemes) || !plain_name(s->url))
			return rerr(c, err, errlen, key, "url must be "
			    "sftp://host[:port]/directory/, with no user or "
			    "password in it");
		if (s->url[strlen(s->url) - 1] != '/') {
			char *u = xasprintf("%s/", s->url);

			free(s->url);
			s->url = u;
		}
		if (s->practice != NULL && !ods_is_practice(s->practice))
			return rerr(c, err, errlen, key, "practice must be a "
			    "practice code (a letter and five digits), not "
			    "\"%s\"", s->practice);
		if ((s->done_dir && (s->done_dir[0] != '/' ||
		    !plain_name(s->done_dir))) || (s->oversize_dir &&
		    (s->oversize_dir[0] != '/' || !plain_name(s->oversize_dir))))
			return rerr(c, err, errlen, key, "done_dir and "
			    "oversize_dir must be absolute paths on the server "
			    "without quotes or backslashes");
		if (s->poll_seconds == 0)
			s->poll_seconds = 60;
		if (s->timeout_seconds == 0)
			s->timeout_seconds = 120;
		if (s->max_per_poll == 0)
			s->max_per_poll = 500;
		need_receipts |= s->receipts;
		for (j = 0; j < c->sources.imap_n; j++)
			if (strcmp(c->sources.imap[j].name, s->name) == 0)
				return rerr(c, err, errlen, key, "name \"%s\" "
				    "is used by sources.imap[%zu] too", s->name,
				    j);
	}
	for (i = 0; i < c->sources.imap_n; i++)
		for (j = i + 1; j < c->sources.imap_n; j++)
			if (strcmp(c->sources.imap[i].name,
			    c->sources.imap[j].name) == 0)
				return rerr(c, err, errlen, "sources.imap",
				    "name \"%s\" is used twice",
				    c->sources.imap[j].name);
	for (i = 0; i < c->sources.sftp_n; i++)
		for (j = i + 1; j < c->sources.sftp_n; j++)
			if (strcmp(c->sources.sftp[i].name,
			    c->sources.sftp[j].name) == 0)
				return rerr(c, err, errlen, "sources.sftp",
				    "name \"%s\" is used twice",
				    c->sources.sftp[j].name);
	if ((c->smime.cert_file == NULL) != (c->smime.key_file == NULL))
		return rerr(c, err, errlen, "smime", "cert_file "
		    "and key_file go together");
	if ((need_signed || c->smime.practice_certs_dir != NULL) &&
	    (c->smime.practice_certs_dir == NULL || c->smime.ca_file == NULL))
		return rerr(c, err, errlen, "smime", "checking "
		    "signatures needs practice_certs_dir and ca_file");
	if (need_receipts && (c->receipts.smtp_url == NULL ||
	    c->receipts.from == NULL))
		return rerr(c, err, errlen, "receipts", "a source "
		    "sends receipts: smtp_url and from are needed");
	if (c->receipts.smtp_url != NULL && !url_ok(c->receipts.smtp_url,
	    smtp_schemes))
		return rerr(c, err, errlen, "receipts.smtp_url",
		    "must be smtp://host[:port] (STARTTLS is required) or "
		    "smtps://host[:port], with no user or password in it");
	if (c->receipts.from != NULL && (strchr(c->receipts.from, '@') ==
	    NULL || !plain_name(c->receipts.from) ||
	    strpbrk(c->receipts.from, " <>,;") != NULL))
		return rerr(c, err, errlen, "receipts.from", "must "
		    "be a plain address (name@domain)");
	return 0;
}

static int
one_of(const char *v, const char *a, const char *b, const char *c)
{
	return v != NULL && (strcmp(v, a) == 0 || strcmp(v, b) == 0 ||
	    strcmp(v, c) == 0);
}

/* The reports section's words and each practice's channel needs. */
static int
check_reports(const struct config *c, char *err, size_t errlen)
{
	size_t i;

	if (!one_of(c->reports.channel, "outbox", "email", "sftp") ||
	    !one_of(c->reports.email_when, "always", "changed", "new")) {
		snprintf(err, errlen, "%s: key 'reports': channel must be "
		    "outbox, email or sftp and email_when always, changed or "
		    "new", c->path);
		return -1;
	}
	for (i = 0; i < c->reports.practices_n; i++) {
		const struct config_report_practice *p =
		    &c->reports.practices[i];
		const char *ch = p->channel ? p->channel : c->reports.channel;

		if (!one_of(ch, "outbox", "email", "sftp") ||
		    (p->email_when != NULL &&
		    !one_of(p->email_when, "always", "changed", "new"))) {
			snprintf(err, errlen, "%s: key 'reports.practices[%zu]"
			    "': channel must be outbox, email or sftp and "
			    "email_when always, changed or new", c->path, i);
			return -1;
		}
		if (strcmp(ch, "sftp") == 0 && p->sftp_url == NULL) {
			snprintf(err, errlen, "%s: key 'reports.practices[%zu]"
			    "': channel sftp needs sftp_url", c->path, i);
			return -1;
		}
		if (strcmp(ch, "email") == 0 && c->reports.smtp.url == NULL) {
			snprintf(err, errlen, "%s: key 'reports.practices[%zu]"
			    "': channel email needs reports.smtp.url",
			    c->path, i);
			return -1;
		}
	}
	return 0;
}

/* Fills in what depends on other settings. */
static int
finish(struct config *c, char *err, size_t errlen)
{
	const char *env;

	if ((env = getenv("PARS_DATABASE_DSN")) != NULL) {
		free(c->database.dsn);
		c->database.dsn = xstrdup(env);
	}
	if (c->keys.pseudonym_key_file == NULL)
		c->keys.pseudonym_key_file =
		    xasprintf("%s/keys/pseudonym.key", c->state_dir);
	if (c->keys.archive_key_file == NULL)
		c->keys.archive_key_file =
		    xasprintf("%s/keys/archive.key", c->state_dir);
	if (c->reports.outbox == NULL)
		c->reports.outbox = xasprintf("%s/reports", c->state_dir);
	/* One certificate registry: the practices' certificates that sign
	 * what they send are the ones their reports are encrypted to. */
	if (c->reports.certs_dir == NULL)
		c->reports.certs_dir = c->smime.practice_certs_dir != NULL
		    ? xstrdup(c->smime.practice_certs_dir)
		    : xasprintf("%s/certs", c->state_dir);
	if (check_reports(c, err, errlen) < 0)
		return -1;
	if (log_level_from_name(c->log_level) < 0) {
		snprintf(err, errlen, "%s: key 'log_level': must be error, "
		    "warning, info or debug, not \"%s\"", c->path,
		    c->log_level);
		return -1;
	}
	if (c->state_dir[0] != '/') {
		snprintf(err, errlen, "%s: key 'state_dir': must be an "
		    "absolute path, not \"%s\"", c->path, c->state_dir);
		return -1;
	}
	if (strstr(c->database.dsn, "password=") != NULL) {
		snprintf(err, errlen, "%s: key 'database.dsn': must not hold "
		    "a password; put it in a file named by "
		    "database.password_file", c->path);
		return -1;
	}
	return finish_remote(c, err, errlen);
}

char *
config_choose_path(const char *path)
{
	const char *env;

	if (path != NULL)
		return xstrdup(path);
	if ((env = getenv("PARS_CONFIG")) != NULL && *env != '\0')
		return xstrdup(env);
	return xstrdup(CONFIG_DEFAULT_PATH);
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct config *c = config_defaults();
	struct binder b = {.file = path, .err = err, .errlen = errlen};
	struct node *root;

	c->path = xstrdup(path);
	if ((root = load_tree(path, err, errlen)) == NULL) {
		config_free(c);
		return NULL;
	}
	if (bind_map(&b, root, top_fields, "", c) < 0 ||
	    finish(c, err, errlen) < 0) {
		node_free(root);
		config_free(c);
		return NULL;
	}
	node_free(root);
	return c;
}
