/*
 * transfer.h - what the hub's libcurl transfers share (IMAP, SFTP,
 * SMTP): TLS peer and host name verification always on, stall timeouts, a
 * stop flag that aborts a transfer in flight, and a capped body buffer
 * hashed (SHA-256) as it arrives, so a file over the limit can be
 * recorded by its hash without being kept.
 */
#ifndef PARS_TRANSFER_H
#define PARS_TRANSFER_H

#include <stdatomic.h>
#include <stddef.h>

#include <curl/curl.h>

#include "buf.h"

struct transfer {
	CURL *h;
	struct buf body;    /* what arrived, up to the cap */
	long long total;    /* bytes that arrived, also past the cap */
	int hash_only;	    /* keep nothing, only hash and count */
	void *md;	    /* SHA-256 over every byte (EVP_MD_CTX) */
	long max_speed;	    /* bytes a second, 0: no limit */
	double started;	    /* when the transfer's first byte came */
	const atomic_int *stop;
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * Makes a handle for protocols (e.g. "imaps,imap"): verification on
 * against ca_file (NULL: the system's CAs), a stall after timeout seconds
 * fails, at most max_speed bytes a second (0: no limit).  Returns 0, or -1
 * with err set.
 */
int transfer_open(struct transfer *t, const char *protocols,
    const atomic_int *stop, int timeout, long max_speed, const char *ca_file,
    char *err, size_t errlen);
/* Readies the next transfer of url: the body is kept up to keep bytes
 * (0: only hashed), custom request, quote and no-body options cleared. */
void transfer_reset(struct transfer *t, const char *url, size_t keep);
/* Runs it.  Returns 0, or -1 with err "what: curl's words (detail)". */
int transfer_run(struct transfer *t, const char *what, char *err,
    size_t errlen);
/* SHA-256 of every byte the last transfer received. */
void transfer_sha256(struct transfer *t, unsigned char out[32]);
/* 1 when the body went past the cap. */
int transfer_over(const struct transfer *t);
void transfer_close(struct transfer *t);

#endif
