/*
 * whois_net.c - the whois client's network I/O, bounded in every way: one
 * TCP query (connect within the timeout, trying each address; the query
 * sent; the answer read until the server closes, each read within the
 * timeout, the whole answer within ANSWER_DEADLINE_FACTOR of them, at most
 * max_response bytes kept) and the pacing of queries per server.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "timefmt.h"
#include "util.h"
#include "whois_net.h"

/* A trickling server keeps every single read alive; the whole answer must
 * still end: it gets this many read timeouts in total. */
#define ANSWER_DEADLINE_FACTOR 3
#define READ_CHUNK 4096

/* ---- bounded socket I/O ---------------------------------------------------- */

/* poll one descriptor until deadline; 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events, .revents = 0 };
		int64_t left = deadline - sw_mono_ms();
		int rc;

		if (left <= 0)
			return 0;
		rc = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* Connect to host:port within timeout_ms, trying each address in turn. */
static int connect_bounded(const char *host, uint16_t port, unsigned timeout_ms,
			   const char *label, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char portstr[8];
	int64_t deadline = sw_mono_ms() + timeout_ms;
	int rc, fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	sw_fmt(portstr, sizeof(portstr), "%u", (unsigned)port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0) {
		sw_fmt(err, errlen, "%s: cannot resolve: %s", label, gai_strerror(rc));
		return -1;
	}
	sw_fmt(err, errlen, "%s: no address", label);
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int soerr = 0, w;
		socklen_t sl = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			sw_fmt(err, errlen, "%s: socket: %s", label, strerror(errno));
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS) {
			sw_fmt(err, errlen, "%s: connect: %s", label, strerror(errno));
		} else if ((w = wait_fd(fd, POLLOUT, deadline)) == 0) {
			sw_fmt(err, errlen, "%s: connect timed out after %u ms", label, timeout_ms);
		} else if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) {
			sw_fmt(err, errlen, "%s: connect: %s", label, strerror(errno));
		} else if (soerr != 0) {
			sw_fmt(err, errlen, "%s: connect: %s", label, strerror(soerr));
		} else {
			break;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int send_all(int fd, const char *data, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLOUT, deadline) <= 0)
				return -1;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			return -1;
		}
	}
	return 0;
}

/*
 * Read the answer until the server closes: each read waits at most
 * timeout_ms, the whole answer at most ANSWER_DEADLINE_FACTOR times that,
 * and at most max_response bytes are kept (the first ones). An answer that
 * reached the cap or a deadline is kept and marked truncated.
 */
static int read_answer(int fd, const struct sw_whois_net_query *c, struct sw_buf *out,
		       bool *truncated, char *err, size_t errlen)
{
	const char *label = c->label;
	char chunk[READ_CHUNK];
	int64_t overall = sw_mono_ms() + (int64_t)c->timeout_ms * ANSWER_DEADLINE_FACTOR;

	for (;;) {
		int64_t now = sw_mono_ms();
		int64_t read_deadline = now + c->timeout_ms;
		int w;
		ssize_t n;

		if (read_deadline > overall)
			read_deadline = overall;
		w = wait_fd(fd, POLLIN, read_deadline);
		if (w < 0) {
			sw_fmt(err, errlen, "%s: poll: %s", label, strerror(errno));
			return -1;
		}
		if (w == 0) {
			if (out->len == 0) {
				sw_fmt(err, errlen, "%s: no answer within %u ms", label, c->timeout_ms);
				return -1;
			}
			/* a stalled or never-ending answer: keep what came */
			*truncated = true;
			return 0;
		}
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			if (out->len > 0) {
				*truncated = true;
				return 0;
			}
			sw_fmt(err, errlen, "%s: read: %s", label, strerror(errno));
			return -1;
		}
		if ((size_t)n > c->max_response - out->len) {
			sw_buf_add(out, chunk, c->max_response - out->len);
			*truncated = true;
			break;
		}
		sw_buf_add(out, chunk, (size_t)n);
		if (out->len >= c->max_response) {
			/* full: whatever follows is not read, so call it cut */
			*truncated = true;
			break;
		}
	}
	if (!sw_buf_ok(out)) {
		sw_fmt(err, errlen, "%s: out of memory", label);
		return -1;
	}
	if (out->len == 0) {
		sw_fmt(err, errlen, "%s: closed the connection without an answer", label);
		return -1;
	}
	return 0;
}

/* ---- pacing --------------------------------------------------------------- */

/* Wait until pace_ms passed since the last query to key, then note now.
 * A full table forgets the server asked longest ago. */
void sw_whois_pace(struct sw_whois_pacer *p, const char *key, unsigned pace_ms)
{
	struct sw_whois_pace_slot *slot = NULL;
	int64_t now = sw_mono_ms();

	for (size_t i = 0; i < SW_WHOIS_PACE_SLOTS && !slot; i++)
		if (strcmp(p->slot[i].key, key) == 0)
			slot = &p->slot[i];
	if (slot) {
		int64_t due = slot->last_ms + pace_ms;
		if (due > now) {
			sw_sleep_ms(due - now);
			now = sw_mono_ms();
		}
	} else {
		slot = &p->slot[0];
		for (size_t i = 0; i < SW_WHOIS_PACE_SLOTS; i++) {
			if (p->slot[i].key[0] == '\0') {
				slot = &p->slot[i];
				break;
			}
			if (p->slot[i].last_ms < slot->last_ms)
				slot = &p->slot[i];
		}
		sw_fmt(slot->key, sizeof(slot->key), "%s", key);
	}
	slot->last_ms = now;
}

/* ---- one query ------------------------------------------------------------ */

int sw_whois_net_ask(const struct sw_whois_net_query *q, struct sw_buf *answer,
		     bool *truncated, char *err, size_t errlen)
{
	int fd, rc;

	fd = connect_bounded(q->host, q->port, q->timeout_ms, q->label, err, errlen);
	if (fd < 0)
		return -1;
	sw_buf_reset(answer);
	*truncated = false;
	if (send_all(fd, q->line, strlen(q->line), sw_mono_ms() + q->timeout_ms) < 0) {
		sw_fmt(err, errlen, "%s: sending the query failed: %s", q->label, strerror(errno));
		close(fd);
		return -1;
	}
	rc = read_answer(fd, q, answer, truncated, err, errlen);
	close(fd);
	return rc;
}
