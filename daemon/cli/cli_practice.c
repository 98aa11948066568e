/*
 * cli_practice.c - pars practice add|list|remove: the hub's member
 * practices (pars.practices).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "hub.h"
#include "ident.h"

int
cli_practice_add(struct db *db, const char *code, const char *name,
    const char *email, const char *locality)
{
	const char *v[4] = {code, name, email, locality};

	return db_exec(db, "INSERT INTO pars.practices (code, name, email,"
	    " locality) VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT (code) DO UPDATE SET"
	    "  name = coalesce(EXCLUDED.name, pars.practices.name),"
	    "  email = coalesce(EXCLUDED.email, pars.practices.email),"
	    "  locality = EXCLUDED.locality, active = true, updated_at = now()",
	    4, v);
}

static int
p_add(struct db *db, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"email", required_argument, NULL, 'e'},
	    {"locality", required_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0}};
	const char *v[4] = {NULL, NULL, NULL, "default"};
	int ch;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'n')
			v[1] = optarg;
		else if (ch == 'e')
			v[2] = optarg;
		else if (ch == 'l')
			v[3] = optarg;
		else
			return 2;
	}
	if (optind != argc - 1 || !ods_is_practice(argv[optind])) {
		fprintf(stderr, "pars practice add: give one practice code (a "
		    "letter and five digits)\n");
		return 2;
	}
	v[0] = argv[optind];
	if (cli_practice_add(db, v[0], v[1], v[2], v[3]) < 0) {
		fprintf(stderr, "pars practice add: %s\n", db_error(db));
		return 1;
	}
	printf("practice %s is a member (locality %s)\n", v[0], v[3]);
	return 0;
}

static int
p_list(struct db *db)
{
	struct db_res *r = db_query(db, "SELECT code, coalesce(name, '-') AS"
	    " name, locality, coalesce(email, '-') AS email,"
	    " CASE WHEN active THEN 'active' ELSE 'left' END AS state"
	    " FROM pars.practices ORDER BY locality, code", 0, NULL);
	size_t i;

	if (r == NULL) {
		fprintf(stderr, "pars practice list: %s\n", db_error(db));
		return 1;
	}
	for (i = 0; i < db_nrows(r); i++)
		printf("%s  %-12s %-6s %-30s %s\n", db_get(r, i, 0),
		    db_get(r, i, 2), db_get(r, i, 4), db_get(r, i, 3),
		    db_get(r, i, 1));
	if (db_nrows(r) == 0)
		printf("no member practices yet: pars practice add CODE\n");
	db_res_free(r);
	return 0;
}

static int
p_remove(struct db *db, const char *code)
{
	struct db_res *r = db_query(db, "UPDATE pars.practices SET active ="
	    " false, updated_at = now() WHERE code = $1", 1, &code);
	int rc = 1;

	if (r == NULL)
		fprintf(stderr, "pars practice remove: %s\n", db_error(db));
	else if (db_affected(r) == 0)
		fprintf(stderr, "pars practice remove: %s is not a member\n",
		    code);
	else {
		printf("practice %s has left (its data is kept)\n", code);
		rc = 0;
	}
	db_res_free(r);
	return rc;
}

int
cmd_practice(const struct cli *cli, int argc, char **argv)
{
	struct hub *hub;
	struct db *db;
	int rc;

	if (argc < 2 || (strcmp(argv[1], "add") != 0 &&
	    strcmp(argv[1], "list") != 0 && strcmp(argv[1], "remove") != 0) ||
	    (strcmp(argv[1], "remove") == 0 && argc != 3)) {
		fprintf(stderr, "usage: pars practice add CODE [--name NAME] "
		    "[--email ADDR] [--locality NAME]\n"
		    "       pars practice list\n"
		    "       pars practice remove CODE\n");
		return 2;
	}
	hub = cli_hub(cli, HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	if (strcmp(argv[1], "add") == 0)
		rc = p_add(db, argc, argv);
	else if (strcmp(argv[1], "list") == 0)
		rc = p_list(db);
	else
		rc = p_remove(db, argv[2]);
	db_close(db);
	hub_close(hub);
	return rc;
}
