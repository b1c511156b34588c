/*
 * whois_parse.c - turns one whois answer into what whois_parse.h promises:
 * the range of the most specific network containing the address (as
 * CIDRs), its name, organisation and country, and its contacts. This file
 * knows the answers' shapes; the document loader is whois_doc.c's, ranges
 * whois_range.c's, contacts and their ranking whois_contact.c's, referrals
 * and rate limits whois_referral.c's.
 *
 * Shapes understood: RPSL objects (RIPE, APNIC, AFRINIC, LACNIC, with
 * continuation lines), ARIN's "Key: value" sections, KRNIC's English
 * "[ Section ]" / "Key : value" form and JPNIC's "/e" form
 * ("a. [Network Number]   2001:db8::/32"), rwhois objects.
 *
 * The answer is hostile text; everything we keep is validated (e-mail
 * addresses) or made printable with sw_sanitize (names, handles). Every
 * lookup is bounded by the number of lines; nothing here recurses.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "util.h"
#include "whois_contact.h"
#include "whois_doc.h"
#include "whois_parse.h"
#include "whois_range.h"
#include "whois_referral.h"

/* Hostile answers can name thousands of handles or nest thousands of
 * networks; each lookup scans the answer, so both are bounded. */
#define HANDLES_MAX 32
#define FALLBACK_MAX 4

static void set_printable(char *dst, size_t dstlen, const char *v, size_t n)
{
	if (dst[0] == '\0' && n > 0)
		sw_sanitize(dst, dstlen, v, n);
}

static void set_country(char *dst, const char *v)
{
	char w[8];

	first_word(v, w, sizeof(w));
	if (dst[0] != '\0' || strlen(w) != 2 || !isalpha((unsigned char)w[0]) ||
	    !isalpha((unsigned char)w[1]))
		return;
	dst[0] = (char)toupper((unsigned char)w[0]);
	dst[1] = (char)toupper((unsigned char)w[1]);
	dst[2] = '\0';
}

/* A network found in the answer: its range and the items that describe
 * it (an RPSL object, or an ARIN/KRNIC/JPNIC group of items). */
enum shape { SHAPE_RPSL, SHAPE_ARIN, SHAPE_KRNIC, SHAPE_JPNIC, SHAPE_RWHOIS };

struct cand {
	enum shape shape;
	struct whois_range range;
	size_t first, end;
};

struct parse {
	struct doc *d;
	unsigned handles; /* handles resolved so far, at most HANDLES_MAX */
	struct object *objs;
	size_t nobjs;
	struct cand *cands;
	size_t ncands;
};

static void find_objects(struct parse *p)
{
	struct doc *d = p->d;

	p->objs = calloc(d->n ? d->n : 1, sizeof(*p->objs));
	p->nobjs = 0;
	if (p->objs == NULL)
		return;
	for (size_t i = 0; i < d->n;) {
		if (d->items[i].kind != ITEM_ATTR) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < d->n && d->items[j].kind == ITEM_ATTR && d->items[j].para == d->items[i].para)
			j++;
		p->objs[p->nobjs].first = i;
		p->objs[p->nobjs].end = j;
		p->nobjs++;
		i = j;
	}
}

static void add_cand(struct parse *p, enum shape shape, const struct whois_range *r,
		     size_t first, size_t end)
{
	struct cand *c = &p->cands[p->ncands++];
	c->shape = shape;
	c->range = *r;
	c->first = first;
	c->end = end;
}

/* RWhois: "network:IP-Network:23.131.4.16/28" is key "network" with the
 * value "IP-Network:..."; sub is the lower-case part before the colon. */
static const char *rwhois_value(const struct item *it, const char *sub)
{
	if (!is_attr(it, "network") || !istarts(it->val, sub))
		return NULL;
	return it->val + strlen(sub);
}

static bool starts_group(const struct item *e)
{
	return is_attr(e, "netrange") || rwhois_value(e, "ip-network:") ||
	       (e->kind == ITEM_BRACKET && strcmp(e->key, "network number") == 0) ||
	       (e->kind == ITEM_SECTION && strstr(e->key, "network information"));
}

