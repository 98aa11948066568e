/*
 * transfer.c - libcurl handles set up the one safe way (see transfer.h).
 */
#include "transfer.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/evp.h>

#include "log.h"

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Keeps to max_speed by pausing the reader (the server then waits on a
 * full socket): libcurl's own limit does not hold back an IMAP FETCH.
 */
static void
throttle(struct transfer *t)
{
	double now = mono(), due;

	if (t->started == 0)
		t->started = now;
	due = t->started + (double)t->total / (double)t->max_speed;
	while (due > now && !(t->stop != NULL && atomic_load(t->stop))) {
		double step = due - now > 0.2 ? 0.2 : due - now;
		struct timespec ts = {0, (long)(step * 1e9)};

		nanosleep(&ts, NULL);
		now = mono();
	}
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;

	EVP_DigestUpdate(t->md, p, len);
	t->total += (long long)len;
	if (t->max_speed > 0)
		throttle(t);
	if (!t->hash_only)
		buf_add(&t->body, p, len);
	return len;
}

/* With a speed limit, a small receive window makes the limit hold on
 * the network too (the kernel would otherwise take all it is sent). */
static int
on_socket(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	const struct transfer *t = arg;
	int size = (int)(t->max_speed / 4);

	if (size < 16384)
		size = 16384;
	if (size > (1 << 20))
		size = 1 << 20;
	if (purpose == CURLSOCKTYPE_IPCXN)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof(size));
	return CURL_SOCKOPT_OK;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	const struct transfer *t = arg;

	return t->stop != NULL && atomic_load(t->stop) ? 1 : 0;
}

int
transfer_open(struct transfer *t, const char *protocols,
    const atomic_int *stop, int timeout, long max_speed, const char *ca_file,
    char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->stop = stop;
	buf_init(&t->body, 1);
	if ((t->h = curl_easy_init()) == NULL ||
	    (t->md = EVP_MD_CTX_new()) == NULL) {
		snprintf(err, errlen, "could not make a libcurl handle");
		transfer_close(t);
		return -1;
	}
	curl_easy_setopt(t->h, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(t->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(t->h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(t->h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(t->h, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2);
	if (ca_file != NULL)
		curl_easy_setopt(t->h, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(t->h, CURLOPT_CONNECTTIMEOUT, (long)timeout);
	curl_easy_setopt(t->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(t->h, CURLOPT_LOW_SPEED_TIME, (long)timeout);
	t->max_speed = max_speed;
	if (max_speed > 0) {
		curl_easy_setopt(t->h, CURLOPT_SOCKOPTFUNCTION, on_socket);
		curl_easy_setopt(t->h, CURLOPT_SOCKOPTDATA, t);
	}
	curl_easy_setopt(t->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(t->h, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(t->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(t->h, CURLOPT_XFERINFODATA, t);
	curl_easy_setopt(t->h, CURLOPT_ERRORBUFFER, t->errbuf);
	return 0;
}

void
transfer_reset(struct transfer *t, const char *url, size_t keep)
{
	buf_free(&t->body);
	buf_init(&t->body, keep > 0 ? keep : 1);
	t->hash_only = keep == 0;
	t->total = 0;
	t->started = 0;
	t->errbuf[0] = '\0';
	EVP_DigestInit_ex(t->md, EVP_sha256(), NULL);
	curl_easy_setopt(t->h, CURLOPT_URL, url);
	curl_easy_setopt(t->h, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(t->h, CURLOPT_QUOTE, NULL);
	curl_easy_setopt(t->h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(t->h, CURLOPT_UPLOAD, 0L);
}

int
transfer_run(struct transfer *t, const char *what, char *err, size_t errlen)
{
	CURLcode rc = curl_easy_perform(t->h);

	if (rc == CURLE_OK)
		return 0;
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		snprintf(err, errlen, "%s: stopped (the hub is shutting down)",
		    what);
	else
		snprintf(err, errlen, "%s: %s%s%s%s", what,
		    curl_easy_strerror(rc), t->errbuf[0] ? " (" : "",
		    t->errbuf, t->errbuf[0] ? ")" : "");
	return -1;
}

void
transfer_sha256(struct transfer *t, unsigned char out[32])
{
	unsigned int n = 32;

	EVP_DigestFinal_ex(t->md, out, &n);
	EVP_DigestInit_ex(t->md, EVP_sha256(), NULL);
}

int
transfer_over(const struct transfer *t)
{
	return t->body.overflow;
}

void
transfer_close(struct transfer *t)
{
	if (t->h != NULL)
		curl_easy_cleanup(t->h);
	EVP_MD_CTX_free(t->md);
	buf_free(&t->body);
	memset(t, 0, sizeof(*t));
}
