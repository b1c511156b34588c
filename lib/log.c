/*
 * log.c - one-line messages to stderr, prefixed with the program name.
 * Errors and warnings always print; info and debug follow -v/-q.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

static const char *progname = PACKAGE;
static enum sw_log_level current_level = SW_LOG_WARN;

void sw_log_init(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0)
		progname = slash ? slash + 1 : argv0;
}

const char *sw_progname(void)
{
	return progname;
}

void sw_log_set_level(enum sw_log_level level)
{
	current_level = level;
}

enum sw_log_level sw_log_get_level(void)
{
	return current_level;
}

void sw_log(enum sw_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > current_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* one write per line so lines of two threads never interleave */
	fprintf(stderr, "%s: %s%s\n", progname,
	        level == SW_LOG_WARN ? "warning: " : "", line);
}