static void find_cands(struct parse *p)
{
	struct doc *d = p->d;
	struct whois_range r;

	p->cands = calloc(d->n ? d->n : 1, sizeof(*p->cands));
	p->ncands = 0;
	if (p->cands == NULL)
		return;
	/* RPSL: inetnum/inet6num objects (LACNIC's too) */
	for (size_t o = 0; o < p->nobjs; o++) {
		struct item *it = &d->items[p->objs[o].first];
		if ((is_attr(it, "inetnum") || is_attr(it, "inet6num")) &&
		    whois_range_parse(it->val, it->vlen, &r))
			add_cand(p, SHAPE_RPSL, &r, p->objs[o].first, p->objs[o].end);
	}
	/* ARIN: a NetRange starts a network and the lines up to the next
	 * one (its organisation, customer and POCs) describe it. KRNIC and
	 * JPNIC likewise from their network headers. */
	for (size_t i = 0; i < d->n; i++) {
		struct item *it = &d->items[i];
		enum shape shape;
		if (is_attr(it, "netrange"))
			shape = SHAPE_ARIN;
		else if (it->kind == ITEM_SECTION && strstr(it->key, "network information"))
			shape = SHAPE_KRNIC;
		else if (it->kind == ITEM_BRACKET && strcmp(it->key, "network number") == 0)
			shape = SHAPE_JPNIC;
		else if (rwhois_value(it, "ip-network:"))
			shape = SHAPE_RWHOIS;
		else
			continue;
		size_t end = i + 1;
		bool ok = false;
		while (end < d->n && !starts_group(&d->items[end]))
			end++;
		if (shape == SHAPE_RWHOIS) {
			const char *v = rwhois_value(it, "ip-network:");
			ok = whois_range_parse(v, strlen(v), &r);
		} else if (shape == SHAPE_ARIN || shape == SHAPE_JPNIC) {
			ok = whois_range_parse(it->val, it->vlen, &r);
			if (!ok && shape == SHAPE_ARIN) /* no usable NetRange: the CIDR line */
				for (size_t j = i + 1; j < end && !ok; j++)
					if (is_attr(&d->items[j], "cidr"))
						ok = whois_range_parse(d->items[j].val,
								 strcspn(d->items[j].val, ","), &r);
		} else {
			for (size_t j = i + 1; j < end && !ok; j++)
				if (is_attr(&d->items[j], "ipv4 address") ||
				    is_attr(&d->items[j], "ipv6 address"))
					ok = whois_range_parse(d->items[j].val, d->items[j].vlen, &r);
		}
		size_t first = i;
		/* an rwhois object names itself before its IP-Network line */
		while (shape == SHAPE_RWHOIS && first > 0 && is_attr(&d->items[first - 1], "network") &&
		       d->items[first - 1].para == it->para &&
		       !rwhois_value(&d->items[first - 1], "ip-network:"))
			first--;
		if (ok)
			add_cand(p, shape, &r, first, end);
	}
}

/* ---- RPSL contacts ------------------------------------------------------ */

static bool obj_value_is(const struct doc *d, const struct object *o, const char *key,
			 const char *value)
{
	char w[128];

	for (size_t i = o->first; i < o->end; i++) {
		if (!is_attr(&d->items[i], key))
			continue;
		first_word(d->items[i].val, w, sizeof(w));
		if (ieq(w, value))
			return true;
	}
	return false;
}

/* A national registry's own IRT ("IRT-KRNIC-KR", "IRT-JPNIC-JP"). Not
 * judged by mnt-by: KRNIC maintains many Korean ISPs' objects, and an
 * ISP's own IRT is the network's contact. (Addresses at a registry's
 * domain are demoted anyway, see is_nir_address.) */
static bool is_nir_irt(const struct doc *d, const struct object *o)
{
	static const char *const nirs[] = {
		"krnic", "jpnic", "twnic", "cnnic", "idnic", "vnnic", "irinn",
	};
	const struct item *it = &d->items[o->first];

	if (!is_attr(it, "irt"))
		return false;
	for (size_t k = 0; k < SW_ARRAY_LEN(nirs); k++)
		if (ifind(it->val, it->vlen, nirs[k]))
			return true;
	return false;
}

/* A person or role object keyed by handle: RPSL's nic-hdl:, and
 * registro.br's nic-hdl-br: (its objects start with the handle). */
static bool names_handle(const struct doc *d, const struct object *o, const char *handle)
{
	return obj_value_is(d, o, "nic-hdl", handle) || obj_value_is(d, o, "nic-hdl-br", handle);
}

static bool obj_has(const struct doc *d, const struct object *o, const char *key)
{
	for (size_t i = o->first; i < o->end; i++)
		if (is_attr(&d->items[i], key))
			return true;
	return false;
}

/* The source a mailbox of the object a handle names gets. The abuse-c
 * is the designated abuse contact: its abuse-mailbox, or its e-mail when
 * it has none (LACNIC and registro.br persons only have e-mail:). An
 * abuse-mailbox: is designated wherever it is (an IRT's, APNIC; a role's
 * that RIPE's "% Abuse contact" line names); handles are resolved abuse-c
 * first, so a tech-c's never goes before the abuse-c's. Every other
 * e-mail reached through tech-c, admin-c, owner-c or an IRT is a
 * technical or administrative contact. */
static enum sw_contact_source resolved_source(const char *role, bool nir, bool abuse_mailbox,
					      bool has_abuse_mailbox)
{
	if (nir)
		return SW_CONTACT_NIR_IRT;
	if (abuse_mailbox)
		return SW_CONTACT_ABUSE_MAILBOX;
	if (strcmp(role, "abuse-c") == 0 && !has_abuse_mailbox)
		return SW_CONTACT_ABUSE_MAILBOX;
	return SW_CONTACT_ROLE_EMAIL;
}

/* The person, role, irt or organisation objects a handle names: their
 * abuse-mailbox first, then their e-mail and the addresses in their
 * remarks. */
