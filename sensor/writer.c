/*
 * writer.c - the writer thread: ring -> batched SQLite transactions.
 *
 * The capture thread never calls SQLite once capture has started. Records
 * come through the SPSC ring; the writer groups whatever is waiting (up to
 * BATCH_MAX records) into one transaction, so the cost of a commit is paid
 * per batch, not per record. Statements are prepared once.
 *
 * A batch stays in the ring (peeked, not taken) until its transaction has
 * committed: one that meets a lock held past the busy timeout (another
 * program's long write, a checkpoint) is rolled back and tried again after
 * a bounded pause, never discarded. Only a real failure (disk full, I/O
 * error, corruption) gives a batch up and makes the run's exit non-zero.
 *
 * The exit is bounded: once a live capture has ended, or a stop signal
 * arrived, a database that stays locked for the patience (the busy
 * timeout) makes the writer give up what waits, counted as lost; the run's
 * last record (its counters, status partial) then gets one more patience.
 * Reading files without a signal, the writer waits as long as it takes.
 *
 * The writer also owns the WAL checkpoints (SQLite's automatic one is
 * replaced): a PASSIVE checkpoint after a commit that left 1000 pages or
 * more in the WAL (as SQLite's would), and, while the WAL file is larger
 * than [database] wal_limit_mib, a TRUNCATE checkpoint that does not wait:
 * it succeeds after the first batch once no reader holds a snapshot older
 * than the WAL's end. A reader that blocks it past the busy timeout gets a
 * warning naming the WAL's size (again at most every 10 minutes).
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "db.h"
#include "evidence.h"
#include "log.h"
#include "netset.h"
#include "ring.h"
#include "runstate.h"
#include "timefmt.h"
#include "util.h"
#include "writer.h"

#define BATCH_MAX 1024
#define IDLE_SLEEP_MS 2
/* pauses between attempts at a locked database, on top of the busy
 * timeout each attempt already waited */
#define LOCKED_PAUSE_MIN_MS 50
#define LOCKED_PAUSE_MAX_MS 2000
/* WAL frames (pages) after which a commit is followed by a PASSIVE
 * checkpoint: SQLite's own wal_autocheckpoint default */
#define WAL_CHECKPOINT_PAGES 1000
/* a reader keeping the WAL past its limit: warned again at most this often */
#define WAL_REWARN_US (600 * (int64_t)1000000)

enum stmt_id {
	ST_RUN_STATS, ST_RUN_FINISH, ST_COUNTER,
	ST_DET_OPEN, ST_DET_UPDATE, ST_EVIDENCE, ST_DET_ID, ST_RUN_FILE,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_RUN_STATS] =
		"UPDATE runs SET started = coalesce(?2, started), ended = coalesce(?3, ended),"
		" packets = ?4, bytes = ?5, dropped = ?6, ifdropped = ?7,"
		" decode_errors = ?8, ring_full = ?9, heartbeat = ?10, active_seconds = ?11,"
		" peak_pps = ?12,"
		/* marked interrupted while its writer waited past the bound: it
		 * was alive after all (its detections reopen as they update) */
		" status = CASE status WHEN 'interrupted' THEN 'running' ELSE status END"
		" WHERE id = ?1",
	[ST_RUN_FINISH] =
		"UPDATE runs SET finished = 1, status = ?2 WHERE id = ?1",
	[ST_COUNTER] =
		"INSERT INTO run_counters (run_id, category, name, value) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (run_id, category, name) DO UPDATE SET value = excluded.value",
	[ST_DET_OPEN] =
		"INSERT INTO detections (run_id, seq, kind, variant, proto, src, src_family, src_bin,"
		" outbound, first_seen, last_seen, detected_at, targets, targets_capped, ports,"
		" ports_capped, packets, failed_contacts, tool, sessions_after_scan, evasion,"
		" probe_sig, src_resets, src_silent, successes)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19, ?21, ?22, ?23, ?24, ?25, ?26)",
	/* a row whose open record was lost to a full ring is simply not there */
	[ST_DET_UPDATE] =
		"UPDATE detections SET kind = ?3, variant = ?4, last_seen = ?11, targets = ?13,"
		" targets_capped = ?14, ports = ?15, ports_capped = ?16, packets = ?17,"
		" tool = coalesce(?19, tool), closed_at = ?20, sessions_after_scan = ?21,"
		" evasion = ?22, probe_sig = coalesce(?23, probe_sig), src_resets = ?24,"
		" src_silent = ?25, successes = ?26"
		" WHERE run_id = ?1 AND seq = ?2",
	[ST_EVIDENCE] =
		"INSERT INTO evidence (detection_id, ts, line)"
		" SELECT id, ?3, ?4 FROM detections WHERE run_id = ?1 AND seq = ?2",
	/* the row a closing detection updated, for its JSON event */
	[ST_DET_ID] =
		"SELECT id FROM detections WHERE run_id = ?1 AND seq = ?2",
	[ST_RUN_FILE] =
		"UPDATE run_files SET size = ?3, mtime = ?4 WHERE run_id = ?1 AND seq = ?2",
};

