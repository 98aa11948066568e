/*
 * test_mime.c - the MIME parser: headers (RFC 2047), parameters (RFC
 * 2231), base64 and quoted-printable bodies, nested multiparts, attached
 * messages, file names as labels, damage and limits.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "mime.h"
#include "t.h"

static struct mime_limits lim;

static int
parse(struct arena *a, const char *text, struct mime_message *m)
{
	return mime_parse(a, (const unsigned char *)text, strlen(text), &lim,
	    m);
}

static void
test_headers(struct arena *a)
{
	struct mime_message m;
	const char *msg =
	    "From: =?UTF-8?B?U3TDqXBoYW5l?= <pm@e82045.nhs.uk>\r\n"
	    "Subject: =?ISO-8859-1?Q?R=E9f=E9rrals?=\r\n"
	    "  =?UTF-8?Q?_for_today?= and more\r\n"
	    "Message-ID: <abc@e82045.nhs.uk>\r\n"
	    "X-Evil: a\rb\r\n"
	    "\r\n"
	    "Please find attached.\r\n";

	CHECK_INT(parse(a, msg, &m), 0);
	CHECK_STR(m.from, "St\xc3\xa9phane <pm@e82045.nhs.uk>");
	CHECK_STR(m.subject, "R\xc3\xa9" "f\xc3\xa9rrals for today and more");
	CHECK_STR(m.message_id, "<abc@e82045.nhs.uk>");
	CHECK_STR(m.top.type, "text/plain");
	CHECK_INT(m.nparts, 1);
	CHECK_STR(m.parts[0].type, "text/plain");
	CHECK_INT(m.parts[0].len, strlen("Please find attached.\r\n"));
	CHECK_INT(m.parts[0].depth, 0);
	CHECK(m.parts[0].filename == NULL);
}

static void
test_multipart(struct arena *a)
{
	struct mime_message m;
	const char *msg =
	    "Content-Type: multipart/mixed; boundary=\"=_outer\"\r\n"
	    "\r\n"
	    "preamble, ignored\r\n"
	    "--=_outer\r\n"
	    "Content-Type: text/plain; charset=\"ISO-8859-1\"\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "a=3Db soft=\r\n"
	    "break  \r\n"
	    "caf=E9\r\n"
	    "--=_outer\r\n"
	    "Content-Type: application/octet-stream; name=ignored.bin\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename*=UTF-8''r%C3%A9f%C3%A9rral%201.hl7\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "TVNIfF5+XCZ8DQo=\r\n"
	    "\r\n"
	    "--=_outer\r\n"
	    "Content-Type: text/csv; name*0=\"batch \"; name*1=\"one.csv\"\r\n"
	    "\r\n"
	    "--=_outer-not-a-boundary\r\n"
	    "--=_outer--\r\n"
	    "epilogue, ignored\r\n";

	CHECK_INT(parse(a, msg, &m), 0);
	CHECK_STR(m.top.type, "multipart/mixed");
	CHECK_INT(m.nparts, 3);
	if (m.nparts != 3)
		return;
	CHECK_STR(m.parts[0].charset, "iso-8859-1");
	CHECK_INT(m.parts[0].len, strlen("a=b softbreak\r\ncaf\xe9"));
	CHECK(memcmp(m.parts[0].body, "a=b softbreak\r\ncaf\xe9",
	    m.parts[0].len) == 0);
	CHECK_INT(m.parts[0].depth, 1);
	CHECK_STR(m.parts[1].filename, "r\xc3\xa9" "f\xc3\xa9rral 1.hl7");
	CHECK_INT(m.parts[1].attachment, 1);
	CHECK_INT(m.parts[1].len, 11);
	CHECK(memcmp(m.parts[1].body, "MSH|^~\\&|\r\n", 11) == 0);
	CHECK(m.parts[1].problem == NULL);
	CHECK_STR(m.parts[2].type, "text/csv");
	CHECK_STR(m.parts[2].filename, "batch one.csv");
	CHECK_STR((const char *)m.parts[2].body, "--=_outer-not-a-boundary");
}

static void
test_nested(struct arena *a)
{
	struct mime_message m;
	const char *msg =
	    "Content-Type: multipart/mixed; boundary=A\n"
	    "\n"
	    "--A\n"
	    "Content-Type: multipart/alternative; boundary=B\n"
	    "\n"
	    "--B\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "plain\n"
	    "--B\n"
	    "Content-Type: text/html\n"
	    "\n"
	    "<p>html</p>\n"
	    "--B--\n"
	    "--A\n"
	    "Content-Type: message/rfc822\n"
	    "\n"
	    "From: someone@example.org\n"
	    "Content-Type: multipart/mixed; boundary=C\n"
	    "\n"
	    "--C\n"
	    "Content-Type: text/plain; name=\"../../etc/passwd\"\n"
	    "\n"
	    "inner\n"
	    "--C--\n"
	    "--A\n"
	    "Content-Type: text/plain\n"
	    "Content-Disposition: attachment; filename=\"..\\\\..\\\\x.hl7\"\n"
	    "\n"
	    "last\n"
	    "--A--\n";

	CHECK_INT(parse(a, msg, &m), 0);
	CHECK_INT(m.nparts, 4);
	if (m.nparts != 4)
		return;
	CHECK_STR((const char *)m.parts[0].body, "plain");
	CHECK_INT(m.parts[0].depth, 2);
	CHECK_STR(m.parts[1].type, "text/html");
	CHECK_STR((const char *)m.parts[2].body, "inner");
	CHECK_INT(m.parts[2].depth, 3);
	CHECK_STR(m.parts[2].filename, "passwd");
	CHECK_STR(m.parts[3].filename, "x.hl7");
	CHECK_INT(m.parts[3].attachment, 1);
}

static void
test_names(struct arena *a)
{
	struct mime_message m;
	char msg[512];
	static const struct {
		const char *sent, *want;
	} cases[] = {
		{"../../etc/passwd", "passwd"},
		{"/abs/path/ref.hl7", "ref.hl7"},
		{".hidden", "_hidden"},
		{"..", NULL},
		{"a/", NULL},
		{"C:ref.hl7", "Cref.hl7"},
		{"=?UTF-8?B?Li4vLi4vZXRjL3NoYWRvdw==?=", "shadow"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(msg, sizeof(msg), "Content-Type: text/plain\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n"
		    "x\r\n", cases[i].sent);
		CHECK_INT(parse(a, msg, &m), 0);
		CHECK_STR(m.parts[0].filename, cases[i].want);
	}
}

static void
test_damage(struct arena *a)
{
	struct mime_message m;
	char deep[4096];
	size_t o = 0;
	int i;

	CHECK_INT(parse(a, "Content-Type: multipart/mixed; boundary=X\r\n\r\n"
	    "--X\r\nContent-Type: text/plain\r\n\r\ncut short", &m), 0);
	CHECK_INT(m.nparts, 1);
	CHECK_HAS(m.parts[0].problem, "closing boundary is missing");
	CHECK_STR((const char *)m.parts[0].body, "cut short");

	CHECK_INT(parse(a, "Content-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nTVNI*fA==\r\n", &m), 0);
	CHECK_HAS(m.parts[0].problem, "base64");
	CHECK_STR((const char *)m.parts[0].body, "MSH|");

	CHECK_INT(parse(a, "Content-Type: multipart/mixed\r\n\r\nno boundary",
	    &m), 0);
	CHECK_INT(m.nparts, 1);

	for (i = 0; i < 30; i++)
		o += (size_t)snprintf(deep + o, sizeof(deep) - o,
		    "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n",
		    i, i);
	CHECK_INT(mime_parse(a, (unsigned char *)deep, o, &lim, &m), -1);
	CHECK_HAS(m.err, "nests parts more than 20 deep");

	lim.max_parts = 2;
	CHECK_INT(parse(a, "Content-Type: multipart/mixed; boundary=X\r\n\r\n"
	    "--X\r\n\r\na\r\n--X\r\n\r\nb\r\n--X\r\n\r\nc\r\n--X--\r\n", &m),
	    -1);
	CHECK_HAS(m.err, "more than 2 parts");
	mime_limits_default(&lim);
}

static void
test_types(struct arena *a)
{
	struct mime_type t;
	const char *s =
	    "From: x@y\r\n"
	    "Content-Type: multipart/signed; protocol=\"application/"
	    "pkcs7-signature\";\r\n\tmicalg=sha-256; boundary=\"----B\"\r\n\r\n";
	const char *e =
	    "Content-Type: Application/PKCS7-MIME; smime-type=Enveloped-Data;"
	    " name=smime.p7m\r\n\r\n";

	mime_entity_type(a, (const unsigned char *)s, strlen(s), &t);
	CHECK_STR(t.type, "multipart/signed");
	CHECK_STR(t.protocol, "application/pkcs7-signature");
	CHECK(t.smime_type == NULL);
	mime_entity_type(a, (const unsigned char *)e, strlen(e), &t);
	CHECK_STR(t.type, "application/pkcs7-mime");
	CHECK_STR(t.smime_type, "enveloped-data");
	mime_entity_type(a, (const unsigned char *)"", 0, &t);
	CHECK_STR(t.type, "text/plain");
}

int
main(void)
{
	struct arena *a = arena_new(64u << 20);

	mime_limits_default(&lim);
	test_headers(a);
	test_multipart(a);
	test_nested(a);
	test_names(a);
	test_damage(a);
	test_types(a);
	arena_free(a);
	return t_done("test_mime");
}