static void rpsl_resolve(struct parse *p, struct answer *ans, const char *role,
			 const char *handle)
{
	struct doc *d = p->d;
	char via[96], safe[64], rvia[96];

	sw_sanitize(safe, sizeof(safe), handle, (size_t)-1);
	bool irt = strcmp(role, "mnt-irt") == 0;

	for (size_t o = 0; o < p->nobjs; o++) {
		const struct object *ob = &p->objs[o];
		if (irt ? !obj_value_is(d, ob, "irt", handle) : !names_handle(d, ob, handle))
			continue;
		bool nir = irt && is_nir_irt(d, ob);
		bool has_box = obj_has(d, ob, "abuse-mailbox");
		sw_fmt(via, sizeof(via), "%s %s%s", irt ? "irt" : role, safe,
		       nir ? " (national registry)" : "");
		sw_fmt(rvia, sizeof(rvia), "remarks of %s %s", irt ? "irt" : role, safe);
		for (size_t i = ob->first; i < ob->end; i++) {
			const struct item *it = &d->items[i];
			if (is_attr(it, "abuse-mailbox"))
				whois_add_contact(ans, it->val, it->vlen,
					    resolved_source(role, nir, true, has_box), via);
		}
		for (size_t i = ob->first; i < ob->end; i++) {
			const struct item *it = &d->items[i];
			if (is_attr(it, "e-mail"))
				whois_add_contact(ans, it->val, it->vlen,
					    resolved_source(role, nir, false, has_box), via);
			else if (is_attr(it, "remarks") && !nir)
				whois_add_text_contacts(ans, it->val, it->vlen, rvia);
		}
	}
}

/* Every value of key in the object, resolved in order. */
static void rpsl_resolve_key(struct parse *p, struct answer *ans, const struct object *ob,
			     const char *key)
{
	char handle[64];

	for (size_t i = ob->first; i < ob->end; i++) {
		const struct item *it = &p->d->items[i];
		if (!is_attr(it, key))
			continue;
		/* "admin-c: A1-RIPE, B2-RIPE" happens; so does one per line */
		const char *v = it->val;
		while (*v) {
			while (*v == ',' || is_blank((unsigned char)*v))
				v++;
			size_t n = strcspn(v, ", \t");
			if (n == 0)
				break;
			if (n < sizeof(handle) && p->handles < HANDLES_MAX) {
				p->handles++;
				memcpy(handle, v, n);
				handle[n] = '\0';
				rpsl_resolve(p, ans, key, handle);
			}
			v += n;
		}
	}
}

/* The organisation object the first "org:" of ob names. */
static const struct object *find_org(struct parse *p, const struct object *ob)
{
	char id[64];

	for (size_t i = ob->first; i < ob->end; i++) {
		if (!is_attr(&p->d->items[i], "org"))
			continue;
		first_word(p->d->items[i].val, id, sizeof(id));
		for (size_t o = 0; o < p->nobjs; o++)
			if (is_attr(&p->d->items[p->objs[o].first], "organisation") &&
			    obj_value_is(p->d, &p->objs[o], "organisation", id))
				return &p->objs[o];
		return NULL;
	}
	return NULL;
}

static void own_remarks(struct parse *p, struct answer *ans, const struct object *ob)
{
	for (size_t i = ob->first; i < ob->end; i++) {
		const struct item *it = &p->d->items[i];
		if (is_attr(it, "remarks") || is_attr(it, "descr"))
			whois_add_text_contacts(ans, it->val, it->vlen, it->key);
	}
}

static const struct object *object_at(struct parse *p, size_t first)
{
	for (size_t o = 0; o < p->nobjs; o++)
		if (p->objs[o].first == first)
			return &p->objs[o];
	return NULL;
}

static void rpsl_contacts(struct parse *p, struct answer *ans, const struct cand *c)
{
	const struct object *ob = object_at(p, c->first);
	if (ob == NULL)
		return;
	const struct object *org = find_org(p, ob);

	for (size_t i = ob->first; i < ob->end; i++) {
		const struct item *it = &p->d->items[i];
		if (is_attr(it, "abuse-mailbox"))
			whois_add_contact(ans, it->val, it->vlen, SW_CONTACT_ABUSE_MAILBOX, "abuse-mailbox");
		else if (is_attr(it, "e-mail"))
			whois_add_contact(ans, it->val, it->vlen, SW_CONTACT_ROLE_EMAIL, "e-mail");
	}
	rpsl_resolve_key(p, ans, ob, "abuse-c");
	if (org) {
		for (size_t i = org->first; i < org->end; i++)
			if (is_attr(&p->d->items[i], "abuse-mailbox"))
				whois_add_contact(ans, p->d->items[i].val, p->d->items[i].vlen,
					    SW_CONTACT_ABUSE_MAILBOX, "organisation abuse-mailbox");
		rpsl_resolve_key(p, ans, org, "abuse-c");
	}
	rpsl_resolve_key(p, ans, ob, "mnt-irt");
	rpsl_resolve_key(p, ans, ob, "admin-c");
	rpsl_resolve_key(p, ans, ob, "tech-c");
	rpsl_resolve_key(p, ans, ob, "owner-c");
	own_remarks(p, ans, ob);
	if (org)
		own_remarks(p, ans, org);
}

