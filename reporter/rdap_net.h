/*
 * rdap_net.h - the RDAP client's network I/O (rdap_net.c): one bounded
 * HTTPS GET with libcurl, paced per host, retried after HTTP 429. No
 * redirect is followed here: the status and the Location go back to the
 * caller (rdap.c), which counts them against its hop limit.
 */
#ifndef SW_RDAP_NET_H
#define SW_RDAP_NET_H
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "rdap_parse.h"
#include "whois_net.h"

/* Longest wait a Retry-After header can ask for before a retry. */
#define SW_RDAP_RETRY_AFTER_MAX_MS 60000

struct sw_rdap_net {
	unsigned timeout_ms;          /* connect; the whole request gets 3 times that */
	size_t max_response;          /* bytes of a body at most (beyond: aborted) */
	const char *ca_file;          /* CA bundle; NULL or "": the system store */
	unsigned pace_ms;             /* at least this between two requests to a host */
	unsigned rate_limit_retries;  /* retries after HTTP 429 */
	unsigned rate_limit_wait_ms;  /* wait before such a retry without Retry-After */
	struct sw_whois_pacer *pacer; /* shared with port 43 (keys differ: scheme://) */
};

struct sw_rdap_reply {
	long status;                  /* HTTP status, 0 when none arrived */
	struct sw_buf body;           /* reset by each request */
	char location[SW_RDAP_URLLEN]; /* a redirect's target (absolute), else "" */
	unsigned attempts;            /* requests made (429 retries included) */
};

/* Start and stop libcurl (once per process, around any request). */
bool sw_rdap_net_init(char *err, size_t errlen);
void sw_rdap_net_cleanup(void);

/*
 * True if url may be asked: https://, or http:// to a loopback host (tests
 * only), with a host. origin gets "scheme://host:port" (the pacing key and
 * where a relative link points); may be NULL.
 */
bool sw_rdap_url_ok(const char *url, char *origin, size_t originlen);

/* The same test, with origin "scheme://host[:port]" (the port only when
 * the URL names one): what a contact's server says. "" when refused. */
bool sw_rdap_url_origin(const char *url, char *origin, size_t originlen);

/*
 * GET url (Accept: application/rdap+json). 0 when an HTTP answer arrived
 * (any status: rep->status, rep->body, rep->location for a redirect), or
 * -1 with a short printable reason in err: "timed out after N ms", "TLS:
 * ...", "answer larger than N bytes", "connection refused", "HTTP 429
 * (refused N times)".
 */
int sw_rdap_net_get(const struct sw_rdap_net *n, const char *url, struct sw_rdap_reply *rep,
		    char *err, size_t errlen);

#endif
