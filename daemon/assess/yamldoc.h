/*
 * yamldoc.h - reading one YAML file as a tree of libyaml nodes, with the
 * line of every node for error messages (private to daemon/assess/).
 *
 * Every error is "FILE:LINE: [rule ID: ]what is wrong" and every function
 * that fails returns -1 or NULL having set it.  Aliases (*name) are
 * refused, so a file cannot make the loader walk a node twice.
 */
#ifndef PARS_YAMLDOC_H
#define PARS_YAMLDOC_H

#include <stddef.h>

#include <yaml.h>

struct arena;

struct yload {
	yaml_document_t doc;
	int have_doc;
	const char *file;
	char *err;
	size_t errlen;
	unsigned char *seen; /* per node: walked already */
	size_t nseen;
	struct arena *arena; /* where strings are copied */
	const char *rule_id; /* the rule being read, for messages */
};

/* Reads and parses path (at most max bytes).  0, or -1 with err set. */
int yl_open(struct yload *l, const char *path, size_t max,
    struct arena *arena, char *err, size_t errlen);
void yl_close(struct yload *l);
/* The root node, or NULL for an empty file. */
yaml_node_t *yl_root(struct yload *l);
int yl_line(const yaml_node_t *n);
/* Sets the error at node n (NULL: no line) and returns -1. */
int yl_err(struct yload *l, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Mappings: the number of keys, and key i with its value node (NULL and
 * the error set when the value is an alias or the key is not a word). */
size_t yl_map_n(const yaml_node_t *map);
yaml_node_t *yl_map_at(struct yload *l, yaml_node_t *map, size_t i,
    const char **key);
/* The line of key i of map. */
int yl_key_line(struct yload *l, const yaml_node_t *map, size_t i);
/* The scalar value of key in map, without walking it (for messages), or
 * NULL. */
const char *yl_peek(struct yload *l, const yaml_node_t *map,
    const char *key);
/* Checks that map is a mapping whose keys appear once and are all in
 * allowed (NULL-terminated); what names it in messages. */
int yl_check_map(struct yload *l, yaml_node_t *map, const char *what,
    const char *const *allowed);
/* Sequences: the number of items, and item i. */
size_t yl_seq_n(const yaml_node_t *seq);
yaml_node_t *yl_seq_at(struct yload *l, yaml_node_t *seq, size_t i);

/* A scalar's text (owned by the document), or NULL with the error set. */
const char *yl_str(struct yload *l, yaml_node_t *n, const char *key);
/* One scalar or a list of them, copied into the arena. */
int yl_strs(struct yload *l, yaml_node_t *n, const char *key,
    const char ***out, size_t *nout);
int yl_int(struct yload *l, yaml_node_t *n, const char *key, long lo,
    long hi, long *out);
int yl_num(struct yload *l, yaml_node_t *n, const char *key, double *out);
int yl_bool(struct yload *l, yaml_node_t *n, const char *key, int *out);
/* A YYYY-MM-DD date into out. */
int yl_date(struct yload *l, yaml_node_t *n, const char *key, char out[11]);

#endif
