/*
 * test_jsonsafe.c - the hub's JSON parser (jsonsafe.c): the tree it
 * builds, value by value; every refusal and its message; the limits at
 * their edges; and the same tree as json-c on every JSON file of the
 * corpus and of tests/data.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json_same.h"
#include "jsonsafe.h"
#include "readfile.h"
#include "t.h"

static struct arena *a;
static struct parse_error err;

static const struct jnode *
parse_lim(const char *text, unsigned depth, size_t nodes)
{
	struct parse_limits lim;

	parse_limits_default(&lim);
	if (depth > 0)
		lim.max_depth = depth;
	if (nodes > 0)
		lim.max_nodes = nodes;
	arena_reset(a);
	return jsonsafe_parse(a, (const unsigned char *)text, strlen(text),
	    &lim, &err);
}

static const struct jnode *
parse(const char *text)
{
	return parse_lim(text, 0, 0);
}

static const struct jnode *
get(const struct jnode *o, const char *key)
{
	return jnode_get(o, key, strlen(key));
}

static void
test_tree(void)
{
	const struct jnode *r, *x;

	r = parse("\xef\xbb\xbf {\"resourceType\": \"Bundle\", \"n\": -12.5e+3,"
	    " \"t\": true, \"f\": false, \"z\": null,\n \"entry\": [ {\"a\": "
	    "[]}, {}, [1, \"two\"] ], \"empty\": \"\", \"n\": 0 }  \n");
	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_INT(r->type, J_OBJECT);
	CHECK_INT(r->n, 8); /* members in order, the repeated "n" too */
	CHECK_STR(r->u.m[0].key, "resourceType");
	CHECK_INT(r->u.m[0].klen, 12);
	CHECK_STR(r->u.m[7].key, "n");
	x = get(r, "resourceType");
	CHECK_INT(x->type, J_STRING);
	CHECK_STR(x->u.s, "Bundle");
	CHECK_INT(x->n, 6);
	x = get(r, "n"); /* the last of a repeated name, as json-c */
	CHECK_INT(x->type, J_NUMBER);
	CHECK_STR(x->u.s, "0");
	CHECK_STR(r->u.m[1].val.u.s, "-12.5e+3"); /* as written */
	CHECK_INT(get(r, "t")->type, J_TRUE);
	CHECK_INT(get(r, "f")->type, J_FALSE);
	CHECK_INT(get(r, "z")->type, J_NULL);
	CHECK(get(r, "missing") == NULL);
	CHECK(get(r, "resourceTyp") == NULL);
	CHECK(get(get(r, "t"), "x") == NULL); /* not an object */
	x = get(r, "entry");
	CHECK_INT(x->type, J_ARRAY);
	CHECK_INT(x->n, 3);
	CHECK_INT(x->u.v[0].type, J_OBJECT);
	CHECK_INT(get(&x->u.v[0], "a")->type, J_ARRAY);
	CHECK_INT(get(&x->u.v[0], "a")->n, 0);
	CHECK_INT(x->u.v[1].type, J_OBJECT);
	CHECK_INT(x->u.v[1].n, 0);
	CHECK_INT(x->u.v[2].type, J_ARRAY);
	CHECK_STR(x->u.v[2].u.v[0].u.s, "1");
	CHECK_STR(x->u.v[2].u.v[1].u.s, "two");
	CHECK_STR(get(r, "empty")->u.s, "");
	CHECK_INT(get(r, "empty")->n, 0);

	/* A scalar alone is a document too. */
	r = parse("42");
	CHECK(r != NULL && r->type == J_NUMBER && strcmp(r->u.s, "42") == 0);
	r = parse("\"x\"");
	CHECK(r != NULL && r->type == J_STRING && strcmp(r->u.s, "x") == 0);
}

/* An object big enough to be searched through its sorted index: every
 * name found, a repeated name's last value, absent names not. */
static void
test_big_object(void)
{
	static char text[200000];
	const struct jnode *r, *x;
	char name[32];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "{");
	for (i = 0; i < 5000; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "\"k%d\": %d, ", i * 7 % 5000, i);
	snprintf(text + n, sizeof(text) - n, "\"k42\": \"last\", \"\": 0, "
	    "\"b\": 1}");
	r = parse(text);
	CHECK(r != NULL && r->n == 5003);
	if (r == NULL)
		return;
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "k%d", i * 7 % 5000);
		x = get(r, name);
		CHECK(x != NULL);
		if (x != NULL && i * 7 % 5000 != 42)
			CHECK(x->type == J_NUMBER && atoi(x->u.s) == i);
	}
	CHECK_STR(get(r, "k42")->u.s, "last");
	CHECK_STR(get(r, "")->u.s, "0");
	CHECK_STR(get(r, "b")->u.s, "1");
	CHECK(get(r, "k5000") == NULL);
	CHECK(get(r, "k") == NULL);
	CHECK(get(r, "a") == NULL);
	CHECK(get(r, "zzzzzz") == NULL);
}