static void rpsl_names(struct parse *p, struct answer *ans, const struct cand *c)
{
	const struct object *ob = object_at(p, c->first);
	if (ob == NULL)
		return;
	const struct object *org = find_org(p, ob);

	for (size_t i = ob->first; i < ob->end; i++) {
		const struct item *it = &p->d->items[i];
		if (is_attr(it, "netname"))
			set_printable(ans->netname, sizeof(ans->netname), it->val, it->vlen);
		else if (is_attr(it, "country"))
			set_country(ans->country, it->val);
		else if (is_attr(it, "owner"))
			set_printable(ans->org, sizeof(ans->org), it->val, it->vlen);
	}
	if (org)
		for (size_t i = org->first; i < org->end; i++)
			if (is_attr(&p->d->items[i], "org-name"))
				set_printable(ans->org, sizeof(ans->org), p->d->items[i].val,
					      p->d->items[i].vlen);
	for (size_t i = ob->first; i < ob->end; i++)
		if (is_attr(&p->d->items[i], "descr"))
			set_printable(ans->org, sizeof(ans->org), p->d->items[i].val,
				      p->d->items[i].vlen);
}

/* ---- ARIN, KRNIC and JPNIC groups ---------------------------------------- */

static const struct {
	const char *key, *via;
	enum sw_contact_source source;
} arin_emails[] = {
	/* in this order: the network's own abuse POC before its organisation's */
	{ "rabuseemail", "RAbuseEmail", SW_CONTACT_ABUSE_MAILBOX },
	{ "orgabuseemail", "OrgAbuseEmail", SW_CONTACT_ABUSE_MAILBOX },
	{ "orgtechemail", "OrgTechEmail", SW_CONTACT_ROLE_EMAIL },
	{ "rtechemail", "RTechEmail", SW_CONTACT_ROLE_EMAIL },
	{ "orgnocemail", "OrgNOCEmail", SW_CONTACT_ROLE_EMAIL },
	{ "rnocemail", "RNOCEmail", SW_CONTACT_ROLE_EMAIL },
};

/* "network:Abuse-Email:a@b", "network:Tech-Contact;I:c@d" */
static void rwhois_contact(struct answer *ans, const struct item *it)
{
	char sub[KEY_MAX], via[96];

	if (!is_attr(it, "network"))
		return;
	size_t n = strcspn(it->val, ":");
	if (it->val[n] != ':' || n >= sizeof(sub))
		return;
	for (size_t i = 0; i < n; i++)
		sub[i] = (char)lower((unsigned char)it->val[i]);
	sub[n] = '\0';
	if (!strstr(sub, "mail") && !strstr(sub, "contact"))
		return;
	sw_fmt(via, sizeof(via), "rwhois %s", sub);
	whois_add_contact(ans, it->val + n + 1, it->vlen - n - 1,
		    strstr(sub, "abuse") ? SW_CONTACT_ABUSE_MAILBOX : SW_CONTACT_ROLE_EMAIL, via);
}

/* ARIN's POC e-mails of one network, in arin_emails' order (RAbuseEmail
 * before OrgAbuseEmail whatever order the answer lists them in). */
static void arin_contacts(struct parse *p, struct answer *ans, const struct cand *c)
{
	for (size_t k = 0; k < SW_ARRAY_LEN(arin_emails); k++)
		for (size_t i = c->first; i < c->end; i++) {
			const struct item *it = &p->d->items[i];
			if (is_attr(it, arin_emails[k].key))
				whois_add_contact(ans, it->val, it->vlen, arin_emails[k].source,
						  arin_emails[k].via);
		}
}

static void group_contacts(struct parse *p, struct answer *ans, const struct cand *c)
{
	char section[KEY_MAX] = "", via[96];

	if (c->shape == SHAPE_ARIN)
		arin_contacts(p, ans, c);

	for (size_t i = c->first; i < c->end; i++) {
		const struct item *it = &p->d->items[i];
		if (it->kind == ITEM_SECTION) {
			memcpy(section, it->key, sizeof(section));
			continue;
		}
		switch (c->shape) {
		case SHAPE_ARIN:
			if (is_attr(it, "comment"))
				whois_add_text_contacts(ans, it->val, it->vlen, "Comment");
			break;
		case SHAPE_KRNIC:
			if (is_attr(it, "e-mail")) {
				sw_fmt(via, sizeof(via), "KRNIC %s", section);
				whois_add_contact(ans, it->val, it->vlen,
					    strstr(section, "abuse") ? SW_CONTACT_ABUSE_MAILBOX
								     : SW_CONTACT_ROLE_EMAIL, via);
			}
			break;
		case SHAPE_JPNIC:
			if (it->kind != ITEM_BRACKET)
				break;
			if (strcmp(it->key, "abuse") == 0)
				whois_add_contact(ans, it->val, it->vlen, SW_CONTACT_ABUSE_MAILBOX,
					    "JPNIC [Abuse]");
			else if (strcmp(it->key, "e-mail") == 0)
				whois_add_contact(ans, it->val, it->vlen, SW_CONTACT_ROLE_EMAIL,
					    "JPNIC [E-Mail]");
			break;
		case SHAPE_RWHOIS:
			rwhois_contact(ans, it);
			break;
		case SHAPE_RPSL:
			break;
		}
	}
}