struct sw_writer {
	/* one ring per producer (-j N: a worker each); the one being drained */
	struct sw_ring rings[SW_WRITER_MAX_PORTS];
	bool told_full_port[SW_WRITER_MAX_PORTS]; /* producer i: said once */
	struct sw_counters port_stats[SW_WRITER_MAX_PORTS]; /* each worker's last */
	int nports;
	int cur;
	struct sw_ring *ring;
	sqlite3 *db;
	int64_t run_id;
	sqlite3_stmt *st[ST_COUNT];
	pthread_t thread;
	struct sw_alerts *alerts;      /* NULL: no alerts */
	bool want_closes;              /* a JSON sink: closed detections too */
	/* detections opened (and closed) in the batch under way: alerted
	 * once it commits */
	struct fired {
		uint32_t type;
		int64_t id;
		struct sw_rec_det det;
	} opened[BATCH_MAX];
	size_t nopened;
	struct sw_rec rec;             /* the record being applied (writer thread) */
	uint64_t batch_stored;         /* detections inserted by the batch under way */
	uint64_t stored;               /* detections inserted by committed batches */
	atomic_bool stopping;
	bool failed;
	bool batch_locked;             /* the batch under way met a lock */
	bool wait_when_full;           /* files: backpressure, not loss */

	/* the bounded exit (writer thread, but exit_bounded) */
	atomic_bool exit_bounded;      /* a live capture has ended */
	bool no_wait;                  /* the busy handler gives up at once */
	int64_t deadline_us;           /* give locked batches up past this; 0: none yet */
	bool gave_up;                  /* records were given up */
	uint64_t lost;                 /* records given up to a lock at exit */
	uint64_t lost_detections;      /* detections among them (opens) */
	bool have_end;                 /* the run's END record, given up with a batch */
	struct sw_rec end;
	struct sw_counters end_stats;  /* the END record's counters plus what was lost */
	bool batch_has_end;
	bool end_stored;

	/* the WAL */
	int wal_frames;                /* frames in the WAL after the last commit */
	int64_t wal_limit;             /* bytes: [database] wal_limit_mib */
	int64_t wal_blocked_since;     /* a TRUNCATE checkpoint first failed; 0: none */
	int64_t wal_warned_at;         /* last warning about it; 0: none */
	int64_t wal_peak;              /* largest WAL file seen (bytes) */
};

/* A stop signal arrived (sw_writer_signal_stop, from the handler). */
static volatile sig_atomic_t stop_signalled;

void sw_writer_signal_stop(void)
{
	stop_signalled = 1;
}

static const char *db_path(const struct sw_writer *w)
{
	const char *p = sqlite3_db_filename(w->db, "main");

	return p && *p ? p : "(memory)";
}

/* Past the point where a locked database makes the writer give up? The
 * patience is counted from the first time a lock is met once the exit is
 * bounded. */
static bool past_deadline(struct sw_writer *w)
{
	if (!w->deadline_us) {
		if (!atomic_load(&w->exit_bounded) && !stop_signalled)
			return false;
		w->deadline_us = sw_now_us() + (int64_t)sw_db_busy_timeout_ms() * 1000;
	}
	return sw_now_us() >= w->deadline_us;
}

/* The writer connection's busy handler: lib/db.c's, cut short by the exit
 * deadline and by checkpoints that must not wait. */
