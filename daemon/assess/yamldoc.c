/*
 * yamldoc.c - one YAML file as libyaml's document tree (see yamldoc.h).
 */
#include "yamldoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "dates.h"
#include "xmalloc.h"

int
yl_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

int
yl_err(struct yload *l, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (n != NULL)
		k = snprintf(l->err, l->errlen, "%s:%d: ", l->file,
		    yl_line(n));
	else
		k = snprintf(l->err, l->errlen, "%s: ", l->file);
	if (k >= 0 && (size_t)k < l->errlen && l->rule_id != NULL)
		k += snprintf(l->err + k, l->errlen - (size_t)k, "rule %s: ",
		    l->rule_id);
	if (k < 0 || (size_t)k >= l->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(l->err + k, l->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

int
yl_open(struct yload *l, const char *path, size_t max, struct arena *arena,
    char *err, size_t errlen)
{
	yaml_parser_t p;
	FILE *fp;
	struct stat st;
	unsigned char *buf;
	size_t n;
	yaml_document_t extra;

	memset(l, 0, sizeof(*l));
	l->file = path;
	l->err = err;
	l->errlen = errlen;
	l->arena = arena;
	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "could not open rule file \"%s\": %s",
		    path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max) {
		snprintf(err, errlen, "%s: not a regular file of at most %zu "
		    "bytes", path, max);
		fclose(fp);
		return -1;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	if (n != (size_t)st.st_size) {
		snprintf(err, errlen, "could not read rule file \"%s\"", path);
		free(buf);
		return -1;
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, buf, n);
	if (!yaml_parser_load(&p, &l->doc)) {
		snprintf(err, errlen, "%s:%d: YAML syntax: %s%s%s", path,
		    (int)p.problem_mark.line + 1, p.problem ? p.problem :
		    "error", p.context ? " " : "", p.context ? p.context : "");
		yaml_parser_delete(&p);
		free(buf);
		return -1;
	}
	l->have_doc = 1;
	if (yaml_document_get_root_node(&l->doc) != NULL) {
		if (!yaml_parser_load(&p, &extra)) {
			snprintf(err, errlen, "%s:%d: YAML syntax: %s", path,
			    (int)p.problem_mark.line + 1, p.problem ?
			    p.problem : "error");
			yaml_parser_delete(&p);
			free(buf);
			yl_close(l);
			return -1;
		}
		if (yaml_document_get_root_node(&extra) != NULL) {
			snprintf(err, errlen, "%s:%d: only one YAML document "
			    "is allowed in a rule file", path,
			    (int)yaml_document_get_root_node(&extra)
			    ->start_mark.line + 1);
			yaml_document_delete(&extra);
			yaml_parser_delete(&p);
			free(buf);
			yl_close(l);
			return -1;
		}
		yaml_document_delete(&extra);
	}
	yaml_parser_delete(&p);
	free(buf);
	l->nseen = (size_t)(l->doc.nodes.top - l->doc.nodes.start);
	l->seen = xcalloc(l->nseen + 1, 1);
	return 0;
}

void
yl_close(struct yload *l)
{
	if (l->have_doc)
		yaml_document_delete(&l->doc);
	free(l->seen);
	l->seen = NULL;
	l->have_doc = 0;
}

/* Node id, visited once only: a second visit means an alias. */
static yaml_node_t *
node(struct yload *l, int id, const yaml_node_t *from)
{
	yaml_node_t *n = yaml_document_get_node(&l->doc, id);

	if (n == NULL) {
		yl_err(l, from, "broken YAML document");
		return NULL;
	}
	if (l->seen[id - 1]) {
		yl_err(l, from, "YAML aliases (*name) are not accepted in "
		    "rule files");
		return NULL;
	}
	l->seen[id - 1] = 1;
	return n;
}

yaml_node_t *
yl_root(struct yload *l)
{
	yaml_node_t *r = yaml_document_get_root_node(&l->doc);

	if (r != NULL)
		l->seen[0] = 1;
	return r;
}

size_t
yl_map_n(const yaml_node_t *map)
{
	return (size_t)(map->data.mapping.pairs.top -
	    map->data.mapping.pairs.start);
}

/* The key's text without marking it walked (keys are read many times). */
static const char *
key_text(struct yload *l, const yaml_node_t *map, size_t i)
{
	yaml_node_t *k = yaml_document_get_node(&l->doc,
	    map->data.mapping.pairs.start[i].key);

	if (k == NULL || k->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)k->data.scalar.value;
}

int
yl_key_line(struct yload *l, const yaml_node_t *map, size_t i)
{
	return yl_line(yaml_document_get_node(&l->doc,
	    map->data.mapping.pairs.start[i].key));
}

yaml_node_t *
yl_map_at(struct yload *l, yaml_node_t *map, size_t i, const char **key)
{
	if ((*key = key_text(l, map, i)) == NULL) {
		yl_err(l, map, "a key must be a plain word");
		return NULL;
	}
	return node(l, map->data.mapping.pairs.start[i].value, map);
}

const char *
yl_peek(struct yload *l, const yaml_node_t *map, const char *key)
{
	size_t i;

	if (map->type != YAML_MAPPING_NODE)
		return NULL;
	for (i = 0; i < yl_map_n(map); i++) {
		const char *k = key_text(l, map, i);
		yaml_node_t *v;

		if (k == NULL || strcmp(k, key) != 0)
			continue;
		v = yaml_document_get_node(&l->doc,
		    map->data.mapping.pairs.start[i].value);
		return v && v->type == YAML_SCALAR_NODE ?
		    (const char *)v->data.scalar.value : NULL;
	}
	return NULL;
}

int
yl_check_map(struct yload *l, yaml_node_t *map, const char *what,
    const char *const *allowed)
{
	size_t i, j, n;

	if (map->type != YAML_MAPPING_NODE)
		return yl_err(l, map, "%s must be a mapping of keys to values",
		    what);
	n = yl_map_n(map);
	for (i = 0; i < n; i++) {
		const char *k = key_text(l, map, i);
		yaml_node_t *kn = yaml_document_get_node(&l->doc,
		    map->data.mapping.pairs.start[i].key);

		if (k == NULL)
			return yl_err(l, map, "a key of %s is not a plain "
			    "word", what);
		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(allowed[j], k) == 0)
				break;
		if (allowed[j] == NULL) {
			char list[512];
			size_t off = 0;

			list[0] = '\0';
			for (j = 0; allowed[j] != NULL && off < sizeof(list);
			    j++)
				off += (size_t)snprintf(list + off,
				    sizeof(list) - off, "%s%s", j ? ", " : "",
				    allowed[j]);
			return yl_err(l, kn, "unknown key '%s' in %s (known: "
			    "%s)", k, what, list);
		}
		for (j = 0; j < i; j++)
			if (strcmp(key_text(l, map, j), k) == 0)
				return yl_err(l, kn, "key '%s' appears twice "
				    "in %s", k, what);
	}
	return 0;
}

size_t
yl_seq_n(const yaml_node_t *seq)
{
	return (size_t)(seq->data.sequence.items.top -
	    seq->data.sequence.items.start);
}

yaml_node_t *
yl_seq_at(struct yload *l, yaml_node_t *seq, size_t i)
{
	return node(l, seq->data.sequence.items.start[i], seq);
}

const char *
yl_str(struct yload *l, yaml_node_t *n, const char *key)
{
	if (n->type != YAML_SCALAR_NODE) {
		yl_err(l, n, "'%s' must be a single value, not a %s", key,
		    n->type == YAML_MAPPING_NODE ? "mapping" : "list");
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

int
yl_strs(struct yload *l, yaml_node_t *n, const char *key, const char ***out,
    size_t *nout)
{
	size_t i, cnt;
	const char **v;

	if (n->type == YAML_SCALAR_NODE) {
		v = arena_alloc(l->arena, sizeof(*v));
		v[0] = arena_strdup(l->arena,
		    (const char *)n->data.scalar.value);
		*out = v;
		*nout = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE || (cnt = yl_seq_n(n)) == 0)
		return yl_err(l, n, "'%s' must be a value or a non-empty list "
		    "of values", key);
	v = arena_alloc(l->arena, cnt * sizeof(*v));
	for (i = 0; i < cnt; i++) {
		yaml_node_t *it = yl_seq_at(l, n, i);
		const char *s;

		if (it == NULL || (s = yl_str(l, it, key)) == NULL)
			return -1;
		v[i] = arena_strdup(l->arena, s);
	}
	*out = v;
	*nout = cnt;
	return 0;
}

int
yl_int(struct yload *l, yaml_node_t *n, const char *key, long lo, long hi,
    long *out)
{
	const char *s = yl_str(l, n, key);
	char *end;
	long v;

	if (s == NULL)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return yl_err(l, n, "'%s' must be a whole number from %ld to "
		    "%ld, not \"%s\"", key, lo, hi, s);
	*out = v;
	return 0;
}

int
yl_num(struct yload *l, yaml_node_t *n, const char *key, double *out)
{
	const char *s = yl_str(l, n, key);
	char *end;
	double v;

	if (s == NULL)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
		return yl_err(l, n, "'%s' must be a number, not \"%s\"", key,
		    s);
	*out = v;
	return 0;
}

int
yl_bool(struct yload *l, yaml_node_t *n, const char *key, int *out)
{
	const char *s = yl_str(l, n, key);

	if (s == NULL)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		*out = 0;
	else
		return yl_err(l, n, "'%s' must be true or false, not \"%s\"",
		    key, s);
	return 0;
}

int
yl_date(struct yload *l, yaml_node_t *n, const char *key, char out[11])
{
	const char *s = yl_str(l, n, key);

	if (s == NULL)
		return -1;
	if (date_days(s) == DATE_NONE)
		return yl_err(l, n, "'%s' must be a date written YYYY-MM-DD, "
		    "not \"%s\"", key, s);
	memcpy(out, s, 11);
	return 0;
}
