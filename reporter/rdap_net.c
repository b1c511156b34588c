/*
 * rdap_net.c - one RDAP request over HTTPS with libcurl, bounded in every
 * way: only https:// (http:// to a loopback host alone, for the tests),
 * connect within the timeout and the whole request within
 * REQUEST_DEADLINE_FACTOR of it, the body cut off (the transfer aborted)
 * past max_response bytes, no redirect followed by curl, requests paced
 * per host, and HTTP 429 answered by waiting (Retry-After, bounded) and
 * asking again a bounded number of times.
 *
 * URLs come from bootstrap files and from answers (redirects, links):
 * hostile text, checked by sw_rdap_url_ok() before every request.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "hostname.h"
#include "log.h"
#include "rdap_net.h"
#include "timefmt.h"
#include "util.h"

/* A trickling server keeps the connection alive; the request must still
 * end: it gets this many connect timeouts in total. */
#define REQUEST_DEADLINE_FACTOR 3

static bool curl_ready;

bool sw_rdap_net_init(char *err, size_t errlen)
{
	if (curl_ready)
		return true;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		sw_fmt(err, errlen, "libcurl: initialisation failed");
		return false;
	}
	curl_ready = true;
	return true;
}

void sw_rdap_net_cleanup(void)
{
	if (curl_ready)
		curl_global_cleanup();
	curl_ready = false;
}

/* ---- which URLs may be asked ------------------------------------------ */

static bool loopback_host(const char *host)
{
	return !strcmp(host, "127.0.0.1") || !strcmp(host, "[::1]") ||
	       !strcasecmp(host, "localhost");
}

/* Bytes a URL we accept never holds: blanks, control bytes, raw UTF-8,
 * and the quoting and bracketing characters of HTML and shells. */
static bool url_bytes_ok(const char *url)
{
	for (const char *p = url; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("\"'<>\\`{}|^", c))
			return false;
	}
	return true;
}

/* A host as named: a bracketed IPv6 literal (libcurl checked it) or a
 * host name or IPv4 address. */
static bool host_ok(const char *host)
{
	return host[0] == '[' || sw_host_ok(host, strlen(host), 0);
}

/*
 * The one policy for every URL RDAP touches: asked (rdap.c, rdap_net.c)
 * or handed back by the parser to be asked (rdap_parse.c). origin gets
 * "scheme://host" with ":port" (default_port: always; else only when the
 * URL names one), host in lower case; NULL for none.
 */
static bool url_check(const char *url, char *origin, size_t originlen, bool default_port)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
	bool ok = false;

	if (!u)
		return false;
	if (!url_bytes_ok(url) || strlen(url) >= SW_RDAP_URLLEN)
		goto out;
	/* libcurl reads "https:///x" as the host "x": an authority must follow */
	const char *sep = strstr(url, "://");
	if (!sep || sep[3] == '/' || sep[3] == '\0')
		goto out;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	/* user information in a URL only ever misleads */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_PORT, &port, default_port ? CURLU_DEFAULT_PORT : 0) !=
	    CURLUE_OK)
		port = NULL;
	for (char *h = host; *h; h++)
		*h = (char)tolower((unsigned char)*h);
	if (!host[0] || !host_ok(host))
		goto out;
	if (strcmp(scheme, "https") != 0 && !(strcmp(scheme, "http") == 0 && loopback_host(host)))
		goto out;
	ok = !origin || sw_fmt(origin, originlen, "%s://%s%s%s", scheme, host, port ? ":" : "",
			       port ? port : "");
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_url_cleanup(u);
	return ok;
}

bool sw_rdap_url_ok(const char *url, char *origin, size_t originlen)
{
	return url_check(url, origin, originlen, true);
}

bool sw_rdap_url_origin(const char *url, char *origin, size_t originlen)
{
	if (originlen)
		origin[0] = '\0';
	return url && url_check(url, origin, originlen, false);
}

/* ---- one request -------------------------------------------------------- */

struct transfer {
	struct sw_rdap_reply *rep;
	size_t max;
	bool too_big;
	long retry_after_s;        /* -1: none */
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nmemb;