static void group_names(struct parse *p, struct answer *ans, const struct cand *c)
{
	for (size_t i = c->first; i < c->end; i++) {
		const struct item *it = &p->d->items[i];
		const char *k = it->key;
		if (it->kind != ITEM_ATTR && it->kind != ITEM_BRACKET)
			continue;
		if (c->shape == SHAPE_ARIN && it->kind == ITEM_ATTR) {
			if (strcmp(k, "netname") == 0)
				set_printable(ans->netname, sizeof(ans->netname), it->val, it->vlen);
			else if (strcmp(k, "orgname") == 0 || strcmp(k, "custname") == 0)
				set_printable(ans->org, sizeof(ans->org), it->val, it->vlen);
			else if (strcmp(k, "country") == 0)
				set_country(ans->country, it->val);
		} else if (c->shape == SHAPE_KRNIC && it->kind == ITEM_ATTR) {
			if (strcmp(k, "service name") == 0)
				set_printable(ans->netname, sizeof(ans->netname), it->val, it->vlen);
			else if (strcmp(k, "organization name") == 0)
				set_printable(ans->org, sizeof(ans->org), it->val, it->vlen);
		} else if (c->shape == SHAPE_JPNIC && it->kind == ITEM_BRACKET) {
			if (strcmp(k, "network name") == 0)
				set_printable(ans->netname, sizeof(ans->netname), it->val, it->vlen);
			else if (strcmp(k, "organization") == 0)
				set_printable(ans->org, sizeof(ans->org), it->val, it->vlen);
		}
	}
	if (c->shape == SHAPE_RWHOIS)
		for (size_t i = c->first; i < c->end; i++) {
			const struct item *it = &p->d->items[i];
			const char *v;
			if ((v = rwhois_value(it, "network-name:")))
				set_printable(ans->netname, sizeof(ans->netname), v, strlen(v));
			else if ((v = rwhois_value(it, "org-name:")))
				set_printable(ans->org, sizeof(ans->org), v, strlen(v));
			else if ((v = rwhois_value(it, "country-code:")))
				set_country(ans->country, v);
		}
	/* ARIN: "Organization: Google Inc. (GOGL)" when no OrgName came */
	if (c->shape == SHAPE_ARIN)
		for (size_t i = c->first; i < c->end; i++)
			if (is_attr(&p->d->items[i], "organization"))
				set_printable(ans->org, sizeof(ans->org), p->d->items[i].val,
					      p->d->items[i].vlen);
}

/* ---- the origin AS: RPSL route and route6 objects ------------------------ */

bool sw_whois_parse_asn(const char *v, size_t n, uint32_t *asn)
{
	uint64_t x = 0;

	if (v == NULL || n < 3 || n > 12 || lower((unsigned char)v[0]) != 'a' ||
	    lower((unsigned char)v[1]) != 's' || v[2] == '0')
		return false;
	for (size_t i = 2; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x == 0 || x > UINT32_MAX)
		return false;
	*asn = (uint32_t)x;
	return true;
}

/* The origin: of object o when it has exactly one and it is a valid AS
 * number ("origin: AS2856 # comment" is fine), else 0. */
static uint32_t route_origin(const struct doc *d, const struct object *o)
{
	uint32_t asn = 0;
	unsigned seen = 0;
	char w[32];

	for (size_t i = o->first; i < o->end; i++) {
		if (!is_attr(&d->items[i], "origin"))
			continue;
		if (++seen > 1)
			return 0; /* a route object has one origin; two is no answer */
		first_word(d->items[i].val, w, sizeof(w));
		if (strlen(w) + 1 == sizeof(w) || !sw_whois_parse_asn(w, strlen(w), &asn))
			return 0;
	}
	return seen == 1 ? asn : 0;
}

/* The most specific route:/route6: object covering the address with a
 * valid origin; among equals the first in the answer. */
static void route_origins(struct parse *p, struct answer *ans)
{
	const struct doc *d = p->d;
	char w[SW_ADDR_STRLEN + 8];

	for (size_t o = 0; o < p->nobjs; o++) {
		const struct item *it = &d->items[p->objs[o].first];
		struct sw_prefix pfx;
		bool six = is_attr(it, "route6");
		if (!six && !is_attr(it, "route"))
			continue;
		first_word(it->val, w, sizeof(w));
		if (strlen(w) + 1 == sizeof(w) || !strchr(w, '/') || !sw_prefix_parse(w, &pfx) ||
		    pfx.addr.family != (six ? SW_AF_INET6 : SW_AF_INET) ||
		    !sw_prefix_contains(&pfx, ans->a))
			continue;
		if (ans->origin_as != 0 && pfx.len <= ans->origin_route.len)
			continue;
		uint32_t asn = route_origin(d, &p->objs[o]);
		if (asn == 0)
			continue;
		ans->origin_as = asn;
		ans->origin_route = pfx;
	}
}

/* ---- aut-num objects: the origin's upstreams (issue 16) ------------------- */

bool sw_whois_asn_is_special(uint32_t asn)
{
	return asn == 0 || asn == 23456 || (asn >= 64496 && asn <= 65535) ||
	       (asn >= 65536 && asn <= 65551) || asn >= 4200000000u;
}