static void
test_strings(void)
{
	const struct jnode *r;

	r = parse("[\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\", \"\\u00e9\\u00E9\", "
	    "\"\\ud83d\\ude00\", \"a\\ud800b\", \"\\udc00\", \"x\\u0000y\", "
	    "\"caf\xc3\xa9\", \"tab\there\"]");
	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_STR(r->u.v[0].u.s, "q\" b\\ s/ \b\f\n\r\t");
	CHECK_STR(r->u.v[1].u.s, "\xc3\xa9\xc3\xa9");
	CHECK_INT(r->u.v[1].n, 4);
	CHECK_STR(r->u.v[2].u.s, "\xf0\x9f\x98\x80"); /* a surrogate pair */
	/* Lone surrogates and U+0000 are U+FFFD. */
	CHECK_STR(r->u.v[3].u.s, "a\xef\xbf\xbd" "b");
	CHECK_STR(r->u.v[4].u.s, "\xef\xbf\xbd");
	CHECK_STR(r->u.v[5].u.s, "x\xef\xbf\xbdy");
	CHECK_STR(r->u.v[6].u.s, "caf\xc3\xa9");
	/* A raw tab is taken, as json-c took it. */
	CHECK_STR(r->u.v[7].u.s, "tab\there");
	/* Long strings cross the eight-byte search at every offset. */
	{
		char buf[64];
		int k;

		for (k = 0; k < 20; k++) {
			snprintf(buf, sizeof(buf), "\"%.*s\\n%.*s\"", k,
			    "abcdefghijklmnopqrstuvwxyz", 20 - k,
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
			r = parse(buf);
			CHECK(r != NULL && r->n == 21 && r->u.s[k] == '\n');
		}
	}
}

/* Documents refused, what the message holds, and its line (0: none). */
static const struct {
	const char *text, *want;
	long line;
} refusals[] = {
    {"[1, 2,]", "line 1: JSON is not well-formed: a character that cannot "
	"start a JSON value (byte offset 6)", 1},
    {"{\"a\": 1,}", "an object member that does not start with its name in "
	"double quotes (byte offset 8)", 1},
    {"{'a': 1}", "an object member that does not start with its name", 1},
    {"{\"a\" 1}", "a member name not followed by ':'", 1},
    {"{\"a\": 1 \"b\": 2}", "an object member not followed by ',' or '}'",
	1},
    {"[1 2]", "an array element not followed by ',' or ']'", 1},
    {"[01]", "an array element not followed by ',' or ']'", 1},
    {"[1.]", "a number with no digit after its decimal point", 1},
    {"[1e]", "a number with no digit in its exponent", 1},
    {"[-a]", "a minus sign that is not followed by a number", 1},
    {"[+1]", "a character that cannot start a JSON value", 1},
    {"[NaN]", "a character that cannot start a JSON value", 1},
    {"[nul]", "a word that is not true, false or null", 1},
    {"[\"\\x\"]", "an invalid escape", 1},
    {"[\"\\u12\"]", "a \\u escape without four hex digits", 1},
    {"[\"\\u12G4\"]", "a \\u escape without four hex digits", 1},
    {"{\n\"a\": 1\n} x", "line 3: JSON is not well-formed: data after the "
	"end of the JSON value (byte offset 11)", 3},
    {"{\n// note\n}", "line 2: JSON is not well-formed", 2},
    {"[\xc3\x28]", "line 1: JSON text is not valid UTF-8", 1},
    {"null", "the JSON document is empty or null", 0},
    {" \n ", "the JSON document is empty or null", 0},
    /* Truncated anywhere: a string, an escape, a word, a number, a
     * container, after a member name. */
    {"[\"abc", "JSON ends before the document is complete (truncated "
	"after 5 bytes, line 1)", 1},
    {"[\"ab\\", "truncated after 5 bytes", 1},
    {"[tr", "truncated after 3 bytes", 1},
    {"-", "truncated after 1 bytes", 1},
    {"[1.", "truncated after 3 bytes", 1},
    {"{\"a\":\n[1,\n", "truncated after 10 bytes, line 3", 3},
    {"{\"a\"", "truncated", 1},
};

static void
test_refusals(void)
{
	static const char nul[] = "[\"a\0b\"]";
	struct parse_limits lim;
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		CHECK(parse(refusals[i].text) == NULL);
		CHECK_HAS(err.msg, refusals[i].want);
		if (refusals[i].line > 0)
			CHECK_INT(err.line, refusals[i].line);
	}
	/* A raw NUL would cut the string short: refused. */
	arena_reset(a);
	parse_limits_default(&lim);
	CHECK(jsonsafe_parse(a, (const unsigned char *)nul, sizeof(nul) - 1,
	    &lim, &err) == NULL);
	CHECK_HAS(err.msg, "a NUL byte inside a string (byte offset 3)");
}

