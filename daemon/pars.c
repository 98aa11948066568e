/*
 * pars.c - the operator's tool: one binary, one subcommand a job
 * (DESIGN.md, "Programs").
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config.h"
#include "db.h"
#include "hub.h"
#include "log.h"

static const struct command {
	const char *name;
	int (*fn)(const struct cli *, int, char **);
	const char *help;
} commands[] = {
	{"check-config", cmd_check_config, "check the configuration file"},
	{"db", cmd_db, "migrate | status: the database schema"},
	{"status", cmd_status, "what arrived, what was stored, what failed"},
	{"demo", cmd_demo, "[--dir DIR]: run the hub on the sample data"},
	{"practice", cmd_practice, "add CODE | list | remove CODE: member "
	    "practices"},
	{"parse", cmd_parse, "FILE...: print the referrals as JSON (no "
	    "database)"},
	{"ingest", cmd_ingest, "[--practice ODS] FILE...: take files in as "
	    "if they had arrived"},
	{"fetch", cmd_fetch, "[NAME...] | --again ID: poll the IMAP and SFTP "
	    "sources now, or unpack a quarantined message again"},
	{"receipts", cmd_receipts, "send the receipts that are due"},
	{"process", cmd_process, "process every received document now"},
	{"quarantine", cmd_quarantine, "list | show ID | retry ID...|--all"},
	{"archive", cmd_archive, "purge [--days N]: drop old raw documents"},
	{"refdata", cmd_refdata, "load [--year Y] KIND FILE | load DIR | "
	    "status | kinds: reference data"},
	{"recode", cmd_recode, "[--since DATE]: code stored referrals again"},
	{"coding", cmd_coding, "report [--from D --to D | --period YYYY-MM]: "
	    "coding coverage"},
	{"assess", cmd_assess, "FILE...: the rules' findings as JSON (stores "
	    "nothing)"},
	{"rules", cmd_rules, "test | list | explain ID: the assessment rules"},
	{"reassess", cmd_reassess, "--since DATE: run the rules again over "
	    "stored referrals"},
	{"finding", cmd_finding, "add | import FILE.csv: assessors' findings"},
	{"report", cmd_report, "run [--period YYYY-MM|--scheduled] [ODS...] | "
	    "retry | list: practices' feedback reports"},
};

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: pars [-c FILE] COMMAND [ARGS]\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %-13s %s\n", commands[i].name,
		    commands[i].help);
	fprintf(stderr, "\nThe configuration is -c FILE, $PARS_CONFIG or %s;"
	    "\n$PARS_DATABASE_DSN overrides database.dsn.\n",
	    CONFIG_DEFAULT_PATH);
	exit(2);
}

struct hub *
cli_hub(const struct cli *cli, int flags)
{
	char err[1024], *path = config_choose_path(cli->config_path);
	struct config *cfg = config_load(path, err, sizeof(err));
	struct hub *hub;

	free(path);
	if (cfg == NULL)
		fatalx("%s", err);
	log_setlevel(log_level_from_name(cfg->log_level) < LOG_LVL_WARN
	    ? log_level_from_name(cfg->log_level) : LOG_LVL_WARN);
	if ((hub = hub_open(cfg, flags, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	return hub;
}

struct db *
cli_db(struct hub *hub)
{
	char err[1024];
	struct db *db = hub_connect(hub, err, sizeof(err));

	if (db == NULL) {
		hub_close(hub);
		fatalx("%s", err);
	}
	return db;
}

int
main(int argc, char **argv)
{
	struct cli cli = {NULL};
	size_t i;
	int ch;

	log_init(LOG_LVL_WARN);
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "+c:hV")) != -1) {
		switch (ch) {
		case 'c':
			cli.config_path = optarg;
			break;
		case 'V':
			printf("pars %s\n", PARS_VERSION);
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0) {
			optind = 1;
			return commands[i].fn(&cli, argc, argv);
		}
	fprintf(stderr, "pars: unknown command \"%s\"\n", argv[0]);
	usage();
}
