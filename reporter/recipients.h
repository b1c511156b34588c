/*
 * recipients.h - who a memo goes to (recipients.c).
 */
#ifndef SW_RECIPIENTS_H
#define SW_RECIPIENTS_H

#include "memo.h"
#include "settings.h"

/*
 * Fill t's To and Cc. To: the network's abuse mailboxes; failing those its
 * role addresses, then addresses from its remarks, then a national
 * registry's IRT (a labelled fallback), then the domain's contacts, then
 * abuse@domain. Cc: the domain's admin/technical/billing contacts (the
 * article's recipients) and security@ and abuse@ of a forward-confirmed
 * domain. For a recurring netblock (m->recurring), the abuse contacts of
 * the origin AS's upstreams in Cc too, ahead of the domain's, each with
 * why (t->cc_upstream_*), never on a memo without a To. At most
 * max_recipients, a place kept for cc_self.
 */
void sw_memo_recipients(const struct sw_memo *m, const struct sw_reporter_conf *conf,
			struct sw_memo_text *t);

/* Our own copy ([reporter] cc_self), last in Cc, when configured. */
void sw_memo_cc_self(const struct sw_reporter_conf *conf, struct sw_memo_text *t);

#endif
