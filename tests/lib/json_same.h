/*
 * json_same.h - compares the hub's JSON tree (jsonsafe.h) with json-c's
 * tree of the same text: the unit test and the fuzz target both hold the
 * hub's parser to the library it replaced.
 */
#ifndef PARS_JSON_SAME_H
#define PARS_JSON_SAME_H

#include <json-c/json.h>

#include "jsonsafe.h"

/*
 * 1 when c (json-c's value; NULL is JSON null) reads the same as v: the
 * same types, numbers (the text json-c keeps of a fraction, the value of
 * an integer), array elements, member names both ways (each name's last
 * value, as both keep) and strings byte for byte (a NUL in json-c's is
 * U+FFFD in jsonsafe's; a name json-c cut at a NUL is not compared).
 */
int json_same(struct json_object *c, const struct jnode *v);

/* json-c's strict tree of len bytes (a byte order mark skipped), or NULL
 * when it refuses them; free with json_object_put. */
struct json_object *json_c_parse(const unsigned char *buf, size_t len);

#endif