/* The next blank-separated word of v[*i..n) into w (cap bytes with its
 * NUL); false at the end or for a word too long to be one we know. */
static bool next_word(const char *v, size_t n, size_t *i, char *w, size_t cap)
{
	size_t k = 0;

	while (*i < n && is_blank((unsigned char)v[*i]))
		(*i)++;
	if (*i >= n)
		return false;
	while (*i < n && !is_blank((unsigned char)v[*i])) {
		if (k + 1 >= cap)
			return false;
		w[k++] = v[(*i)++];
	}
	w[k] = '\0';
	return true;
}

/* A policy keyword that ends the plain "from ASx ... accept ANY" form. */
static bool policy_keyword(const char *w)
{
	static const char *const kw[] = { "from", "to", "accept", "announce", "refine",
					  "except", "protocol", "into", "afi" };

	for (size_t k = 0; k < SW_ARRAY_LEN(kw); k++)
		if (ieq(w, kw[k]))
			return true;
	return false;
}

/* The next word with a trailing ';' removed (an empty one is no word). */
static bool next_policy_word(const char *v, size_t n, size_t *i, char *w, size_t cap)
{
	size_t wl;

	do {
		if (!next_word(v, n, i, w, cap))
			return false;
		wl = strlen(w);
		if (wl > 0 && w[wl - 1] == ';')
			w[--wl] = '\0';
	} while (wl == 0);
	return true;
}

bool sw_whois_import_any(const char *v, size_t n, uint32_t *from)
{
	char w[64];
	size_t i = 0, words = 0;
	uint32_t asn;

	if (v == NULL || n > 1024)
		return false;
	/* an end-of-line comment is no part of the policy */
	for (size_t k = 0; k < n; k++)
		if (v[k] == '#') {
			n = k;
			break;
		}
	/* structured RPSL-ng ("{ from ... }"), filters in parentheses and
	 * control bytes: not the plain form */
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)v[k];
		if (c == '{' || c == '}' || c == '(' || c == ')' || c == 0x7f ||
		    (c < 0x20 && !is_blank(c)))
			return false;
	}
	if (!next_policy_word(v, n, &i, w, sizeof w))
		return false;
	if (ieq(w, "afi")) {
		/* "afi ipv4.unicast, ipv6.unicast": its list, up to "from" */
		do {
			if (!next_policy_word(v, n, &i, w, sizeof w) || ++words > 16)
				return false;
		} while (!policy_keyword(w));
	}
	if (!ieq(w, "from") || !next_policy_word(v, n, &i, w, sizeof w) ||
	    !sw_whois_parse_asn(w, strlen(w), &asn))
		return false;
	/* the peering's router addresses, "at ...", "action pref=10;" */
	words = 0;
	for (;;) {
		if (!next_policy_word(v, n, &i, w, sizeof w) || ++words > 32)
			return false;
		if (ieq(w, "accept"))
			break;
		if (policy_keyword(w) && !ieq(w, "at"))
			return false; /* several peerings, or not an import */
	}
	if (!next_policy_word(v, n, &i, w, sizeof w) || !ieq(w, "any"))
		return false;
	/* "accept ANY AND NOT {...}", "accept ANY; refine ...": not plain */
	if (next_policy_word(v, n, &i, w, sizeof w))
		return false;
	*from = asn;
	return true;
}

/* "% Abuse contact for 'AS64501' is 'abuse@transit.example'" */
static void autnum_abuse_comment(const struct doc *d, uint32_t asn, struct answer *ans)
{
	static const char lead[] = "abuse contact for '";

	for (size_t i = 0; i < d->n; i++) {
		const struct item *it = &d->items[i];
		uint32_t named;
		if (it->kind != ITEM_COMMENT || !istarts(it->val, lead))
			continue;
		const char *rs = it->val + strlen(lead);
		const char *re = strchr(rs, '\'');
		if (re == NULL || !istarts(re, "' is '") ||
		    !sw_whois_parse_asn(rs, (size_t)(re - rs), &named) || named != asn)
			continue;
		const char *es = re + 6, *ee = strchr(es, '\'');
		if (ee != NULL)
			whois_add_contact(ans, es, (size_t)(ee - es), SW_CONTACT_ABUSE_COMMENT,
					  "% Abuse contact");
	}
}

