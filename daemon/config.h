/*
 * config.h - the hub's configuration (YAML, libyaml).
 *
 * All or nothing: config_load() either returns a complete, checked
 * configuration or an error naming the file, line and key.  Unknown keys,
 * wrong types and missing required keys are errors.  Secrets are never in
 * the YAML: it names files that hold them.
 */
#ifndef PARS_CONFIG_H
#define PARS_CONFIG_H

#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/parsd/parsd.yaml"

/* An IMAP mailbox the hub collects referrals from (sources.imap[]). */
struct imap_source_cfg {
	char *name;		/* documents' source is "imap:NAME" */
	char *url;		/* imaps://host[:port]/MAILBOX */
	char *user;
	char *password_file;	/* or a client certificate: */
	char *client_cert_file;
	char *client_key_file;
	char *ca_file;		/* CAs that sign the server's certificate */
	char *done_folder;	/* move taken messages here, not expunge */
	char *oversize_folder;	/* where messages over the limit are kept */
	int poll_seconds;
	int timeout_seconds;
	int require_signed;	/* S/MIME signature required */
	int receipts;		/* mail receipts to the sending practices */
	int max_per_poll;
	long max_recv_speed;	/* bytes a second, 0: no limit */
};

/* An SFTP directory the hub pulls files from (sources.sftp[]). */
struct sftp_source_cfg {
	char *name;		/* documents' source is "sftp:NAME" */
	char *url;		/* sftp://host[:port]/absolute/dir/ */
	char *user;
	char *key_file;		/* private key (mode 0600) */
	char *public_key_file;
	char *key_passphrase_file;
	char *known_hosts;	/* the server's host key must be in it */
	char *practice;		/* whose files; unset: a directory each */
	char *done_dir;		/* rename taken files here, not remove */
	char *oversize_dir;	/* where files over the limit are moved */
	int poll_seconds;
	int timeout_seconds;
	int receipts;
	int max_per_poll;
	long max_recv_speed;
};

/* reports.practices[]: how one practice gets its reports. */
struct config_report_practice {
	char *code;	  /* ODS */
	char *channel;	  /* outbox, email or sftp */
	char *email;	  /* address (default: pars.practices.email) */
	char *sftp_url;	  /* sftp://host:port/dir/ */
	char *email_when; /* always, changed or new */
};

struct config {
	char *path;	      /* the file it came from */
	char *state_dir;      /* keys, embedded database, runtime files */
	char *log_level;
	struct {
		char *dsn;	     /* empty: embedded PostgreSQL */
		char *password_file; /* password for dsn, if it needs one */
		char *embedded_user; /* runs the embedded cluster as root */
		char *embedded_bindir;
	} database;
	struct {
		char *pseudonym_key_file;
		char *archive_key_file;
		int create_missing;
	} keys;
	struct {
		char *dir;	    /* one subdirectory per practice (ODS) */
		int rescan_seconds; /* full rescan besides inotify */
		int settle_seconds; /* age of a file found by rescan */
		int batch_files;    /* files committed in one transaction */
		int queue_files;    /* files held in memory; the rest wait */
		long batch_bytes;
	} spool;
	struct {
		int workers;	  /* processing threads */
		int batch;	  /* documents claimed at a time */
		int max_attempts; /* quarantine after this many failures */
	} processing;
	struct {
		int retention_days; /* raw documents kept after storing */
	} archive;
	struct {
		int enabled; /* code referrals as they are stored */
	} coding;
	struct {
		char *dir; /* rule files (*.yaml); missing: no rules */
	} rules;
	struct {
		struct imap_source_cfg *imap;
		size_t imap_n;
		struct sftp_source_cfg *sftp;
		size_t sftp_n;
	} sources;
	struct {
		char *cert_file;	  /* the hub's certificate (decryption) */
		char *key_file;		  /* its private key (mode 0600) */
		char *practice_certs_dir; /* <ODS>.pem: practices' signers */
		char *ca_file;		  /* CAs practices' certificates chain to */
		char *crl_file;		  /* revocations, checked when set */
	} smime;
	struct {
		char *smtp_url; /* smtp://host:port (STARTTLS) or smtps:// */
		char *from;
		char *user;
		char *password_file;
		char *ca_file;
		int interval_seconds;
		int max_age_days; /* documents older than this get none */
		int timeout_seconds;
	} receipts;
	struct {
		char *outbox;	     /* <outbox>/<ODS>/<period>/ */
		char *certs_dir;     /* <ODS>.pem: S/MIME recipients */
		char *channel;	     /* default: outbox, email or sftp */
		char *email_when;    /* default: always, changed or new */
		char *contract_pod;  /* shadow contract lines ("": all) */
		int min_count;	     /* counts under this shown as "<N" */
		int min_expected;    /* no outlier flag below this */
		int final_day;	     /* day the last month's final report */
		int retry_attempts;  /* tries per delivery in a run */
		int retry_seconds;   /* first wait between tries */
		struct {
			char *url;   /* smtps://host:465 or smtp://host:587 */
			char *from;
			char *username;
			char *password_file;
			char *ca_file; /* trust anchors for the server */
		} smtp;
		struct {
			char *username;
			char *private_key;
			char *public_key;
			char *known_hosts;
		} sftp;
		struct config_report_practice *practices;
		size_t practices_n;
	} reports;
	struct {
		long max_document_bytes;
		int max_depth;
		long max_nodes;
		long max_referrals;
		long max_field_bytes;
	} limits;
};

/*
 * Chooses the configuration file: path when not NULL, else $PARS_CONFIG,
 * else CONFIG_DEFAULT_PATH.  Returns a string owned by the caller.
 */
char *config_choose_path(const char *path);
/*
 * Loads and checks the file, then applies $PARS_DATABASE_DSN.  Returns a
 * configuration (caller frees with config_free) or NULL with err set to
 * "FILE:LINE: key 'a.b': what is wrong".
 */
struct config *config_load(const char *path, char *err, size_t errlen);
/* A configuration with every default and nothing from a file. */
struct config *config_defaults(void);
void config_free(struct config *c);
/*
 * Swaps the sources, smime and receipts sections of a and b: a reload
 * keeps the running ones (source threads hold pointers into them).
 */
void config_swap_remote(struct config *a, struct config *b);

#endif