static int writer_busy(void *arg, int count)
{
	struct sw_writer *w = arg;

	if (w->no_wait || past_deadline(w))
		return 0;
	return sw_db_busy_wait(w->db, count);
}

static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct sw_writer *w = arg;

	(void)db;
	(void)name;
	w->wal_frames = frames;
	return SQLITE_OK;
}

static void idle(void)
{
	sw_sleep_ms(IDLE_SLEEP_MS);
}

/* SQLITE_BUSY and SQLITE_LOCKED (and their extended codes): another
 * connection holds a lock; the batch is retried, not lost. */
static bool is_locked(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

static int step_reset(struct sw_writer *w, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		if (is_locked(rc))
			w->batch_locked = true;
		else
			sw_err("database write: %s", sqlite3_errmsg(w->db));
		return -1;
	}
	return 0;
}

/* BEGIN or COMMIT: 0, or -1 (a lock noted in batch_locked, anything else
 * logged). */
static int exec_tx(struct sw_writer *w, const char *sql)
{
	int rc = sqlite3_exec(w->db, sql, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	if (is_locked(rc))
		w->batch_locked = true;
	else
		sw_err("database: %s: %s", sql, sqlite3_errmsg(w->db));
	return -1;
}

static void bind_time(sqlite3_stmt *st, int idx, int64_t us, bool have)
{
	if (have)
		sqlite3_bind_int64(st, idx, us);
	else
		sqlite3_bind_null(st, idx);
}

static int put_counter(struct sw_writer *w, const char *category, const char *name,
                       uint64_t value)
{
	sqlite3_stmt *st = w->st[ST_COUNTER];

	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_text(st, 2, category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)value);
	return step_reset(w, st);
}

static int apply_stats(struct sw_writer *w, const struct sw_counters *c)
{
	sqlite3_stmt *st = w->st[ST_RUN_STATS];
	int rc = 0;

	sqlite3_bind_int64(st, 1, w->run_id);
	bind_time(st, 2, c->first_ts, c->packets > 0);
	bind_time(st, 3, c->last_ts, c->packets > 0);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)c->packets);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)c->bytes);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)c->dropped);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)c->ifdropped);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)sw_counters_errors(c));
	sqlite3_bind_int64(st, 9, (sqlite3_int64)c->ring_full);
	/* the heartbeat: the writer's clock, so a run whose writer is stuck
	 * or gone stops looking alive (lib/runstate.c) */
	sqlite3_bind_int64(st, 10, sw_now_us());
	sqlite3_bind_int64(st, 11, (sqlite3_int64)c->active_seconds);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)sw_counters_peak_pps(c));
	rc |= step_reset(w, st);
	/* Only counters that are not zero get a row, but once a row exists it
	 * is kept current. */
	for (int i = 1; i < SW_DERR_COUNT; i++)
		if (c->derr[i])
			rc |= put_counter(w, "error", sw_derr_name((enum sw_derr)i), c->derr[i]);
	for (int i = 0; i < SW_AN_COUNT; i++)
		if (c->anomaly[i])
			rc |= put_counter(w, "anomaly", sw_anomaly_name((enum sw_anomaly)i),
			                  c->anomaly[i]);
	for (int i = 0; i < SW_TR_COUNT; i++)
		if (c->traffic[i])
			rc |= put_counter(w, "traffic", sw_traffic_name((enum sw_traffic)i),
			                  c->traffic[i]);
	for (int i = 0; i < SW_TB_COUNT; i++)
		if (c->table[i])
			rc |= put_counter(w, "table", sw_table_counter_name((enum sw_table_counter)i),
			                  c->table[i]);
	return rc;
}

/* Both statements number their parameters alike (UPDATE leaves some
 * unused, which SQLite allows), so one binding serves OPEN, UPDATE and
 * CLOSE. */
