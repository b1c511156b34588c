/*
 * settings.h - the reporter's [reporter] configuration: who we are (the
 * memo's signature), how politely whois and DNS are asked, the ledger's
 * cooldown, and how memos are sent. Command-line options override these.
 */
#ifndef SW_REPORTER_SETTINGS_H
#define SW_REPORTER_SETTINGS_H
#include <stdbool.h>
#include <stddef.h>

#include "db.h" /* struct sw_db_conf: [database] */

struct sw_reporter_conf {
	/* who we are */
	char name[128];            /* "Jose Nazario" */
	char email[128];           /* "jose@bigisp.com" */
	unsigned email_line;       /* its line in the file read, 0 if none */
	char cc_self[128];         /* a copy of every memo to this address (Cc); "" none */
	unsigned cc_self_line;     /* its line in the file read, 0 if none */
	char organization[128];
	char role[128];            /* "network administrator" */
	char website[256];         /* a line under the signature */
	char pgp_key_url[256];     /* where our PGP key can be fetched */
	char sign_key[128];        /* GPGME key id: sign every memo (PGP/MIME) */
	char timezone[64];         /* zone of the memo's times; empty: TZ or local */
	/* ledger */
	unsigned cooldown_days;    /* a netblock is reported again at most this often */
	unsigned max_netblocks;    /* netblocks handled per run, 0: all */
	unsigned evidence_lines;   /* log lines quoted per source */
	unsigned max_recipients;   /* To + Cc */
	/* whois */
	unsigned whois_ttl_days;
	unsigned whois_partial_ttl_hours;
	unsigned whois_timeout_ms;
	unsigned whois_pace_ms;
	unsigned whois_max_hops;
	unsigned whois_max_kib;
	bool domain_whois;         /* ask domain whois for the PTR name's domain */
	char asn_server[256];      /* IP-to-ASN service HOST[:PORT]; empty: none (default) */
	bool upstreams;            /* the origin AS's upstreams from its aut-num (default
	                              no: up to 5 more queries per lookup, each counted
	                              against the registry's daily limits) */
	unsigned recurring_reports; /* Cc the upstreams from this many memos on ... */
	unsigned recurring_days;   /* ... in this many days; 0 reports: never */
	/* RDAP */
	bool rdap;                 /* ask RDAP first (default yes) */
	char rdap_bootstrap[1024]; /* IANA bootstrap directory; empty: the installed copy */
	char rdap_ca_file[1024];   /* CA bundle for RDAP; empty: the system store */
	char rdap_bootstrap_url[256]; /* where --rdap-refresh fetches the files */
	/* reverse DNS */
	bool reverse_dns;
	char dns_server[128];      /* HOST[:PORT]; empty: the system resolver */
	unsigned dns_timeout_ms;
	/* sending */
	char sendmail[256];        /* command given a message on stdin */
	/* [cert]: the second memo, to CSIRTs (cert.c) */
	bool cert_escalate;        /* write CERT memos at all (default yes) */
	char cert_our_csirt[256];  /* "Team <address>" or an address; "" none */
	unsigned cert_our_csirt_line;
	char cert_table[1024];     /* country -> national CERT; empty: the installed table */
	char cert_local_table[1024]; /* our own entries, the same format: override, extend */
	/* [database], shared with the other programs */
	struct sw_db_conf db;
};

void sw_reporter_conf_defaults(struct sw_reporter_conf *c);
/* 0, or -1 with "FILE:LINE: [reporter] key: why" in err. */
int sw_reporter_conf_load(struct sw_reporter_conf *c, const char *path, char *err, size_t errlen);

#endif