static void
test_limits(void)
{
	/* max_depth containers nest, not one more. */
	CHECK(parse_lim("[[{\"a\": 1}]]", 3, 0) != NULL);
	CHECK(parse_lim("[[[{}]]]", 3, 0) == NULL);
	CHECK_HAS(err.msg, "line 1: JSON nested deeper than 3 levels "
	    "(limits.max_depth)");
	CHECK_INT(err.offset, 3); /* the fourth container */
	/* max_nodes values (containers count), not one more. */
	CHECK(parse_lim("{\"a\": [1, 2], \"b\": {}}", 0, 5) != NULL);
	CHECK(parse_lim("{\"a\": [1, 2], \"b\": {}}", 0, 4) == NULL);
	CHECK_HAS(err.msg, "line 1: more than 4 JSON values "
	    "(limits.max_nodes)");
	CHECK_INT(err.offset, 19); /* the fifth value, "b"'s {} */
	CHECK(parse_lim("[\n1,\n2,\n3]", 0, 3) == NULL);
	CHECK_INT(err.line, 4);
}

/* Every .json file in dir: both parsers take it or both refuse it, and
 * what both take reads the same.  Returns how many were compared. */
static int
same_as_json_c(const char *dir)
{
	struct parse_limits lim;
	struct dirent *de;
	char path[1024], rerr[512];
	DIR *d = opendir(dir);
	int n = 0;

	CHECK(d != NULL);
	if (d == NULL)
		return 0;
	parse_limits_default(&lim);
	while ((de = readdir(d)) != NULL) {
		const struct jnode *r;
		struct json_object *c;
		unsigned char *buf;
		size_t len, nl = strlen(de->d_name);

		if (nl < 5 || strcmp(de->d_name + nl - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((buf = file_read(path, 64u << 20, &len, rerr,
		    sizeof(rerr))) == NULL) {
			fprintf(stderr, "%s\n", rerr);
			CHECK(0);
			continue;
		}
		arena_reset(a);
		r = jsonsafe_parse(a, buf, len, &lim, &err);
		c = json_c_parse(buf, len);
		if (r != NULL && (c == NULL || !json_same(c, r))) {
			fprintf(stderr, "%s: json-c reads it differently\n",
			    path);
			CHECK(0);
		}
		/* Refused by both, or by jsonsafe alone for its limits or
		 * for text that is not UTF-8 (json-c takes that). */
		if (r == NULL && c != NULL &&
		    strstr(err.msg, "limits.") == NULL &&
		    strstr(err.msg, "not valid UTF-8") == NULL) {
			fprintf(stderr, "%s: json-c takes it, jsonsafe says: "
			    "%s\n", path, err.msg);
			CHECK(0);
		}
		n++;
		json_object_put(c);
		free(buf);
	}
	closedir(d);
	return n;
}

int
main(void)
{
	a = arena_new(0);
	test_tree();
	test_strings();
	test_big_object();
	test_refusals();
	test_limits();
	CHECK(same_as_json_c(PARS_CORPUS "/ers-fhir") >= 10);
	CHECK(same_as_json_c(PARS_CORPUS "/bars-fhir") >= 1);
	CHECK(same_as_json_c(PARS_CORPUS "/refdata") >= 1);
	CHECK(same_as_json_c(PARS_CORPUS "/hl7v2") >= 1);
	CHECK(same_as_json_c(PARS_TESTDATA "/fhir") >= 15);
	arena_free(a);
	return t_done("test_jsonsafe");
}
