/*
 * hostname.c - the one rule for host names in the reporter (see hostname.h).
 */
#include "config.h"

#include "hostname.h"

bool sw_host_label_char(unsigned char c, unsigned flags)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' ||
	       (c == '_' && (flags & SW_HOST_UNDERSCORE));
}

/* Length of the name without one trailing dot, if it is a host name;
 * 0 if not. */
static size_t host_length(const char *name, size_t n, unsigned flags)
{
	size_t label = 0, labels = 1;

	if (name == NULL)
		return 0;
	if (n > 1 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > SW_HOST_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			/* an empty label, or one ending in '-' */
			if (label == 0 || name[i - 1] == '-')
				return 0;
			label = 0;
			labels++;
			continue;
		}
		if (!sw_host_label_char(c, flags) || (label == 0 && c == '-') || ++label > 63)
			return 0;
	}
	if (label == 0 || name[n - 1] == '-')
		return 0; /* an empty last label ("a.."), or one ending in '-' */
	if ((flags & SW_HOST_DOMAIN) && labels < 2)
		return 0;
	return n;
}

bool sw_host_ok(const char *name, size_t n, unsigned flags)
{
	return host_length(name, n, flags) != 0;
}

bool sw_host_normal(const char *name, size_t n, unsigned flags, char *out, size_t outlen)
{
	size_t len = host_length(name, n, flags);

	if (outlen > 0)
		out[0] = '\0';
	if (len == 0 || len >= outlen)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	out[len] = '\0';
	return true;
}
