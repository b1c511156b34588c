/*
 * log.h - messages to stderr, one line each, prefixed with the program name.
 *
 * Anything that came off the wire, out of DNS or out of whois must pass
 * through sw_sanitize() (util.h) before it is printed: no terminal escapes.
 */
#ifndef SW_LOG_H
#define SW_LOG_H

#include <stdarg.h>

enum sw_log_level { SW_LOG_ERROR = 0, SW_LOG_WARN, SW_LOG_INFO, SW_LOG_DEBUG };

void sw_log_init(const char *progname);
const char *sw_progname(void);
void sw_log_set_level(enum sw_log_level level);
enum sw_log_level sw_log_get_level(void);

void sw_log(enum sw_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define sw_err(...) sw_log(SW_LOG_ERROR, __VA_ARGS__)
#define sw_warn(...) sw_log(SW_LOG_WARN, __VA_ARGS__)
#define sw_info(...) sw_log(SW_LOG_INFO, __VA_ARGS__)
#define sw_debug(...) sw_log(SW_LOG_DEBUG, __VA_ARGS__)

#endif
