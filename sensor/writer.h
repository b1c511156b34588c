/*
 * writer.h - the sensor's only SQLite user after start-up.
 *
 * A writer thread drains the SPSC ring of records and applies them in
 * batched transactions. The capture thread only pushes. A full ring is
 * waited on when the packets come from files (nothing is lost: the file
 * waits for the writer) and counted by the caller on a live capture (the
 * kernel would drop too).
 */
#ifndef SW_WRITER_H
#define SW_WRITER_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct sw_alerts; /* alert.h */

/* A file of the run (schema 011, run_files): a capture read with -r, or
 * the --evidence-pcap file written. size and mtime_us < 0: not known yet
 * (stored NULL). */
struct sw_run_file {
	const char *kind;     /* "capture" or "evidence" */
	const char *path;     /* absolute */
	int64_t size;
	int64_t mtime_us;
};

struct sw_run_info {
	const char *sensor;   /* sensor name */
	const char *source;   /* interface or the files, space separated */
	const char *filter;   /* BPF expression or NULL */
	const char *linktype; /* DLT name(s) */
	int snaplen;
	int64_t recorded_at;  /* wall clock */
	int64_t started;      /* 0: unknown yet */
	int stats_interval;   /* seconds between heartbeats (runstate.h) */
	const struct sw_run_file *files; /* stored in run_files, in order */
	int nfiles;
};

/* Insert the run row (and the sensor row if new), with this host, pid and
 * a first heartbeat, and its files; the run id or -1. Runs in the caller's thread, before
 * the writer starts. */
int64_t sw_run_insert(sqlite3 *db, const struct sw_run_info *info);

struct sw_writer;

/* -j N: a ring (a port) per worker, at most this many */
#define SW_WRITER_MAX_PORTS 16

/* Take over db (closed by sw_writer_stop) and start the thread; it also
 * posts each detection that opens to alerts (alert.h; NULL: none) once its
 * transaction has committed. */
struct sw_writer *sw_writer_start(sqlite3 *db, int64_t run_id, size_t ring_records,
                                  struct sw_alerts *alerts);
/* The same with nports rings, one per producer thread (-j N workers):
 * each port has one producer; the STATS records of port i are worker i's
 * counters, and the run stores their sum (counters.h, sw_counters_merge). */
struct sw_writer *sw_writer_start_ports(sqlite3 *db, int64_t run_id, size_t ring_records,
                                        int nports, struct sw_alerts *alerts);
/* Reading files: sw_writer_submit() waits for room instead of failing. */
void sw_writer_wait_when_full(struct sw_writer *w, bool wait);
/* Hand-off; false when the ring is full (never when waiting was asked). */
bool sw_writer_submit(struct sw_writer *w, const struct sw_rec *rec);
/* Hand-off that waits for room: for end-of-run records only, never on the
 * packet path. */
void sw_writer_submit_wait(struct sw_writer *w, const struct sw_rec *rec);
/* The same on port (0 .. nports - 1); sw_writer_submit() is port 0. */
bool sw_writer_submit_on(struct sw_writer *w, int port, const struct sw_rec *rec);
void sw_writer_submit_wait_on(struct sw_writer *w, int port, const struct sw_rec *rec);
/* Wait until every port's records are taken (stored, or given up on a
 * bounded exit): before the run's END when there are several ports. */
void sw_writer_drain_wait(struct sw_writer *w);
/* The capture has ended (before the detection engine's last records):
 * a live run's writer now gives up what a database locked for the busy
 * timeout keeps it from storing. A file's run waits, unless a stop signal
 * came (sw_writer_signal_stop). */
void sw_writer_capture_ended(struct sw_writer *w);
/* From a signal handler: SIGTERM or SIGINT, the exit is bounded. */
void sw_writer_signal_stop(void);

struct sw_writer_result {
	uint64_t stored_detections; /* detections whose rows were committed */
	uint64_t lost;              /* records given up to a lock at exit */
	uint64_t lost_detections;   /* detections among them */
	bool end_stored;            /* the run's end (counters, status) is stored */
	bool failed;                /* a write failed (not a lock) */
	int64_t wal_peak;           /* largest WAL file seen, bytes */
};

/* Drain everything, stop the thread, close the database. 0 if every
 * record was committed and the run's end with them; -1 if a write failed
 * or records were given up to a lock at exit. *res (if not NULL) says
 * which. */
int sw_writer_stop(struct sw_writer *w, struct sw_writer_result *res);

#endif
