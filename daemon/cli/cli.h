/*
 * cli.h - the operator's tool's commands, one group per file.
 *
 * Each command gets the arguments after its name and returns the exit
 * status: 0 success, 1 failure, 2 usage.
 */
#ifndef PARS_CLI_H
#define PARS_CLI_H

struct hub;

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
int cmd_report(const struct cli *cli, int argc, char **argv);

#endif
