/*
 * buf.c - the reporter's growable byte buffer (see buf.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

static bool reserve(struct sw_buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (extra > SIZE_MAX - b->len - 1 ||
	    sw_grow((void **)&b->data, &b->cap, b->len + extra + 1, 1) < 0) {
		b->failed = true;
		return false;
	}
	return true;
}

void sw_buf_add(struct sw_buf *b, const void *data, size_t len)
{
	if (!reserve(b, len))
		return;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void sw_buf_adds(struct sw_buf *b, const char *s)
{
	sw_buf_add(b, s, strlen(s));
}

void sw_buf_addc(struct sw_buf *b, char c)
{
	sw_buf_add(b, &c, 1);
}

void sw_buf_printf(struct sw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *sw_buf_str(const struct sw_buf *b)
{
	return b->data ? b->data : "";
}

bool sw_buf_ok(const struct sw_buf *b)
{
	return !b->failed;
}

void sw_buf_reset(struct sw_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void sw_buf_free(struct sw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}
