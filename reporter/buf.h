/*
 * buf.h - a growable byte buffer for the reporter, which builds whole
 * messages in memory (never on a packet path, so malloc is fine). An
 * allocation failure is remembered and reported once by sw_buf_ok().
 */
#ifndef SW_BUF_H
#define SW_BUF_H
#include <stdbool.h>
#include <stddef.h>

struct sw_buf {
	char *data;     /* always NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	bool failed;    /* an allocation failed; contents are truncated */
};

#define SW_BUF_INIT { NULL, 0, 0, false }

void sw_buf_add(struct sw_buf *b, const void *data, size_t len);
void sw_buf_adds(struct sw_buf *b, const char *s);
void sw_buf_addc(struct sw_buf *b, char c);
void sw_buf_printf(struct sw_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty). */
const char *sw_buf_str(const struct sw_buf *b);
bool sw_buf_ok(const struct sw_buf *b);
void sw_buf_reset(struct sw_buf *b);   /* length 0, memory kept */
void sw_buf_free(struct sw_buf *b);
#endif
