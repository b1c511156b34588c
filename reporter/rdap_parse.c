/*
 * rdap_parse.c - turns one RDAP answer (RFC 9083 JSON: an "ip network", a
 * "domain", or an "entity" reached through a link we handed back) into what
 * rdap_parse.h promises: the network's range, name and country, contacts
 * ranked like a whois answer's (whois_parse.c merges them, with the same
 * rules for placeholders and national registries), and the links that may
 * name a better contact.
 *
 * Which e-mail a contact is: the jCard (RFC 7095) "email" properties of
 * the entities, searched top-level and nested. Within a rank, the order we
 * add contacts decides, so entities are visited breadth first in passes:
 * entities whose only role is "abuse" (ARIN nests the designated abuse POC
 * under the registrant while a top-level NOC also carries "abuse"), then
 * other abuse entities, then the technical and administrative ones, then
 * text and the entities that say nothing about their role.
 *
 * The answer is hostile: json-c parses it with a nesting limit, the size
 * is capped, and every walk is bounded (entities visited, nesting of
 * entities, vCard properties, strings). Nothing here recurses over input
 * without a depth bound; every string kept is validated (e-mail addresses,
 * URLs) or made printable (names, handles).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json.h>

#include "addr.h"
#include "hostname.h"
#include "rdap_net.h"
#include "rdap_parse.h"
#include "util.h"
#include "whois_parse.h"

/* Answers are capped by the client; the parser caps what it reads so that
 * a caller's mistake cannot cost much. Real answers are below 100 KiB. */
#define RDAP_PARSE_MAX ((size_t)4 << 20)
/* JSON nesting: an entity three levels down with an address in its vCard
 * is about 14 deep. */
#define JSON_DEPTH_MAX 32
#define ENTITY_DEPTH_MAX 4   /* top-level entities are depth 0 */
#define ENTITIES_MAX 64      /* entities looked at, all levels together */
#define VCARD_PROPS_MAX 64   /* vCard properties looked at per entity */
#define EMAILS_MAX 8         /* e-mails kept per entity */
#define ROLES_MAX 16         /* roles looked at per entity */
#define LINKS_SCAN_MAX 32    /* links looked at per object */
#define REMARKS_MAX 16       /* remarks, and lines per remark */
#define TEXT_MAX 1024        /* longest string we look into */
#define HANDLE_MAX 64

/* ---- small JSON accessors (NULL or 0 when absent or of the wrong type) --- */

