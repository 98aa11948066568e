/*
 * cli.h - the operator's tool's commands, one group per file.
 *
 * Each command gets the arguments after its name and returns the exit
 * status: 0 success, 1 failure, 2 usage.
 */
#ifndef PARS_CLI_H
#define PARS_CLI_H

#include <stddef.h>

struct arena;
struct hub;
struct parse_limits;
struct parse_result;
struct rule_set;

struct cli {
	const char *config_path; /* -c, or NULL */
};

/* Loads the configuration and opens the hub with HUB_* flags; exits
 * with a message on failure. */
struct hub *cli_hub(const struct cli *cli, int flags);
/* Opens a database connection on the hub; exits on failure. */
struct db *cli_db(struct hub *hub);

int cmd_check_config(const struct cli *cli, int argc, char **argv);
int cmd_db(const struct cli *cli, int argc, char **argv);
int cmd_parse(const struct cli *cli, int argc, char **argv);
int cmd_ingest(const struct cli *cli, int argc, char **argv);
int cmd_process(const struct cli *cli, int argc, char **argv);
int cmd_quarantine(const struct cli *cli, int argc, char **argv);
int cmd_archive(const struct cli *cli, int argc, char **argv);
int cmd_status(const struct cli *cli, int argc, char **argv);
int cmd_demo(const struct cli *cli, int argc, char **argv);
int cmd_practice(const struct cli *cli, int argc, char **argv);
/* Makes code a member practice (or updates it): 0, or -1 with
 * db_error() set.  name and email may be NULL (kept if known). */
int cli_practice_add(struct db *db, const char *code, const char *name,
    const char *email, const char *locality);
int cmd_refdata(const struct cli *cli, int argc, char **argv);
int cmd_recode(const struct cli *cli, int argc, char **argv);
int cmd_coding(const struct cli *cli, int argc, char **argv);
/* Prints the coding report for referrals dated from..to (YYYY-MM-DD,
 * NULL: open-ended); 0, or 1 when the database failed. */
int cli_coding_report(struct db *db, const char *from, const char *to);
/* Assessment (issue 6): cli_rules.c, cli_assess.c, cli_finding.c. */
int cmd_rules(const struct cli *cli, int argc, char **argv);
int cmd_assess(const struct cli *cli, int argc, char **argv);
int cmd_reassess(const struct cli *cli, int argc, char **argv);
int cmd_finding(const struct cli *cli, int argc, char **argv);
/* The rule set of dir, else of the configuration's rules.dir; exits with
 * the file, line and reason when a rule file is bad. */
struct rule_set *cli_rules_load(const struct cli *cli, const char *dir);
/* Reads a whole file of at most max bytes (caller frees); NULL with a
 * message printed. */
unsigned char *cli_slurp(const char *path, size_t max, size_t *len);
/* Reads and parses a file into res, printing its errors, rejected rows
 * and warnings.  Returns the arena res lives in (caller frees), or NULL. */
struct arena *cli_parse_file(const char *path,
    const struct parse_limits *lim, struct parse_result *res);
int cmd_fetch(const struct cli *cli, int argc, char **argv);
int cmd_receipts(const struct cli *cli, int argc, char **argv);
int cmd_report(const struct cli *cli, int argc, char **argv);

#endif