void sw_whois_parse_autnum(const char *text, size_t len, uint32_t asn, struct sw_autnum *out)
{
	struct doc d;
	struct parse p;
	struct answer ans;
	const struct object *ob = NULL;
	char w[32];

	memset(out, 0, sizeof *out);
	if (text == NULL || asn == 0 || !whois_doc_load(&d, text, len))
		return;
	memset(&p, 0, sizeof p);
	p.d = &d;
	find_objects(&p);
	if (p.objs == NULL) {
		whois_doc_free(&d);
		return;
	}
	for (size_t o = 0; o < p.nobjs && ob == NULL; o++) {
		const struct item *it = &d.items[p.objs[o].first];
		uint32_t v;
		if (!is_attr(it, "aut-num"))
			continue;
		first_word(it->val, w, sizeof w);
		if (strlen(w) + 1 < sizeof w && sw_whois_parse_asn(w, strlen(w), &v) && v == asn)
			ob = &p.objs[o];
	}
	memset(&ans, 0, sizeof ans);
	autnum_abuse_comment(&d, asn, &ans);
	if (ob != NULL) {
		out->found = true;
		for (size_t i = ob->first; i < ob->end; i++) {
			const struct item *it = &d.items[i];
			uint32_t from;
			if (is_attr(it, "as-name"))
				set_printable(out->as_name, sizeof out->as_name, it->val, it->vlen);
			if (!(is_attr(it, "import") || is_attr(it, "mp-import")) ||
			    !sw_whois_import_any(it->val, it->vlen, &from) || from == asn)
				continue;
			bool dup = false;
			for (unsigned k = 0; k < out->nupstreams; k++)
				dup = dup || out->upstreams[k] == from;
			if (dup)
				continue;
			if (out->nupstreams < SW_WHOIS_MAX_UPSTREAMS)
				out->upstreams[out->nupstreams++] = from;
			else if (out->more_upstreams < 1000000)
				out->more_upstreams++;
		}
		struct cand c = { .shape = SHAPE_RPSL, .first = ob->first, .end = ob->end };
		rpsl_contacts(&p, &ans, &c);
	}
	/* only the designated ones: an upstream is written to about its
	 * customer's abuse, never at its technical contacts */
	for (unsigned i = 0; i < ans.ncontacts && i < ANSWER_MAX_CONTACTS; i++)
		if (ans.contacts[i].source <= SW_CONTACT_ABUSE_COMMENT &&
		    out->nabuse < SW_ARRAY_LEN(out->abuse))
			out->abuse[out->nabuse++] = ans.contacts[i];
	free(p.objs);
	whois_doc_free(&d);
}

/* ---- putting one answer together ---------------------------------------- */

/* "% Abuse contact for '62.239.237.0 - 62.239.237.255' is 'protect@bt.com'" */
static void abuse_comments(struct parse *p, struct answer *ans)
{
	static const char lead[] = "abuse contact for '";

	for (size_t i = 0; i < p->d->n; i++) {
		const struct item *it = &p->d->items[i];
		if (it->kind != ITEM_COMMENT || !istarts(it->val, lead))
			continue;
		const char *rs = it->val + strlen(lead);
		const char *re = strchr(rs, '\'');
		if (re == NULL || !istarts(re, "' is '"))
			continue;
		const char *es = re + 6, *ee = strchr(es, '\'');
		struct whois_range r;
		if (ee == NULL || !whois_range_parse(rs, (size_t)(re - rs), &r) ||
		    !whois_range_contains(&r, ans->a))
			continue;
		whois_add_contact(ans, es, (size_t)(ee - es), SW_CONTACT_ABUSE_COMMENT,
			    "% Abuse contact");
	}
}

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	int c = whois_range_cmp_size(&a->range, &b->range);
	if (c != 0)
		return c;
	return a->first < b->first ? -1 : a->first > b->first;
}

static void cand_contacts(struct parse *p, struct answer *ans, const struct cand *c)
{
	if (c->shape == SHAPE_RPSL)
		rpsl_contacts(p, ans, c);
	else
		group_contacts(p, ans, c);
}

static void cand_names(struct parse *p, struct answer *ans, const struct cand *c)
{
	if (c->shape == SHAPE_RPSL)
		rpsl_names(p, ans, c);
	else
		group_names(p, ans, c);
}

/* Domain whois (registries and registrars): the contacts of the domain. */
/* A domain registry's contact e-mail lines: "Registrant Email:",
 * "Admin Email:", "Tech Contact E-mail:", "Billing Email:", … */
static void domain_contacts(struct doc *d, struct answer *ans)
{
	static const struct {
		const char *role, *via;
	} roles[] = {
		{ "registrant", "Registrant Email" }, { "admin", "Admin Email" },
		{ "tech", "Tech Email" }, { "billing", "Billing Email" },
	};

	for (size_t i = 0; i < d->n; i++) {
		const struct item *it = &d->items[i];

		if (it->kind != ITEM_ATTR ||
		    (!strstr(it->key, "email") && !strstr(it->key, "e-mail")))
			continue;
		for (size_t k = 0; k < SW_ARRAY_LEN(roles); k++)
			if (strncmp(it->key, roles[k].role, strlen(roles[k].role)) == 0) {
				whois_add_contact(ans, it->val, it->vlen, SW_CONTACT_DOMAIN,
					    roles[k].via);
				break;
			}
	}
}

/* A registry stub: a block the registry only records as handed to
 * another registry or reserved (IANA-BLK, NON-RIPE-NCC-MANAGED, ARIN's
 * "Allocated to RIPE NCC", "Early Registrations, Transferred to APNIC",
 * "IANA Special Use"). Its registry mailboxes are no contact for the
 * network; a registry's own network (RIPE NCC's 193.0.0.0/21) is none of
 * these and keeps them. */
