/*
 * conf.h - a small table-driven loader for INI configuration files, built
 * on libinih. A program describes its keys once (section, name, type,
 * where the value lives in its settings struct, the accepted range, a
 * one-line help); the loader reads a file over those settings and writes
 * them back out as a commented file.
 *
 * (Not "config.h": that name is autoconf's, and `#include "config.h"` in
 * lib/ would find this header first.)
 *
 * The file format is inih's: `[section]`, `key = value`, comments on their
 * own line starting with `#` or `;`, and ` ;` starting a comment after a
 * value. Lists may continue on indented lines:
 *
 *     home = 192.0.2.0/24, 198.51.100.0/24,
 *            2001:db8::/32
 *
 * Every mistake is an error, never ignored: an unknown section or key (a
 * typo), a value that does not parse or is out of range, a syntax error.
 * A key given twice takes the last value; a list given again is replaced,
 * not extended.
 */
#ifndef SW_CONF_H
#define SW_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "netset.h"

enum sw_cfg_type {
	SW_CFG_UINT,      /* unsigned, decimal, in [min, max] */
	SW_CFG_DOUBLE,    /* double, finite, in [min, max] (see flags) */
	SW_CFG_BOOL,      /* bool: yes/no, true/false, on/off, 1/0 */
	SW_CFG_STRING,    /* char[size], printable, at most size - 1 bytes */
	SW_CFG_PREFIXES,  /* struct sw_prefix_list */
	SW_CFG_PORTS,     /* struct sw_port_set: numbers, ranges, service names */
	SW_CFG_HOSTS,     /* struct sw_host_list: addresses, prefixes, host names */
};

/* flags: the bound is excluded, e.g. a probability in (0, 1) */
#define SW_CFG_OPEN_MIN 1u
#define SW_CFG_OPEN_MAX 2u

struct sw_cfg_key {
	const char *section;
	const char *name;
	enum sw_cfg_type type;
	size_t offset;      /* offsetof() the value in the target struct */
	size_t size;        /* SW_CFG_STRING: capacity of the char array */
	double min, max;    /* SW_CFG_UINT and SW_CFG_DOUBLE */
	unsigned flags;     /* SW_CFG_OPEN_MIN, SW_CFG_OPEN_MAX */
	const char *help;   /* one line, written as a comment by sw_config_write */
};

/*
 * Read the INI file at path over *target, as described by keys. Section and
 * key names match without regard to case. Returns 0, or -1 with one line in
 * err:
 *
 *     FILE:LINE: [section] key: why
 *     FILE:LINE: [section]: unknown section (known: ...)
 *     FILE:LINE: syntax error: ...
 *     FILE: cannot open: No such file or directory
 *
 * Stops at the first error; *target may then hold the values read before
 * it, so load into a copy when that matters. If lines is not NULL it gets,
 * per key, the line that last set it (0 if the file did not), so a caller
 * checking values against each other can name a line too.
 */
int sw_config_load(const char *path, const struct sw_cfg_key *keys, size_t nkeys,
		   void *target, unsigned *lines, char *err, size_t errlen);

/* Write *target as a configuration file that sw_config_load() reads back to
 * the same values, each key under its help as a comment. 0, or -1 on a
 * write error (errno set). */
int sw_config_write(FILE *out, const struct sw_cfg_key *keys, size_t nkeys,
		    const void *target);

#endif
