-- 008-run-state.sql - what tells a dead run from a live one, how each run
-- ended, and the live rates that mean something:
--  * host and pid of the sensor, its stats interval, and a heartbeat (wall
--    clock, microseconds) its writer renews with every statistics record;
--    a run still 'running' whose heartbeat is older than three intervals,
--    or whose pid is gone on the same host, was killed: the next sensor
--    start and the analyzer mark it 'interrupted' and close its detections
--    at their last evidence;
--  * status: running, finished, interrupted, or partial (the capture ended
--    in a read error: a truncated or corrupt file, or one of several -r);
--  * active_seconds (seconds in which at least one packet arrived) and
--    peak_pps (the most packets in one such second): a live capture's rate
--    is packets / active_seconds, not packets over idle wall time.
-- v_runs gains status, active_seconds, peak_pps and active_pps (packets per
-- active second); its columns stay.

ALTER TABLE runs ADD COLUMN host TEXT;
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN stats_interval INTEGER;  -- seconds
ALTER TABLE runs ADD COLUMN heartbeat INTEGER;       -- wall clock of the last stats
ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'finished', 'interrupted', 'partial'));
ALTER TABLE runs ADD COLUMN active_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN peak_pps INTEGER NOT NULL DEFAULT 0;

UPDATE runs SET status = 'finished' WHERE finished = 1;
-- runs of the log reader (analyzer/logs.c) and older rows: no heartbeat
-- yet, the time they were recorded stands for it
UPDATE runs SET heartbeat = recorded_at WHERE heartbeat IS NULL;
-- a run inserted already finished (the analyzer's 'log lines' run) says so
CREATE TRIGGER runs_finished_on_insert AFTER INSERT ON runs
WHEN NEW.finished = 1 AND NEW.status = 'running'
BEGIN
    UPDATE runs SET status = 'finished' WHERE id = NEW.id;
END;

DROP VIEW v_runs;
CREATE VIEW v_runs AS
SELECT s.name AS sensor,
       r.source AS source,
       CASE WHEN r.started IS NULL THEN NULL ELSE
         strftime('%Y-%m-%dT%H:%M:%S', r.started / 1000000, 'unixepoch')
         || printf('.%06dZ', r.started % 1000000) END AS started,
       CASE WHEN r.ended IS NULL THEN NULL ELSE
         strftime('%Y-%m-%dT%H:%M:%S', r.ended / 1000000, 'unixepoch')
         || printf('.%06dZ', r.ended % 1000000) END AS ended,
       r.packets, r.bytes, r.dropped, r.ifdropped, r.decode_errors,
       r.status, r.active_seconds, r.peak_pps,
       CASE WHEN r.active_seconds > 0 THEN r.packets / r.active_seconds END AS active_pps
FROM runs r JOIN sensors s ON s.id = r.sensor_id
ORDER BY r.id;