static json_object *member(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* A string member or array element of at most TEXT_MAX bytes without NUL
 * bytes (a NUL would silently shorten what we check); *n its length. */
static const char *str_of(json_object *v, size_t *n)
{
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	const char *s = json_object_get_string(v);
	int len = json_object_get_string_len(v);
	if (s == NULL || len < 0 || (size_t)len > TEXT_MAX || memchr(s, '\0', (size_t)len))
		return NULL;
	if (n)
		*n = (size_t)len;
	return s;
}

static const char *str_member(json_object *o, const char *key)
{
	return str_of(member(o, key, json_type_string), NULL);
}

static size_t array_len(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* Element i of an array (json-c asserts on anything else). */
static json_object *elem(json_object *a, size_t i)
{
	return i < array_len(a) ? json_object_array_get_idx(a, i) : NULL;
}

static json_object *parse_json(const char *text, size_t len)
{
	if (text == NULL || len == 0 || len > RDAP_PARSE_MAX)
		return NULL;
	json_tokener *tok = json_tokener_new_ex(JSON_DEPTH_MAX);
	if (tok == NULL)
		return NULL;
	json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	if (root != NULL && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

/* ---- links ------------------------------------------------------------- */

static void follow_add(struct sw_rdap_links *follow, const char *href, const char *self)
{
	/* the client's own rule: https://, or http:// to loopback (tests) */
	if (follow == NULL || href == NULL || !sw_rdap_url_ok(href, NULL, 0))
		return;
	if (self && strcmp(href, self) == 0)
		return; /* an answer pointing at itself */
	for (unsigned i = 0; i < follow->n && i < SW_RDAP_LINKS_MAX; i++)
		if (strcmp(follow->url[i], href) == 0)
			return;
	if (follow->n >= SW_RDAP_LINKS_MAX)
		return;
	memcpy(follow->url[follow->n], href, strlen(href) + 1); /* checked < SW_RDAP_URLLEN */
	follow->n++;
}

/* The links of o whose rel is rel (and, for want_rdap, whose type is
 * RDAP's JSON, or absent) into *follow, if they are followable. */
static void follow_links(struct sw_rdap_links *follow, json_object *o, const char *rel,
			 bool want_rdap, const char *self)
{
	json_object *links = member(o, "links", json_type_array);
	size_t n = array_len(links);

	for (size_t i = 0; i < n && i < LINKS_SCAN_MAX; i++) {
		json_object *l = elem(links, i);
		const char *r = str_member(l, "rel"), *href = str_member(l, "href");
		const char *type = str_member(l, "type");
		if (r == NULL || href == NULL || strcasecmp(r, rel) != 0)
			continue;
		if (want_rdap && type && strcasecmp(type, "application/rdap+json") != 0)
			continue;
		follow_add(follow, href, self);
	}
}

/* ---- e-mail addresses --------------------------------------------------------- */

/* The lower-case address s[0..n) is, without "mailto:" and blanks, if
 * whois_parse.c would keep it: sw_whois_is_placeholder() holds for every
 * address that is not a valid one, and the rest is its normal form. */
static bool email_ok(const char *s, size_t n, char out[128])
{
	while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > 7 && strncasecmp(s, "mailto:", 7) == 0)
		s += 7, n -= 7;
	if (n == 0 || n >= 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f)
			return false;
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	return !sw_whois_is_placeholder(out);
}

struct found {
	struct sw_whois_result res; /* range, names and contacts of this answer */
	char origin[SW_WHOIS_SERVERLEN];
};

static void add_email(struct found *f, const char *addr, enum sw_contact_source source,
		      const char *via)
{
	struct sw_contact c;

	memset(&c, 0, sizeof(c));
	memcpy(c.addr, addr, strlen(addr) + 1); /* email_ok: < 128 bytes */
	if (sw_whois_is_nir_address(c.addr) && source < SW_CONTACT_NIR_IRT)
		source = SW_CONTACT_NIR_IRT;
	c.source = source;
	sw_sanitize(c.via, sizeof(c.via), via, (size_t)-1);
	sw_sanitize(c.server, sizeof(c.server), f->origin, (size_t)-1);
	sw_whois_contacts_add(f->res.contacts, &f->res.ncontacts, SW_WHOIS_MAX_CONTACTS, &c);
}

/* Addresses written in free text: each token between separators that
 * could never be part of an address we accept. */
static void add_text_emails(struct found *f, const char *v, size_t n, const char *via)
{
	static const char sep[] = " \t\r\n,;:<>()[]{}\"'`|!?*";
	char addr[128];
	size_t i = 0;

	while (i < n) {
		while (i < n && strchr(sep, v[i]))
			i++;
		size_t start = i;
		while (i < n && !strchr(sep, v[i]))
			i++;
		size_t len = i - start;
		while (len > 0 && v[start + len - 1] == '.') /* end of a sentence */
			len--;
		if (len > 0 && memchr(v + start, '@', len) && email_ok(v + start, len, addr))
			add_email(f, addr, SW_CONTACT_REMARKS, via);
	}
}

/* ---- entities ------------------------------------------------------------------ */

enum {
	ROLE_ABUSE = 1u << 0,
	ROLE_TECHNICAL = 1u << 1,
	ROLE_ADMINISTRATIVE = 1u << 2,
	ROLE_NOC = 1u << 3,
	ROLE_REGISTRANT = 1u << 4,
	ROLE_BILLING = 1u << 5,
	ROLE_REGISTRAR = 1u << 6,
	ROLE_OTHER = 1u << 7,
};

static const struct {
	const char *name;
	unsigned bit;
} role_names[] = {
	{ "abuse", ROLE_ABUSE }, { "technical", ROLE_TECHNICAL },
	{ "administrative", ROLE_ADMINISTRATIVE }, { "noc", ROLE_NOC },
	{ "registrant", ROLE_REGISTRANT }, { "billing", ROLE_BILLING },
	{ "registrar", ROLE_REGISTRAR },
};

struct entity {
	json_object *obj;
	unsigned depth;
	unsigned roles;      /* ROLE_* bits; 0: the entity names no role */
	char handle[HANDLE_MAX]; /* printable, "" when it has none */
	int parent;          /* index of the entity it is nested in, -1 top-level */
};

struct entities {
	struct entity e[ENTITIES_MAX];
	unsigned n;
};

static unsigned entity_roles(json_object *o)
{
	json_object *roles = member(o, "roles", json_type_array);
	size_t n = array_len(roles);
	unsigned bits = 0;

	for (size_t i = 0; i < n && i < ROLES_MAX; i++) {
		const char *r = str_of(elem(roles, i), NULL);
		if (r == NULL)
			continue;
		unsigned bit = ROLE_OTHER;
		for (size_t k = 0; k < SW_ARRAY_LEN(role_names); k++)
			if (strcasecmp(r, role_names[k].name) == 0)
				bit = role_names[k].bit;
		bits |= bit;
	}
	return bits;
}

static void entity_push(struct entities *es, json_object *o, unsigned depth, int parent)
{
	if (es->n >= ENTITIES_MAX || o == NULL || !json_object_is_type(o, json_type_object))
		return;
	struct entity *e = &es->e[es->n++];
	e->obj = o;
	e->depth = depth;
	e->roles = entity_roles(o);
	e->parent = parent;
	size_t hn = 0;
	const char *h = str_of(member(o, "handle", json_type_string), &hn);
	sw_sanitize(e->handle, sizeof(e->handle), h ? h : "", h ? hn : 0);
}

/* Breadth first: the top-level entities, then those nested in them, down
 * to ENTITY_DEPTH_MAX levels and ENTITIES_MAX entities in all. */
static void entities_collect(json_object *root, bool root_is_entity, struct entities *es)
{
	es->n = 0;
	if (root_is_entity)
		entity_push(es, root, 0, -1);
	else {
		json_object *top = member(root, "entities", json_type_array);
		for (size_t i = 0; i < array_len(top) && es->n < ENTITIES_MAX; i++)
			entity_push(es, elem(top, i), 0, -1);
	}
	for (unsigned i = 0; i < es->n && es->n < ENTITIES_MAX; i++) {
		if (es->e[i].depth + 1 >= ENTITY_DEPTH_MAX)
			continue;
		json_object *sub = member(es->e[i].obj, "entities", json_type_array);
		for (size_t k = 0; k < array_len(sub) && es->n < ENTITIES_MAX; k++)
			entity_push(es, elem(sub, k), es->e[i].depth + 1,
				    (int)i);
	}
}

/* One vCard e-mail, with what its parameters say. */
struct vemail {
	char addr[128];
	bool type_abuse;
	bool pref1;
};

static bool param_has(json_object *params, const char *key, const char *value)
{
	json_object *v;

	if (params == NULL || !json_object_is_type(params, json_type_object) ||
	    !json_object_object_get_ex(params, key, &v))
		return false;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) == strtol(value, NULL, 10);
	if (json_object_is_type(v, json_type_string)) {
		const char *s = str_of(v, NULL);
		return s && strcasecmp(s, value) == 0;
	}
	size_t n = array_len(v);
	for (size_t i = 0; i < n && i < 8; i++) {
		const char *s = str_of(elem(v, i), NULL);
		if (s && strcasecmp(s, value) == 0)
			return true;
	}
	return false;
}

/* The vCard properties of an entity: ["vcard", [[name, params, type,
 * value], ...]]; NULL when it has none. */
static json_object *vcard_props(json_object *entity)
{
	json_object *vc = member(entity, "vcardArray", json_type_array);
	const char *tag = str_of(elem(vc, 0), NULL);

	if (array_len(vc) < 2 || tag == NULL || strcasecmp(tag, "vcard") != 0)
		return NULL;
	json_object *props = elem(vc, 1);
	return json_object_is_type(props, json_type_array) ? props : NULL;
}

/* Property i of a vCard if its name is name: its params and string value. */
static const char *vcard_prop(json_object *props, size_t i, const char *name,
			      json_object **params, size_t *vlen)
{
	json_object *p = elem(props, i);
	if (array_len(p) < 4)
		return NULL;
	const char *pn = str_of(elem(p, 0), NULL);
	if (pn == NULL || strcasecmp(pn, name) != 0)
		return NULL;
	*params = elem(p, 1);
	return str_of(elem(p, 3), vlen);
}

/* The valid e-mails of an entity's vCard, in its order; the count. *seen:
 * how many e-mail properties it has, valid or not. */
static unsigned vcard_emails(json_object *entity, struct vemail out[EMAILS_MAX], unsigned *seen)
{
	json_object *props = vcard_props(entity);
	size_t n = array_len(props);
	unsigned k = 0;

	*seen = 0;
	for (size_t i = 0; i < n && i < VCARD_PROPS_MAX && k < EMAILS_MAX; i++) {
		json_object *params;
		size_t vlen;
		const char *v = vcard_prop(props, i, "email", &params, &vlen);
		*seen += v != NULL;
		if (v == NULL || !email_ok(v, vlen, out[k].addr))
			continue;
		out[k].type_abuse = param_has(params, "type", "abuse");
		out[k].pref1 = param_has(params, "pref", "1");
		k++;
	}
	return k;
}

/* The vCard's "fn" (or "org"), printable, into out if out is empty. */
static void vcard_name(json_object *entity, char *out, size_t outlen)
{
	static const char *const names[] = { "fn", "org" };
	json_object *props = vcard_props(entity);
	size_t n = array_len(props);

	for (size_t k = 0; k < SW_ARRAY_LEN(names) && out[0] == '\0'; k++)
		for (size_t i = 0; i < n && i < VCARD_PROPS_MAX && out[0] == '\0'; i++) {
			json_object *params;
			size_t vlen;
			const char *v = vcard_prop(props, i, names[k], &params, &vlen);
			if (v && vlen > 0)
				sw_sanitize(out, outlen, v, vlen);
		}
}

/* A national registry's own IRT ("IRT-KRNIC-KR"): the same names as
 * whois_parse.c's is_nir_irt() knows. */
static bool is_nir_irt_handle(const char *handle)
{
	static const char *const nirs[] = {
		"krnic", "jpnic", "twnic", "cnnic", "idnic", "vnnic", "irinn",
	};

	if (strncasecmp(handle, "irt-", 4) != 0)
		return false;
	for (size_t k = 0; k < SW_ARRAY_LEN(nirs); k++)
		if (strcasestr(handle, nirs[k]))
			return true;
	return false;
}

/* "rdap abuse entity H", "rdap abuse entity in registrar 292" for one
 * without a handle, with a suffix. */
static void entity_via(const struct entities *es, const struct entity *e, const char *role,
		       const char *suffix, char via[96])
{
	if (e->handle[0])
		sw_fmt(via, 96, "rdap %s entity %s%s", role, e->handle, suffix);
	else if (e->parent >= 0 && es->e[e->parent].handle[0])
		sw_fmt(via, 96, "rdap %s entity in %s%s", role, es->e[e->parent].handle, suffix);
	else
		sw_fmt(via, 96, "rdap %s entity%s", role, suffix);
}

enum kind { KIND_NETWORK, KIND_DOMAIN, KIND_ENTITY };

/* An abuse entity: its designated e-mail (type "abuse", then pref 1, then
 * the first) as the abuse mailbox, any others below it; with no e-mail
 * in its vCard at all, its self link is worth following (registro.br). */
static void abuse_entity(struct found *f, const struct entities *es, const struct entity *e,
			 struct sw_rdap_links *follow, const char *url)
{
	struct vemail em[EMAILS_MAX];
	unsigned seen, n = vcard_emails(e->obj, em, &seen), pick = 0;
	bool nir = is_nir_irt_handle(e->handle);
	char via[96];

	if (seen == 0) /* not one redacted or dropped: none at all */
		follow_links(follow, e->obj, "self", false, url);
	if (n == 0)
		return;
	for (unsigned i = n; i-- > 0;)
		if (em[i].pref1)
			pick = i;
	for (unsigned i = n; i-- > 0;)
		if (em[i].type_abuse)
			pick = i;
	entity_via(es, e, "abuse", nir ? " (national registry)" : "", via);
	add_email(f, em[pick].addr, nir ? SW_CONTACT_NIR_IRT : SW_CONTACT_ABUSE_MAILBOX, via);
	entity_via(es, e, "abuse", nir ? " (national registry)" : " (other e-mail)", via);
	for (unsigned i = 0; i < n; i++)
		if (i != pick)
			add_email(f, em[i].addr, nir ? SW_CONTACT_NIR_IRT : SW_CONTACT_ROLE_EMAIL,
				  via);
}

/* Every e-mail of an entity, as source. */
static void plain_entity(struct found *f, const struct entities *es, const struct entity *e,
			 const char *role, const char *suffix, enum sw_contact_source source)
{
	struct vemail em[EMAILS_MAX];
	unsigned seen, n = vcard_emails(e->obj, em, &seen);
	char via[96];

	entity_via(es, e, role, suffix, via);
	for (unsigned i = 0; i < n; i++)
		add_email(f, em[i].addr, source, via);
}

/* The first role name of e that the mask holds. */
static const char *role_name(unsigned roles, unsigned mask)
{
	for (size_t k = 0; k < SW_ARRAY_LEN(role_names); k++)
		if (roles & mask & role_names[k].bit)
			return role_names[k].name;
	return "";
}

static void entity_contacts(struct found *f, json_object *root, enum kind kind,
			    struct sw_rdap_links *follow, const char *url)
{
	struct entities *es = malloc(sizeof(*es));
	unsigned people = kind == KIND_DOMAIN
				  ? ROLE_REGISTRANT | ROLE_ADMINISTRATIVE | ROLE_TECHNICAL | ROLE_BILLING
				  : ROLE_TECHNICAL | ROLE_ADMINISTRATIVE | ROLE_NOC;

	if (es == NULL)
		return;
	entities_collect(root, kind == KIND_ENTITY, es);
	/* an entity answer is one we were sent to for an abuse entity
	 * without an e-mail: if it says no role, it is still that one */
	if (kind == KIND_ENTITY && es->n > 0 && es->e[0].roles == 0)
		es->e[0].roles = ROLE_ABUSE;
	for (unsigned i = 0; i < es->n; i++) /* abuse alone */
		if (es->e[i].roles == ROLE_ABUSE)
			abuse_entity(f, es, &es->e[i], follow, url);
	for (unsigned i = 0; i < es->n; i++) /* abuse among other roles */
		if ((es->e[i].roles & ROLE_ABUSE) && es->e[i].roles != ROLE_ABUSE)
			abuse_entity(f, es, &es->e[i], follow, url);
	for (unsigned i = 0; i < es->n; i++)
		if (es->e[i].roles & people)
			plain_entity(f, es, &es->e[i], role_name(es->e[i].roles, people), "",
				     kind == KIND_DOMAIN ? SW_CONTACT_DOMAIN : SW_CONTACT_ROLE_EMAIL);
	if (kind == KIND_NETWORK) {
		/* the network's own remarks: "please send abuse reports to ..." */
		json_object *remarks = member(root, "remarks", json_type_array);
		for (size_t i = 0; i < array_len(remarks) && i < REMARKS_MAX; i++) {
			json_object *d = member(elem(remarks, i), "description",
						json_type_array);
			for (size_t k = 0; k < array_len(d) && k < REMARKS_MAX; k++) {
				size_t n;
				const char *s = str_of(elem(d, k), &n);
				if (s)
					add_text_emails(f, s, n, "rdap remarks");
			}
		}
		for (unsigned i = 0; i < es->n; i++)
			if (es->e[i].roles & ROLE_REGISTRANT)
				plain_entity(f, es, &es->e[i], "registrant", "", SW_CONTACT_REMARKS);
	}
	/* entities that name no role: somebody's address, rank unknown */
	for (unsigned i = 0; i < es->n; i++)
		if (es->e[i].roles == 0)
			plain_entity(f, es, &es->e[i], "unlabelled", " (no role)",
				     kind == KIND_DOMAIN ? SW_CONTACT_DOMAIN : SW_CONTACT_REMARKS);
	/* the organisation: the registrant's name */
	for (unsigned i = 0; i < es->n && f->res.org[0] == '\0'; i++)
		if (es->e[i].roles & ROLE_REGISTRANT)
			vcard_name(es->e[i].obj, f->res.org, sizeof(f->res.org));
	free(es);
}

/* ---- the network ---------------------------------------------------------------- */

/* "192.0.2.0", "2a00:2381:ffff::/128" (RIPE's 2014 form): the address, or
 * with a prefix length the first (or, for last, the last) address of it. */
static bool parse_bound(const char *s, bool last, struct sw_addr *out)
{
	char buf[SW_ADDR_STRLEN + 8];
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n + 1);
	char *slash = strchr(buf, '/');
	uint64_t len = 0;
	if (slash) {
		*slash = '\0';
		if (!sw_parse_u64(slash + 1, 0, 128, &len))
			return false;
	}
	if (!sw_addr_parse(buf, out))
		return false;
	unsigned bits = out->family == SW_AF_INET ? 32 : 128;
	if (!slash)
		return true;
	if (len > bits)
		return false;
	for (unsigned b = (unsigned)len; b < bits; b++) {
		uint8_t bit = (uint8_t)(0x80 >> (b % 8));
		if (last)
			out->bytes[b / 8] |= bit;
		else
			out->bytes[b / 8] &= (uint8_t)~bit;
	}
	return true;
}

/* cidr0 (RFC 9083 extension): the prefix holding a, when the answer gave
 * no start and end. */
static bool cidr0_range(json_object *root, const struct sw_addr *a, struct sw_whois_result *res)
{
	json_object *cidrs = member(root, "cidr0_cidrs", json_type_array);

	for (size_t i = 0; a && i < array_len(cidrs) && i < 64; i++) {
		json_object *c = elem(cidrs, i);
		const char *p = str_member(c, "v4prefix");
		if (p == NULL)
			p = str_member(c, "v6prefix");
		json_object *l = member(c, "length", json_type_int);
		int64_t len = l ? json_object_get_int64(l) : -1;
		char text[SW_ADDR_STRLEN + 8];
		struct sw_prefix pfx;
		if (p == NULL || len < 0 || len > 128 ||
		    !sw_fmt(text, sizeof(text), "%s/%d", p, (int)len) || !sw_prefix_parse(text, &pfx) ||
		    !sw_prefix_contains(&pfx, a))
			continue;
		if (!parse_bound(text, false, &res->range_lo) || !parse_bound(text, true, &res->range_hi))
			continue;
		return true;
	}
	return false;
}

static void network_fields(json_object *root, const struct sw_addr *a, struct sw_whois_result *res)
{
	size_t n;
	const char *name = str_of(member(root, "name", json_type_string), &n);
	const char *country = str_member(root, "country");

	if (name && n > 0)
		sw_sanitize(res->netname, sizeof(res->netname), name, n);
	if (country && strlen(country) == 2 && isalpha((unsigned char)country[0]) &&
	    isalpha((unsigned char)country[1])) {
		res->country[0] = (char)toupper((unsigned char)country[0]);
		res->country[1] = (char)toupper((unsigned char)country[1]);
		res->country[2] = '\0';
	}
	if (parse_bound(str_member(root, "startAddress"), false, &res->range_lo) &&
	    parse_bound(str_member(root, "endAddress"), true, &res->range_hi) &&
	    res->range_lo.family == res->range_hi.family &&
	    sw_addr_cmp(&res->range_lo, &res->range_hi) <= 0)
		res->have_range = true;
	else
		res->have_range = cidr0_range(root, a, res);
}

/* ---- one answer ------------------------------------------------------------------- */

static enum kind answer_kind(json_object *root)
{
	const char *cls = str_member(root, "objectClassName");

	if (cls && strcasecmp(cls, "domain") == 0)
		return KIND_DOMAIN;
	if (cls && strcasecmp(cls, "entity") == 0)
		return KIND_ENTITY;
	if (cls && strcasecmp(cls, "ip network") == 0)
		return KIND_NETWORK;
	/* RIPE's answers of 2014 have no class: go by what they hold */
	if (member(root, "startAddress", json_type_string))
		return KIND_NETWORK;
	if (member(root, "ldhName", json_type_string))
		return KIND_DOMAIN;
	if (member(root, "vcardArray", json_type_array))
		return KIND_ENTITY;
	return KIND_NETWORK;
}

bool sw_rdap_parse(const char *text, size_t len, const char *url, const struct sw_addr *a,
		   struct sw_whois_result *r, struct sw_rdap_links *follow)
{
	if (r == NULL)
		return false;
	json_object *root = parse_json(text, len);
	if (root == NULL)
		return false;
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return false;
	}
	struct found *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		json_object_put(root);
		return false;
	}
	sw_rdap_url_origin(url, f->origin, sizeof(f->origin));
	if (member(root, "errorCode", json_type_int) == NULL) {
		enum kind kind = answer_kind(root);
		if (kind == KIND_NETWORK)
			network_fields(root, a, &f->res);
		entity_contacts(f, root, kind, follow, url);
		/* a thin registry's answer: the registrar's own RDAP has more */
		if (kind == KIND_DOMAIN)
			follow_links(follow, root, "related", true, url);
		sw_whois_merge(r, &f->res, kind == KIND_NETWORK ? a : NULL, f->origin);
	}
	free(f);
	json_object_put(root);
	return true;
}

int sw_rdap_error_code(const char *text, size_t len)
{
	json_object *root = parse_json(text, len);
	int code = 0;

	json_object *c = member(root, "errorCode", json_type_int);
	if (c) {
		int64_t v = json_object_get_int64(c);
		code = v > 0 && v < 1000 ? (int)v : 0;
	}
	json_object_put(root);
	return code;
}
