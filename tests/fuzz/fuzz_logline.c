/*
 * fuzz_logline.c - libFuzzer harness for the analyzer's log-line parser
 * (analyzer/logline.h): every line of the input parsed in turn with one
 * context, as the analyzer reads one file.
 *
 * Input: one byte choosing the context (zone, year hint or file time),
 * then lines separated by '\n' (any bytes).
 *
 * Invariants: the result is a named outcome; an event has a named kind,
 * terminated and printable strings (CR and escapes in user names are kept
 * as data, sanitized: never written raw), a source that is an address or
 * a name, and the identity length is at most the line's.
 */
#include "fuzz_util.h"

#include "analyzer/logline.h"

static const char *const zones[] = { "UTC", "America/New_York", "Asia/Kolkata",
	                             "America/St_Johns", "Europe/Berlin", "" };

static void check_event(const struct sw_logev *ev)
{
	FUZZ_CHECK(ev->kind > SW_LOGEV_NONE && ev->kind < SW_LOGEV_NKINDS, "kind %d", ev->kind);
	FUZZ_CHECK(strcmp(sw_logev_kind_name(ev->kind), "?") != 0, "kind %d has no name", ev->kind);
	FUZZ_CHECK(FUZZ_TERMINATED(ev->host) && fuzz_printable(ev->host), "host");
	FUZZ_CHECK(FUZZ_TERMINATED(ev->program) && fuzz_printable(ev->program), "program");
	FUZZ_CHECK(FUZZ_TERMINATED(ev->src_name) && fuzz_printable(ev->src_name), "src_name");
	FUZZ_CHECK(FUZZ_TERMINATED(ev->user) && fuzz_printable(ev->user), "user '%s'", ev->user);
	FUZZ_CHECK(ev->src_numeric || ev->src_name[0], "an event without a source");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_logctx ctx;
	struct sw_logev ev;
	size_t at = 1;

	if (size < 1)
		return 0;
	memset(&ctx, 0, sizeof ctx);
	snprintf(ctx.tz, sizeof ctx.tz, "%s", zones[(data[0] & 7) % 6]);
	if (data[0] & 0x10)
		ctx.year_hint = 2026;
	else if (data[0] & 0x20)
		ctx.file_mtime_us = 1798761600000000ll; /* 2027-01-01 */

	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (data + at)) + 1 : size - at;
		char *line = fuzz_copy(data + at, len);
		enum sw_logres res = sw_log_parse(line, len, (data[0] & 0x40) ? NULL : &ctx, &ev);

		FUZZ_CHECK(res < SW_LOG_NRES && strcmp(sw_log_res_name(res), "?") != 0,
		           "outcome %d", (int)res);
		if (res == SW_LOG_OK)
			check_event(&ev);
		FUZZ_CHECK(sw_log_identity_len(line, len) <= len, "identity longer than the line");
		free(line);
		at += len;
	}
	return 0;
}
