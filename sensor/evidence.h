/*
 * evidence.h - one probe as a log line, the form a memo quotes:
 * 2026-11-27T17:09:41.508835Z TCP 198.51.100.7:41000 -> 203.0.113.5:21 (ftp) SYN, answered RST
 */
#ifndef SW_EVIDENCE_H
#define SW_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "record.h"

void sw_evidence_format(char *buf, size_t len, const struct sw_addr *src,
                        const struct sw_probe *p);

/* The text of an evidence record: its line, or the line its probe makes,
 * rendered into buf (len bytes, SW_EVIDENCE_LEN is enough). */
const char *sw_evidence_line(const struct sw_rec_evidence *ev, char *buf, size_t len);

#endif
