/*
 * cli_refdata.c - pars refdata load|status|kinds: reference data into the
 * ref schema (daemon/coding/refload.c), and what is loaded from where.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "db.h"
#include "hub.h"
#include "refkinds.h"
#include "refload.h"

static int
usage(void)
{
	fprintf(stderr, "usage: pars refdata load [--year 2024/25] KIND FILE\n"
	    "       pars refdata load DIR   (its %s, or the kinds its file "
	    "names say)\n"
	    "       pars refdata status\n"
	    "       pars refdata kinds\n", REFLOAD_MANIFEST);
	return 2;
}

static int
kinds(void)
{
	size_t n, i;
	const struct ref_kind *k = ref_kinds(&n);

	for (i = 0; i < n; i++)
		printf("%-21s -> %-26s %s\n", k[i].name, k[i].table,
		    k[i].about);
	return 0;
}

static int
load(struct db *db, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"year", required_argument, NULL, 'y'},
	    {NULL, 0, NULL, 0}};
	const struct ref_kind *k;
	const char *year = NULL;
	char err[1024];
	struct stat st;
	int ch, rc;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'y')
			return usage();
		year = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 && year == NULL && stat(argv[0], &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		rc = refload_dir(db, argv[0], stdout, 0, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "pars refdata load: %s\n", err);
			return 1;
		}
		if (rc > 0)
			fprintf(stderr, "pars refdata load: %d file(s) of %s "
			    "could not be loaded (see above)\n", rc, argv[0]);
		return rc > 0;
	}
	if (argc != 2)
		return usage();
	if ((k = ref_kind_find(argv[0])) == NULL) {
		fprintf(stderr, "pars refdata load: unknown kind \"%s\" (pars "
		    "refdata kinds lists them)\n", argv[0]);
		return 2;
	}
	if (refload_file(db, k, argv[1], year, stdout, NULL, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "pars refdata load: %s\n", err);
		return 1;
	}
	return 0;
}

static const char status_sql[] =
    "SELECT DISTINCT ON (kind, options) kind, id::text AS id,"
    " coalesce(options, '') AS options, file_name,"
    " pg_catalog.encode(file_sha256, 'hex') AS sha256, who,"
    " pg_catalog.to_char(loaded_at, 'YYYY-MM-DD HH24:MI') AS loaded_at,"
    " rows_read::text AS rows_read, added::text AS added,"
    " changed::text AS changed, rejected::text AS rejected"
    " FROM ref.loads ORDER BY kind, options, id DESC";

static const char counts_sql[] =
    "SELECT t, n::text AS n FROM ("
    " SELECT 1 AS o, 'ref.practices' AS t, count(*) AS n FROM ref.practices"
    " UNION ALL SELECT 2, 'ref.gps', count(*) FROM ref.gps"
    " UNION ALL SELECT 3, 'ref.consultants', count(*) FROM ref.consultants"
    " UNION ALL SELECT 4, 'ref.trusts', count(*) FROM ref.trusts"
    " UNION ALL SELECT 5, 'ref.tfc', count(*) FROM ref.tfc"
    " UNION ALL SELECT 6, 'ref.main_specialties', count(*)"
    "  FROM ref.main_specialties"
    " UNION ALL SELECT 7, 'ref.ers_specialties', count(*)"
    "  FROM ref.ers_specialties"
    " UNION ALL SELECT 8, 'ref.ers_clinic_types', count(*)"
    "  FROM ref.ers_clinic_types"
    " UNION ALL SELECT 9, 'ref.ers_specialty_tfc', count(*)"
    "  FROM ref.ers_specialty_tfc"
    " UNION ALL SELECT 10, 'ref.ers_clinic_type_tfc', count(*)"
    "  FROM ref.ers_clinic_type_tfc"
    " UNION ALL SELECT 11, 'ref.main_specialty_tfc', count(*)"
    "  FROM ref.main_specialty_tfc"
    " UNION ALL SELECT 12, 'ref.specialty_synonyms', count(*)"
    "  FROM ref.specialty_synonyms"
    " UNION ALL SELECT 13, 'ref.op_prices', count(*) FROM ref.op_prices"
    " UNION ALL SELECT 14, 'ref.procedure_hrg', count(*)"
    "  FROM ref.procedure_hrg"
    " UNION ALL SELECT 15, 'ref.hrg_prices', count(*) FROM ref.hrg_prices"
    " UNION ALL SELECT 16, 'ref.alternative_services', count(*)"
    "  FROM ref.alternative_services"
    " UNION ALL SELECT 17, 'ref.shadow_contracts', count(*)"
    "  FROM ref.shadow_contracts"
    " UNION ALL SELECT 18, 'ref.list_sizes', count(*) FROM ref.list_sizes"
    ") AS c ORDER BY o";

static int
status(struct db *db)
{
	struct db_res *r = db_query(db, status_sql, 0, NULL);
	size_t i;

	if (r == NULL) {
		fprintf(stderr, "pars refdata status: %s\n", db_error(db));
		return 1;
	}
	if (db_nrows(r) == 0)
		printf("no reference data loaded yet: pars refdata load\n");
	else
		printf("%-21s %-13s %5s %-16s %-10s %7s %s\n", "kind", "options",
		    "load", "loaded at (UTC)", "by", "rows", "file (sha256)");
	for (i = 0; i < db_nrows(r); i++)
		printf("%-21s %-13s %5s %-16s %-10.10s %7s %s (%.12s...): "
		    "%s added, %s changed, %s rejected\n",
		    db_get(r, i, db_col(r, "kind")),
		    db_get(r, i, db_col(r, "options")),
		    db_get(r, i, db_col(r, "id")),
		    db_get(r, i, db_col(r, "loaded_at")),
		    db_get(r, i, db_col(r, "who")),
		    db_get(r, i, db_col(r, "rows_read")),
		    db_get(r, i, db_col(r, "file_name")),
		    db_get(r, i, db_col(r, "sha256")),
		    db_get(r, i, db_col(r, "added")),
		    db_get(r, i, db_col(r, "changed")),
		    db_get(r, i, db_col(r, "rejected")));
	db_res_free(r);
	if ((r = db_query(db, counts_sql, 0, NULL)) == NULL) {
		fprintf(stderr, "pars refdata status: %s\n", db_error(db));
		return 1;
	}
	printf("\nrows held:\n");
	for (i = 0; i < db_nrows(r); i++)
		printf("  %-26s %8s\n", db_get(r, i, db_col(r, "t")),
		    db_get(r, i, db_col(r, "n")));
	db_res_free(r);
	return 0;
}

int
cmd_refdata(const struct cli *cli, int argc, char **argv)
{
	struct hub *hub;
	struct db *db;
	int rc;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "kinds") == 0)
		return kinds();
	if (strcmp(argv[1], "load") != 0 && strcmp(argv[1], "status") != 0)
		return usage();
	hub = cli_hub(cli, HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	if (strcmp(argv[1], "load") == 0)
		rc = load(db, argc, argv);
	else
		rc = argc == 2 ? status(db) : usage();
	db_close(db);
	hub_close(hub);
	return rc;
}
