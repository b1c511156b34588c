/*
 * evexport.h - spanwatch-analyzer --evidence INCIDENT -o DIR: one
 * incident's packets, evidence lines and a chain-of-custody manifest.
 */
#ifndef SW_EVIDENCE_EXPORT_H
#define SW_EVIDENCE_EXPORT_H

#include <sqlite3.h>
#include <stdint.h>

/* Exit statuses of the export, as the program's. */
#define SW_EXPORT_OK 0
#define SW_EXPORT_FAIL 1  /* a file missing or changed, a read or write error */
#define SW_EXPORT_USAGE 2 /* no such incident, DIR not empty */

/* Write DIR (which must not exist, or be an empty directory) for incident
 * id: packets.pcap, evidence.txt, captures.sha256, manifest.txt and
 * manifest.sha256 (sha256sum -c). Everything is written into a temporary
 * directory beside DIR, synced, then renamed to DIR: nothing partial is
 * ever left under DIR's name. db_path is named in the manifest. One line
 * in err on failure. */
int sw_evidence_export(sqlite3 *db, const char *db_path, int64_t incident, const char *dir,
                       char *err, size_t errlen);

/* SHA-256 of a file as 64 lower-case hex digits in hex[65], and its size.
 * 0, or -1 with errno set. */
int sw_sha256_file(const char *path, char hex[65], int64_t *size);

#endif
