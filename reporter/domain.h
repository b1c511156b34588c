/*
 * domain.h - the registrable domain of a host name (domain.c, libpsl).
 */
#ifndef SW_DOMAIN_H
#define SW_DOMAIN_H
#include <stdbool.h>
#include <stddef.h>

/* The registrable domain of a host name ("7dyn94.ztm.casema.net" ->
 * "casema.net"; "host.example.co.uk" -> "example.co.uk"); false if none. */
bool sw_registrable_domain(const char *name, char *out, size_t outlen);

#endif
