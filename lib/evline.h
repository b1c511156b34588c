/*
 * evline.h - reading back the evidence lines the sensor writes
 * (sensor/evidence.c), which the analyzer and the reporter both need:
 *
 *   2026-11-27T17:09:41.508835Z TCP 198.51.100.7:41000 -> 203.0.113.5:21 (ftp) SYN, answered RST
 *
 * IPv6 endpoints with a port are bracketed ("[2001:db8::1]:22"); ICMP
 * destinations are a bare address.
 */
#ifndef SW_EVLINE_H
#define SW_EVLINE_H
#include <stddef.h>
#include <stdint.h>

/*
 * The destination of line: its address as text (brackets removed; "" if
 * the line names none or it does not fit addrlen), its port (0 if none)
 * and, if service is not NULL, the service name written after it in
 * parentheses ("" if none).
 */
void sw_evline_destination(const char *line, char *addr, size_t addrlen, uint16_t *port,
			   char *service, size_t servicelen);

#endif