static void bind_detection(struct sw_writer *w, sqlite3_stmt *st, const struct sw_rec_det *r)
{
	char src[SW_ADDR_STRLEN];

	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int64(st, 2, r->seq);
	sw_db_bind_text(st, 3, sw_kind_name(r->kind));
	sw_db_bind_text(st, 4, sw_variant_name(r->variant));
	sw_db_bind_text(st, 5, sw_proto_name(r->proto));
	sqlite3_bind_text(st, 6, sw_addr_format(&r->src, src, sizeof src), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 7, r->src.family);
	sqlite3_bind_blob(st, 8, r->src.bytes, sizeof r->src.bytes, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, r->outbound);
	sqlite3_bind_int64(st, 10, r->first_seen);
	sqlite3_bind_int64(st, 12, r->detected_at);
	sqlite3_bind_int64(st, 18, r->failed_contacts);
	sqlite3_bind_int64(st, 11, r->last_seen);
	sqlite3_bind_int64(st, 13, r->targets);
	sqlite3_bind_int(st, 14, r->targets_capped);
	sqlite3_bind_int64(st, 15, r->ports);
	sqlite3_bind_int(st, 16, r->ports_capped);
	sqlite3_bind_int64(st, 17, (sqlite3_int64)r->packets);
	sw_db_bind_text(st, 19, r->tool ? sw_tool_name(r->tool) : NULL);
	sqlite3_bind_int64(st, 21, r->sessions_after);
	sw_db_bind_text(st, 22, sw_evasion_name(r->evasion));
	if (r->probe_sig)
		sqlite3_bind_int64(st, 23, (sqlite3_int64)r->probe_sig);
	sqlite3_bind_int64(st, 24, r->src_resets);
	sqlite3_bind_int64(st, 25, r->src_silent);
	sqlite3_bind_int64(st, 26, r->successes);
}