	if (n > t->max || t->rep->body.len > t->max - n) {
		t->too_big = true;
		return 0;          /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	sw_buf_add(&t->rep->body, data, n);
	return sw_buf_ok(&t->rep->body) ? n : 0;
}

/* "Retry-After: 5" (seconds; an HTTP date counts as no value). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";
	size_t k = sizeof(name) - 1;

	if (n > k && n < 64 && strncasecmp(data, name, k) == 0) {
		long v = 0;
		size_t i = k;
		while (i < n && (data[i] == ' ' || data[i] == '\t'))
			i++;
		if (i < n && isdigit((unsigned char)data[i])) {
			while (i < n && isdigit((unsigned char)data[i]) && v < 1000000)
				v = v * 10 + (data[i++] - '0');
			t->retry_after_s = v;
		}
	}
	return n;
}

/* A libcurl failure as a short reason for the trace. */
static void describe(CURLcode rc, const struct transfer *t, const char *errbuf,
		     unsigned deadline_ms, char *err, size_t errlen)
{
	char safe[CURL_ERROR_SIZE];
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	sw_sanitize(safe, sizeof(safe), why, (size_t)-1);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		sw_fmt(err, errlen, "timed out after %u ms", deadline_ms);
		break;
	case CURLE_WRITE_ERROR:
		if (t->too_big)
			sw_fmt(err, errlen, "answer larger than %zu bytes", t->max);
		else
			sw_fmt(err, errlen, "out of memory");
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		sw_fmt(err, errlen, "TLS: %s", safe);
		break;
	case CURLE_COULDNT_CONNECT:
		sw_fmt(err, errlen, "cannot connect: %s", safe);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		sw_fmt(err, errlen, "cannot resolve: %s", safe);
		break;
	default:
		sw_fmt(err, errlen, "%s", safe);
		break;
	}
}

static int get_once(const struct sw_rdap_net *n, CURL *c, const char *url,
		    struct sw_rdap_reply *rep, long *retry_after_s, char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct transfer t = { rep, n->max_response ? n->max_response : 1, false, -1 };
	unsigned deadline_ms = n->timeout_ms * REQUEST_DEADLINE_FACTOR;
	const char *redirect = NULL;
	CURLcode rc;

	sw_buf_reset(&rep->body);
	rep->status = 0;
	rep->location[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t.max);
	rc = curl_easy_perform(c);
	rep->attempts++;
	*retry_after_s = t.retry_after_s;
	if (rc != CURLE_OK) {
		if (rc == CURLE_FILESIZE_EXCEEDED) {
			t.too_big = true;
			rc = CURLE_WRITE_ERROR;
		}
		describe(rc, &t, errbuf, deadline_ms, err, errlen);
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rep->status);
	if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect &&
	    !sw_fmt(rep->location, sizeof(rep->location), "%s", redirect))
		rep->location[0] = '\0';   /* too long to follow */
	return 0;
}

static CURL *new_handle(const struct sw_rdap_net *n, const char *url)
{
	static const char ua[] = "spanwatch-reporter/" PACKAGE_VERSION " (RDAP client)";
	bool http = strncmp(url, "http://", 7) == 0;
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	/* http:// only to loopback (checked by sw_rdap_url_ok): the tests */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, http ? "http" : "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* a proxy from the environment is used, but never for loopback */
	curl_easy_setopt(c, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)n->timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)n->timeout_ms * REQUEST_DEADLINE_FACTOR);
	curl_easy_setopt(c, CURLOPT_USERAGENT, ua);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (n->ca_file && n->ca_file[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, n->ca_file);
	return c;
}

int sw_rdap_net_get(const struct sw_rdap_net *n, const char *url, struct sw_rdap_reply *rep,
		    char *err, size_t errlen)
{
	char origin[SW_RDAP_URLLEN];
	struct curl_slist *hdrs = NULL;
	CURL *c;
	int rc = -1;

	rep->attempts = 0;
	if (!sw_rdap_url_ok(url, origin, sizeof(origin))) {
		sw_fmt(err, errlen, "not an https:// URL");
		return -1;
	}
	if (!sw_rdap_net_init(err, errlen))
		return -1;
	c = new_handle(n, url);
	hdrs = curl_slist_append(NULL, "Accept: application/rdap+json");
	if (!c || !hdrs) {
		sw_fmt(err, errlen, "libcurl: out of memory");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	for (unsigned attempt = 0;; attempt++) {
		long retry_after_s;
		int64_t wait_ms;

		if (n->pacer)
			sw_whois_pace(n->pacer, origin, n->pace_ms);
		rc = get_once(n, c, url, rep, &retry_after_s, err, errlen);
		if (rc < 0 || rep->status != 429)
			break;
		if (attempt >= n->rate_limit_retries) {
			sw_fmt(err, errlen, "HTTP 429 (refused %u times)", attempt + 1);
			rc = -1;
			break;
		}
		wait_ms = retry_after_s >= 0 ? (int64_t)retry_after_s * 1000 : n->rate_limit_wait_ms;
		if (wait_ms > SW_RDAP_RETRY_AFTER_MAX_MS)
			wait_ms = SW_RDAP_RETRY_AFTER_MAX_MS;
		sw_info("%s: HTTP 429, asking again in %lld ms", origin, (long long)wait_ms);
		sw_sleep_ms(wait_ms);
	}
out:
	curl_slist_free_all(hdrs);
	if (c)
		curl_easy_cleanup(c);
	return rc;
}
