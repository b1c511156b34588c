/*
 * linetype.h - the kind of line a host name suggests (linetype.c).
 */
#ifndef SW_LINETYPE_H
#define SW_LINETYPE_H

enum sw_line_type {
	SW_LINE_UNKNOWN = 0,
	SW_LINE_DIALUP,       /* dialup, dial-up, ppp, pool of modems */
	SW_LINE_DSL,          /* dsl, adsl, vdsl, xdsl */
	SW_LINE_CABLE,        /* cable, cpe, docsis, hfc */
	SW_LINE_DYNAMIC,      /* dyn, dynamic, pool, dhcp, broadband, ip-addresses spelt in the name */
	SW_LINE_STATIC,       /* static, server, srv, colo, hosting, mail/ns/www hosts */
};

/* The line type a host name suggests, from its labels. */
enum sw_line_type sw_line_type_of(const char *name);
const char *sw_line_type_name(enum sw_line_type t);   /* "dial-up", "DSL", … */

#endif