/* The id of this run's detection seq, 0 if none (a lock is noted). */
static int64_t detection_id(struct sw_writer *w, uint32_t seq)
{
	sqlite3_stmt *st = w->st[ST_DET_ID];
	int64_t id = 0;
	int rc;

	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int64(st, 2, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (is_locked(rc))
		w->batch_locked = true;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return id;
}

static int apply_detection(struct sw_writer *w, const struct sw_rec *rec)
{
	const struct sw_rec_det *r = &rec->u.det;
	sqlite3_stmt *st = w->st[rec->type == SW_REC_DET_OPEN ? ST_DET_OPEN : ST_DET_UPDATE];

	bind_detection(w, st, r);
	if (rec->type == SW_REC_DET_CLOSE)
		sqlite3_bind_int64(st, 20, r->closed_at);
	if (step_reset(w, st) < 0)
		return -1;
	if (rec->type == SW_REC_DET_OPEN)
		w->batch_stored += (uint64_t)sqlite3_changes(w->db);
	if (w->alerts && sqlite3_changes(w->db) == 1 && w->nopened < BATCH_MAX &&
	    (rec->type == SW_REC_DET_OPEN || (rec->type == SW_REC_DET_CLOSE && w->want_closes))) {
		struct fired *f = &w->opened[w->nopened++];
		f->type = rec->type;
		f->det = *r;
		f->id = rec->type == SW_REC_DET_OPEN ? sqlite3_last_insert_rowid(w->db)
		                                     : detection_id(w, r->seq);
	}
	return 0;
}

/* How a run ended: a capture cut short by a read error (a truncated or
 * corrupt file, one of several -r) is partial, not finished; so is a live
 * capture that lost records to a full ring (the run must not look clean). */
static const char *end_status(const struct sw_counters *c)
{
	return c->anomaly[SW_AN_READ_ERROR] || c->ring_full ? "partial" : "finished";
}

static int apply_evidence(struct sw_writer *w, const struct sw_rec_evidence *ev)
{
	sqlite3_stmt *st = w->st[ST_EVIDENCE];
	char line[SW_EVIDENCE_LEN], made[SW_EVIDENCE_LEN];
	const char *text = sw_evidence_line(ev, made, sizeof made);

	/* the line is built by the sensor from numbers and fixed words; keep
	 * it that way even if a bug ever let a byte through */
	sw_sanitize(line, sizeof line, text, strnlen(text, SW_EVIDENCE_LEN));
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int64(st, 2, ev->seq);
	sqlite3_bind_int64(st, 3, ev->ts);
	sqlite3_bind_text(st, 4, line, -1, SQLITE_TRANSIENT);
	return step_reset(w, st);
}

static int apply(struct sw_writer *w, const struct sw_rec *rec)
{
	switch (rec->type) {
	case SW_REC_STATS:
		if (w->nports > 1) { /* -j N: the run's counters are the workers' sum */
			struct sw_counters sum;
			w->port_stats[w->cur] = rec->u.stats;
			memset(&sum, 0, sizeof sum);
			for (int i = 0; i < w->nports; i++)
				sw_counters_merge(&sum, &w->port_stats[i]);
			return apply_stats(w, &sum);
		}
		return apply_stats(w, &rec->u.stats);
	case SW_REC_END:
		/* records given up to a lock at exit are lost like those a
		 * full ring refused: counted, and the run is partial */
		w->end_stats = rec->u.stats;
		w->end_stats.ring_full += w->lost;
		w->batch_has_end = true;
		if (apply_stats(w, &w->end_stats) < 0 ||
		    (w->lost && put_counter(w, "anomaly", "db_locked_at_exit", w->lost) < 0))
			return -1;
		sqlite3_bind_int64(w->st[ST_RUN_FINISH], 1, w->run_id);
		sqlite3_bind_text(w->st[ST_RUN_FINISH], 2, end_status(&w->end_stats), -1,
		                  SQLITE_STATIC);
		return step_reset(w, w->st[ST_RUN_FINISH]);
	case SW_REC_DET_OPEN:
	case SW_REC_DET_UPDATE:
	case SW_REC_DET_CLOSE:
		return apply_detection(w, rec);
	case SW_REC_EVIDENCE:
		return apply_evidence(w, &rec->u.ev);
	case SW_REC_RUN_FILE:
		sqlite3_bind_int64(w->st[ST_RUN_FILE], 1, w->run_id);
		sqlite3_bind_int64(w->st[ST_RUN_FILE], 2, rec->u.file.seq);
		sqlite3_bind_int64(w->st[ST_RUN_FILE], 3, rec->u.file.size);
		sqlite3_bind_int64(w->st[ST_RUN_FILE], 4, rec->u.file.mtime_us);
		return step_reset(w, w->st[ST_RUN_FILE]);
	default:
		sw_err("writer: unknown record type %u", rec->type);
		return -1;
	}
}

/* One attempt at the n waiting records (n at most BATCH_MAX; they stay in
 * the ring): 0 committed, -1 failed for good (some records may be
 * committed), and batch_locked set when a lock stopped it (nothing is). */
static int try_batch(struct sw_writer *w, size_t n)
{
	int rc = 0;

	w->batch_locked = false;
	w->batch_has_end = false;
	w->nopened = 0;
	w->batch_stored = 0;
	if (exec_tx(w, "BEGIN IMMEDIATE") < 0)
		return -1;
	for (size_t i = 0; i < n && !w->batch_locked; i++) {
		sw_ring_peek(w->ring, i, &w->rec); /* 512 bytes: off the stack */
		rc |= apply(w, &w->rec);
	}
	if (!w->batch_locked && exec_tx(w, "COMMIT") == 0)
		return rc;
	sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Pause before the next attempt at a locked database: doubling, bounded. */
static void locked_pause(unsigned *pause_ms)
{
	sw_sleep_ms(*pause_ms);
	*pause_ms = *pause_ms * 2 > LOCKED_PAUSE_MAX_MS ? LOCKED_PAUSE_MAX_MS : *pause_ms * 2;
}

/* The size of the WAL file (0 if there is none yet), from SQLite's own
 * handle: no path to build, no call the sensor's filter does not allow. */
static int64_t wal_size(struct sw_writer *w)
{
	sqlite3_file *f = NULL;
	sqlite3_int64 size = 0;

	if (sqlite3_file_control(w->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK ||
	    !f || !f->pMethods || f->pMethods->xFileSize(f, &size) != SQLITE_OK)
		return 0;
	return size;
}

/* After a commit: the checkpoint policy (see the top of this file). */
static void checkpoint(struct sw_writer *w)
{
	int64_t size = wal_size(w), now;
	int rc;

	if (size > w->wal_peak)
		w->wal_peak = size;
	if (size <= w->wal_limit) {
		if (w->wal_frames >= WAL_CHECKPOINT_PAGES)
			sqlite3_wal_checkpoint_v2(w->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return;
	}
	/* past the limit: copy back what readers allow, and restart and cut
	 * the file to nothing if none holds an older snapshot; never wait */
	w->no_wait = true;
	rc = sqlite3_wal_checkpoint_v2(w->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	w->no_wait = false;
	now = sw_now_us();
	if (rc == SQLITE_OK) {
		if (w->wal_warned_at)
			sw_info("%s-wal: checkpointed and cut back from %.1f MiB after %.0f s",
			        db_path(w), (double)size / (1 << 20),
			        (double)(now - w->wal_blocked_since) / 1e6);
		w->wal_blocked_since = 0;
		w->wal_warned_at = 0;
		return;
	}
	if (!w->wal_blocked_since)
		w->wal_blocked_since = now;
	if (now - w->wal_blocked_since >= (int64_t)sw_db_busy_timeout_ms() * 1000 &&
	    (!w->wal_warned_at || now - w->wal_warned_at >= WAL_REWARN_US)) {
		sw_warn("%s-wal: %.1f MiB, over [database] wal_limit_mib (%lld): a reader has kept"
		        " it from being checkpointed for %.0f s (a long read transaction, such as"
		        " an open sqlite3 session); it is cut back once that reader ends",
		        db_path(w), (double)size / (1 << 20), (long long)(w->wal_limit >> 20),
		        (double)(now - w->wal_blocked_since) / 1e6);
		w->wal_warned_at = now;
	}
}

/* The database stayed locked past the exit's patience: take the n records
 * off the ring unstored, counting them; the run's END record is kept to
 * be tried once more at the very end. */
static void give_up(struct sw_writer *w, size_t n)
{
	uint64_t lost = 0;

	for (size_t i = 0; i < n; i++) {
		sw_ring_peek(w->ring, i, &w->rec);
		if (w->rec.type == SW_REC_END) {
			w->end = w->rec;
			w->have_end = true;
			continue;
		}
		lost++;
		if (w->rec.type == SW_REC_DET_OPEN)
			w->lost_detections++;
	}
	if (!w->gave_up)
		sw_warn("%s: still locked %.1f s after the stop: giving up %llu waiting"
		        " records, and any that meet the lock from now on (the run ends partial)",
		        db_path(w), (double)sw_db_busy_timeout_ms() / 1000,
		        (unsigned long long)lost);
	w->gave_up = true;
	w->lost += lost;
	sw_ring_consume(w->ring, n);
}

/* Store up to BATCH_MAX waiting records in one transaction, retried while
 * the database is locked (on a bounded exit, until the deadline); how many
 * were taken off the ring. */
static size_t write_batch(struct sw_writer *w)
{
	unsigned pause_ms = LOCKED_PAUSE_MIN_MS;
	int64_t locked_since = 0;
	size_t n = 0;
	int rc;

	n = sw_ring_count(w->ring); /* exact for the consumer: all published */
	if (n > BATCH_MAX)
		n = BATCH_MAX;
	if (n == 0)
		return 0;
	while ((rc = try_batch(w, n)) < 0 && w->batch_locked) {
		if (past_deadline(w)) {
			give_up(w, n);
			return n;
		}
		if (!locked_since) {
			locked_since = sw_now_us();
			sw_warn("database is locked by another program: %zu records wait"
			        " (retrying, nothing is dropped)", n);
		}
		locked_pause(&pause_ms);
	}
	if (locked_since)
		sw_info("database writable again after %.1f s",
		        (double)(sw_now_us() - locked_since) / 1e6);
	sw_ring_consume(w->ring, n);
	if (rc) {
		w->failed = true;
	} else { /* stored: now they count, and the operator may hear of them */
		w->stored += w->batch_stored;
		w->end_stored |= w->batch_has_end;
		for (size_t i = 0; i < w->nopened; i++)
			sw_alerts_post(w->alerts, w->opened[i].type, w->opened[i].id,
			               &w->opened[i].det);
		checkpoint(w);
	}
	w->nopened = 0;
	w->batch_stored = 0;
	return n;
}

/* The run's END record, given up with a batch: one more patience to say
 * how the run ended (partial, with what was lost). */
static void write_end(struct sw_writer *w)
{
	unsigned pause_ms = LOCKED_PAUSE_MIN_MS;
	int rc;

	w->deadline_us = sw_now_us() + (int64_t)sw_db_busy_timeout_ms() * 1000;
	for (;;) {
		w->batch_locked = false;
		w->batch_has_end = false;
		if (exec_tx(w, "BEGIN IMMEDIATE") == 0) {
			rc = apply(w, &w->end);
			if (!w->batch_locked && exec_tx(w, "COMMIT") == 0) {
				if (rc)
					w->failed = true;
				w->end_stored = true;
				return;
			}
			sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
		}
		if (!w->batch_locked) {
			w->failed = true;
			return;
		}
		if (past_deadline(w))
			return;
		locked_pause(&pause_ms);
	}
}

static void *writer_main(void *arg)
{
	struct sw_writer *w = arg;

	for (;;) {
		/* read the flag before draining so nothing pushed before the
		 * stop request is left behind */
		bool stop = atomic_load(&w->stopping);
		size_t done = 0;
		for (w->cur = 0; w->cur < w->nports; w->cur++) {
			w->ring = &w->rings[w->cur];
			done += write_batch(w);
		}
		if (done == 0) {
			if (stop)
				break;
			idle();
		}
	}
	if (w->have_end)
		write_end(w);
	return NULL;
}

static int insert_run_files(sqlite3 *db, int64_t run, const struct sw_run_info *info)
{
	static const char sql[] =
		"INSERT INTO run_files (run_id, seq, kind, path, size, mtime)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (info->nfiles == 0)
		return 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (int i = 0; i < info->nfiles && rc == 0; i++) {
		const struct sw_run_file *f = &info->files[i];
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_int(st, 2, i + 1);
		sqlite3_bind_text(st, 3, f->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, f->path, -1, SQLITE_STATIC);
		if (f->size >= 0)
			sqlite3_bind_int64(st, 5, f->size);
		else
			sqlite3_bind_null(st, 5);
		if (f->mtime_us >= 0)
			sqlite3_bind_int64(st, 6, f->mtime_us);
		else
			sqlite3_bind_null(st, 6);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}

int64_t sw_run_insert(sqlite3 *db, const struct sw_run_info *info)
{
	static const char sql_sensor[] =
		"INSERT INTO sensors (name) VALUES (?1) ON CONFLICT (name) DO NOTHING";
	static const char sql_run[] =
		"INSERT INTO runs (sensor_id, source, filter, linktype, snaplen, recorded_at, started,"
		" host, pid, stats_interval, heartbeat)"
		" VALUES ((SELECT id FROM sensors WHERE name = ?1), ?2, ?3, ?4, ?5, ?6, ?7,"
		" ?8, ?9, ?10, ?6)";
	sqlite3_stmt *st = NULL;
	int64_t id = -1, run;

	if (sw_db_exec(db, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (sqlite3_prepare_v2(db, sql_sensor, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, info->sensor, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, sql_run, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, info->sensor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, info->source, -1, SQLITE_STATIC);
	if (info->filter)
		sqlite3_bind_text(st, 3, info->filter, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, info->linktype, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, info->snaplen);
	sqlite3_bind_int64(st, 6, info->recorded_at);
	if (info->started)
		sqlite3_bind_int64(st, 7, info->started);
	sqlite3_bind_text(st, 8, sw_runs_host(), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)getpid());
	sqlite3_bind_int(st, 10, info->stats_interval);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	run = sqlite3_last_insert_rowid(db);
	if (insert_run_files(db, run, info) < 0)
		goto out;
	id = run;
out:
	if (id < 0)
		sw_err("database: cannot record the run: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (sw_db_exec(db, id < 0 ? "ROLLBACK" : "COMMIT") < 0)
		id = -1;
	return id;
}

struct sw_writer *sw_writer_start(sqlite3 *db, int64_t run_id, size_t ring_records,
                                  struct sw_alerts *alerts)
{
	return sw_writer_start_ports(db, run_id, ring_records, 1, alerts);
}

struct sw_writer *sw_writer_start_ports(sqlite3 *db, int64_t run_id, size_t ring_records,
                                        int nports, struct sw_alerts *alerts)
{
	struct sw_writer *w;

	if (nports < 1 || nports > SW_WRITER_MAX_PORTS)
		return NULL;
	w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->nports = nports;
	w->ring = &w->rings[0];
	w->db = db;
	w->run_id = run_id;
	w->alerts = alerts;
	w->want_closes = sw_alerts_want_closes(alerts);
	w->wal_limit = sw_db_wal_limit_bytes();
	atomic_init(&w->stopping, false);
	atomic_init(&w->exit_bounded, false);
	for (int i = 0; i < nports; i++)
		if (sw_ring_init(&w->rings[i], ring_records, sizeof(struct sw_rec)) < 0) {
			sw_err("writer: cannot allocate a ring of %zu records", ring_records);
			goto fail;
		}
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                       &w->st[i], NULL) != SQLITE_OK) {
			sw_err("database: %s", sqlite3_errmsg(db));
			goto fail;
		}
	}
	/* the writer's own busy handler (the exit deadline) and checkpoints */
	sqlite3_busy_handler(db, writer_busy, w);
	sqlite3_wal_hook(db, on_wal_commit, w);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		sw_err("writer: cannot start the thread");
		goto fail;
	}
	return w;
fail:
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(w->st[i]);
	for (int i = 0; i < nports; i++)
		sw_ring_free(&w->rings[i]);
	free(w);
	return NULL;
}

void sw_writer_wait_when_full(struct sw_writer *w, bool wait)
{
	w->wait_when_full = wait;
}

void sw_writer_capture_ended(struct sw_writer *w)
{
	if (!w->wait_when_full)
		atomic_store(&w->exit_bounded, true);
}

bool sw_writer_submit(struct sw_writer *w, const struct sw_rec *rec)
{
	return sw_writer_submit_on(w, 0, rec);
}

void sw_writer_submit_wait(struct sw_writer *w, const struct sw_rec *rec)
{
	sw_writer_submit_wait_on(w, 0, rec);
}

bool sw_writer_submit_on(struct sw_writer *w, int port, const struct sw_rec *rec)
{
	struct sw_ring *r = &w->rings[port];

	if (w->wait_when_full) {
		sw_writer_submit_wait_on(w, port, rec);
		return true;
	}
	if (sw_ring_push(r, rec))
		return true;
	if (!w->told_full_port[port]) { /* once a run: the caller counts every loss */
		w->told_full_port[port] = true;
		sw_warn("writer ring full (%zu records): the database is not keeping up;"
		        " a live capture cannot wait, records are lost (counted, the run"
		        " ends partial)", sw_ring_capacity(r));
	}
	return false;
}

void sw_writer_submit_wait_on(struct sw_writer *w, int port, const struct sw_rec *rec)
{
	struct sw_ring *r = &w->rings[port];

	if (sw_ring_push(r, rec))
		return;
	if (!w->told_full_port[port]) {
		w->told_full_port[port] = true;
		sw_info("writer ring full (%zu records): the packet loop waits for the"
		        " database (nothing is lost)", sw_ring_capacity(r));
	}
	while (!sw_ring_push(r, rec))
		idle();
}

void sw_writer_drain_wait(struct sw_writer *w)
{
	for (int i = 0; i < w->nports; i++)
		while (sw_ring_count(&w->rings[i]) > 0)
			idle();
}

int sw_writer_stop(struct sw_writer *w, struct sw_writer_result *res)
{
	int rc;

	atomic_store(&w->stopping, true);
	pthread_join(w->thread, NULL);
	rc = w->failed || w->lost || !w->end_stored ? -1 : 0;
	if (res) {
		res->stored_detections = w->stored;
		res->lost = w->lost;
		res->lost_detections = w->lost_detections;
		res->end_stored = w->end_stored;
		res->failed = w->failed;
		res->wal_peak = w->wal_peak;
	}
	/* the sensor's connection closes last: SQLite checkpoints and removes
	 * the WAL if no other program has the database open */
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(w->st[i]);
	sw_db_close(w->db);
	for (int i = 0; i < w->nports; i++)
		sw_ring_free(&w->rings[i]);
	free(w);
	return rc;
}
