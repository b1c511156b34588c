/*
 * names.c - the memo's reverse-DNS names: which source and host addresses
 * are looked up (rdns.c does the lookup) and where the answers go.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "util.h"

static bool may_resolve(const struct sw_namer *n, const struct sw_addr *a)
{
	if (!n->resolver)
		return false;
	/* like whois: special-use addresses only to a server we were given */
	return !sw_addr_is_special(a) || n->special_ok;
}

int sw_names_add_source(const struct sw_namer *n, struct sw_memo *m, const char *text)
{
	struct sw_memo_source *s, *grown;
	struct sw_addr a;

	if (!sw_addr_parse(text, &a))
		return 0;
	for (size_t i = 0; i < m->nsrc; i++)
		if (sw_addr_eq(&m->src[i].addr, &a))
			return 0;
	grown = realloc(m->src, (m->nsrc + 1) * sizeof *m->src);
	if (!grown)
		return -1;
	m->src = grown;
	s = &m->src[m->nsrc++];
	memset(s, 0, sizeof *s);
	s->addr = a;
	sw_addr_format(&a, s->text, sizeof s->text);
	if (may_resolve(n, &a))
		sw_rdns_lookup(n->resolver, &a, &s->rdns); /* a failure leaves it zeroed */
	if (!m->domain[0] && s->rdns.confirmed && s->rdns.domain[0])
		sw_fmt(m->domain, sizeof m->domain, "%s", s->rdns.domain);
	return 0;
}

void sw_names_hosts(const struct sw_namer *n, struct sw_memo *m)
{
	for (size_t i = 0; i < m->nhosts && i < 10; i++) {
		struct sw_addr a;
		struct sw_rdns d;

		if (!sw_addr_parse(m->hosts[i].addr, &a) || !may_resolve(n, &a))
			continue;
		if (sw_rdns_lookup(n->resolver, &a, &d) == 0 && d.confirmed)
			sw_fmt(m->hosts[i].name, sizeof m->hosts[i].name, "%s", d.name);
	}
}