static bool cand_is_stub(const struct parse *p, const struct cand *c)
{
	static const char *const netnames[] = {
		"iana-blk", "iana-netblock", "iana-reserved", "non-ripe-ncc-managed",
		"erx-netblock", "-erx-", "iana-special",
	};
	static const char *const nettypes[] = {
		"allocated to", "transferred to", "iana", "maintained by",
	};

	for (size_t i = c->first; i < c->end; i++) {
		const struct item *it = &p->d->items[i];
		if (is_attr(it, "netname"))
			for (size_t k = 0; k < SW_ARRAY_LEN(netnames); k++)
				if (ifind(it->val, it->vlen, netnames[k]))
					return true;
		if (is_attr(it, "nettype"))
			for (size_t k = 0; k < SW_ARRAY_LEN(nettypes); k++)
				if (ifind(it->val, it->vlen, nettypes[k]))
					return true;
	}
	return false;
}

/* A network the registry operates itself: its name or organisation is
 * the registry's ("RIPE-NCC", "American Registry for Internet Numbers").
 * Stubs name the registry too, so this counts only for a non-stub in an
 * answer that does not refer on. */
static bool names_registry(const struct answer *names)
{
	static const char *const registries[] = {
		"ripe-ncc", "ripe ncc", "ripe network coordination", "american registry for internet",
		"apnic", "asia pacific network information", "lacnic",
		"latin american and caribbean ip", "afrinic", "african network information",
	};

	for (size_t k = 0; k < SW_ARRAY_LEN(registries); k++)
		if (ifind(names->netname, strlen(names->netname), registries[k]) ||
		    ifind(names->org, strlen(names->org), registries[k]))
			return true;
	return false;
}

bool sw_whois_names_registry(const char *netname, const char *org)
{
	struct answer names = { .a = NULL };

	sw_fmt(names.netname, sizeof(names.netname), "%s", netname ? netname : "");
	sw_fmt(names.org, sizeof(names.org), "%s", org ? org : "");
	return names_registry(&names);
}

/* Whether the registry's own mailboxes count in network c's contacts. */
static bool keeps_registry(struct parse *p, const struct answer *ans, const struct cand *c,
			   bool refers)
{
	struct answer names = { .a = ans->a };

	if (refers || cand_is_stub(p, c))
		return false;
	cand_names(p, &names, c);
	return names_registry(&names);
}

static void parse_answer(struct doc *d, const char *server, struct answer *ans)
{
	struct parse p = { .d = d };
	struct sw_whois_referral ref;

	domain_contacts(d, ans);
	if (ans->a == NULL || ans->a->family == SW_AF_NONE)
		return;

	find_objects(&p);
	if (p.objs == NULL)
		return;
	route_origins(&p, ans);
	find_cands(&p);
	if (p.cands == NULL) {
		free(p.objs);
		return;
	}
	/* keep the networks that contain the address, most specific first */
	size_t n = 0;
	for (size_t i = 0; i < p.ncands; i++)
		if (whois_range_contains(&p.cands[i].range, ans->a))
			p.cands[n++] = p.cands[i];
	qsort(p.cands, n, sizeof(*p.cands), cand_cmp);

	/* an answer that refers on is a stub for the registry's mailboxes */
	bool refers = whois_doc_referral(d, server, &ref);
	ans->keep_registry = n > 0 && keeps_registry(&p, ans, &p.cands[0], refers);
	abuse_comments(&p, ans);
	unsigned from_comments = ans->ncontacts;
	if (n > 0) {
		ans->have_range = true;
		ans->range = p.cands[0].range;
		cand_names(&p, ans, &p.cands[0]);
		/* a customer object without contacts: its parent's apply */
		for (size_t i = 0; i < n && i < FALLBACK_MAX && ans->ncontacts == from_comments; i++) {
			ans->keep_registry = keeps_registry(&p, ans, &p.cands[i], refers);
			cand_contacts(&p, ans, &p.cands[i]);
		}
		for (size_t i = 1; i < n && i < FALLBACK_MAX && ans->country[0] == '\0'; i++) {
			struct answer tmp = { .a = ans->a };
			cand_names(&p, &tmp, &p.cands[i]);
			memcpy(ans->country, tmp.country, sizeof(ans->country));
		}
	}
	free(p.cands);
	free(p.objs);
}

/* IANA's answers only point elsewhere; their ranges are whole /8s. */
static bool is_pointer_only(const struct doc *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (is_attr(&d->items[i], "refer"))
			return true;
	return false;
}

void sw_whois_parse(const char *text, size_t len, const char *server,
		    const struct sw_addr *a, struct sw_whois_result *r)
{
	struct doc d;
	struct answer ans;

	if (r == NULL)
		return;
	if (text == NULL)
		len = 0;
	r->rate_limited = sw_whois_is_rate_limited(text, len);
	if (r->rate_limited)
		return;
	if (!whois_doc_load(&d, text, len))
		return;
	memset(&ans, 0, sizeof(ans));
	ans.a = a;
	if (!is_pointer_only(&d))
		parse_answer(&d, server, &ans);
	for (unsigned i = 0; i < ans.ncontacts; i++)
		sw_sanitize(ans.contacts[i].server, sizeof(ans.contacts[i].server),
			    server ? server : "", (size_t)-1);
	whois_merge(r, &ans, server);
	whois_doc_free(&d);
}
