/*
 * domain.c - the registrable domain of a host name (libpsl's copy of the
 * Public Suffix List): the part a registry sells, "casema.net" of
 * "7dyn94.ztm.casema.net", "example.co.uk" of "host.example.co.uk".
 */
#include <config.h>

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <libpsl.h>

#include "domain.h"
#include "hostname.h"
#include "util.h"

static const psl_ctx_t *psl_context(void)
{
	static const psl_ctx_t *psl;
	static bool tried;

	if (!tried) {
		tried = true;
		psl = psl_builtin();
		if (!psl)
			psl = psl_latest(NULL);    /* the distribution's list file */
	}
	return psl;
}

/* Lower-cased copy of a plain host name without its trailing dot; false
 * for anything that is not one (empty labels, odd bytes, too long). */
static bool normalise_host(const char *name, char *out, size_t outlen)
{
	return sw_host_normal(name, strlen(name), SW_HOST_UNDERSCORE, out, outlen);
}

bool sw_registrable_domain(const char *name, char *out, size_t outlen)
{
	char host[256];
	const psl_ctx_t *psl = psl_context();
	const char *d;

	if (outlen > 0)
		out[0] = '\0';
	if (!name || !psl || !normalise_host(name, host, sizeof(host)))
		return false;
	d = psl_registrable_domain(psl, host);
	if (!d || !*d)
		return false;
	return sw_fmt(out, outlen, "%s", d);
}
