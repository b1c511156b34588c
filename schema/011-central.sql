-- 011-central.sql - many sensors, one analysis (spanwatch-analyzer --source):
--  * meta: facts about the database itself; 'id' is a random identity made
--    when the database is created or migrated here. A copy of the file
--    (sqlite3 .backup, VACUUM INTO, cp of a stopped sensor's file) keeps
--    it, so a central database knows a sensor database by it, wherever
--    the copy is put;
--  * central_sources: in a central database, each sensor database it has
--    read, by that identity, with the high-water mark of its log lines;
--  * central_runs: each run read from a source, the run it became here,
--    and how far it is final: a run that had ended when it was read
--    (done) is never read again; of a run still going, detections with a
--    seq below next_seq were closed when read and are final, the others
--    are read again (and updated, not duplicated) at the next import.
-- Runs listed in central_runs belong to sensors elsewhere: the analyzer
-- never marks them interrupted (their host and pid are not ours); their
-- own database says how they ended.

CREATE TABLE meta (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('id', lower(hex(randomblob(16))));

CREATE TABLE central_sources (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,   -- the source's meta 'id'
    path            TEXT NOT NULL,          -- where it was read last (for people)
    sensors         TEXT,                   -- its sensor names, comma separated
    first_import    INTEGER NOT NULL,       -- wall clock, microseconds
    last_import     INTEGER NOT NULL,
    log_hwm_id      INTEGER NOT NULL DEFAULT 0, -- log lines with a higher id are new
    log_hwm_ts      INTEGER                 -- the ts of the line at log_hwm_id
);

CREATE TABLE central_runs (
    source_id       INTEGER NOT NULL REFERENCES central_sources(id) ON DELETE CASCADE,
    src_run_id      INTEGER NOT NULL,       -- runs.id in the source
    src_recorded_at INTEGER NOT NULL,       -- tells a reused source id from the run
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    done            INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    next_seq        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, src_run_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX central_runs_run ON central_runs(run_id);
