/*
 * util.h - small helpers every program needs: strict number parsing and
 * making hostile text safe to print.
 */
#ifndef SW_UTIL_H
#define SW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse a whole decimal string into [min, max]; false on junk, overflow,
 * empty input or a value out of range. */
bool sw_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Copy src (srclen bytes, or up to NUL if srclen is (size_t)-1) into dst as
 * printable text: control bytes, DEL and bytes >= 0x80 become \xNN, a
 * backslash becomes \\. Always NUL-terminates; returns dst. */
char *sw_sanitize(char *dst, size_t dstlen, const char *src, size_t srclen);

/* A command-line mistake: "PROG: msg", a hint to --help, exit status 2. */
void sw_usage_error(const char *msg) __attribute__((noreturn));

/* The number an option was given, in [min, max]; anything else is a usage
 * error naming the option. */
uint64_t sw_option_number(const char *opt, const char *arg, uint64_t min, uint64_t max);

/* snprintf into a fixed buffer; true if it fit. */
bool sw_fmt(char *dst, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Split "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 literal
 * (two colons or more, port def_port) into host (brackets removed, not
 * otherwise checked) and port. False with a short reason in *why on junk:
 * an unterminated bracket, an empty or too long host, a port outside
 * 1-65535. */
bool sw_split_hostport(const char *s, char *host, size_t hostlen, uint16_t *port,
		       uint16_t def_port, const char **why);

/* Room for need elements of size bytes in *p, whose capacity is *cap
 * (doubled from 16 as needed). 0, or -1 on overflow or out of memory with
 * *p and *cap unchanged. */
int sw_grow(void **p, size_t *cap, size_t need, size_t size);

#define SW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
