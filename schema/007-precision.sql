-- 007-precision.sql - what it takes to tell an attack from traffic that only
-- looks like one, and to say why an incident is not reported:
--  * the kind 'traceroute' (recorded, never reportable);
--  * on each detection: the evasion it used ('tiny_fragments'), the
--    signature of its first probes (sources whose probes are the same, in
--    lockstep, are decoys of one scan), how the source treated the SYN-ACKs
--    it got (reset: a raw-socket scanner's own kernel; silent: a decoy or a
--    spoofed address) and how many of its first contacts succeeded;
--  * v_incidents gains `reasons`, the words behind severity and reportable;
--  * an incident of a decoy scan's real source keeps its decoys (the memo
--    says that they were used).
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt
-- (https://www.sqlite.org/lang_altertable.html, "other kinds of table schema
-- changes"). Migrations run before foreign keys are switched on; the
-- legacy rename keeps the views and the other tables' references, which
-- name "detections", pointing at the new table.

PRAGMA legacy_alter_table = ON;

CREATE TABLE detections_007 (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id),
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('port_probe', 'port_scan',
                        'host_sweep', 'block_scan', 'stealth_scan', 'udp_scan',
                        'ping_sweep', 'syn_flood', 'udp_flood', 'icmp_flood',
                        'login_attempts', 'traceroute')),
    variant         TEXT,
    proto           TEXT,
    src             TEXT NOT NULL,
    src_family      INTEGER NOT NULL,
    src_bin         BLOB NOT NULL,
    outbound        INTEGER NOT NULL DEFAULT 0,
    first_seen      INTEGER NOT NULL,
    last_seen       INTEGER NOT NULL,
    detected_at     INTEGER NOT NULL,
    closed_at       INTEGER,
    targets         INTEGER NOT NULL DEFAULT 0,
    targets_capped  INTEGER NOT NULL DEFAULT 0,
    ports           INTEGER NOT NULL DEFAULT 0,
    ports_capped    INTEGER NOT NULL DEFAULT 0,
    packets         INTEGER NOT NULL DEFAULT 0,
    failed_contacts INTEGER,
    tool            TEXT,
    sessions_after_scan INTEGER NOT NULL DEFAULT 0,
    evasion         TEXT,                   -- e.g. 'tiny_fragments'; NULL none
    probe_sig       INTEGER,                -- hash of the source's first probes, NULL none
    src_resets      INTEGER NOT NULL DEFAULT 0, -- SYN-ACKs the source reset
    src_silent      INTEGER NOT NULL DEFAULT 0, -- SYN-ACKs the source never answered
    successes       INTEGER NOT NULL DEFAULT 0, -- of the source's first contacts, answered
    UNIQUE (run_id, seq)
);
INSERT INTO detections_007 (id, run_id, seq, kind, variant, proto, src, src_family, src_bin,
        outbound, first_seen, last_seen, detected_at, closed_at, targets, targets_capped,
        ports, ports_capped, packets, failed_contacts, tool, sessions_after_scan)
SELECT id, run_id, seq, kind, variant, proto, src, src_family, src_bin,
        outbound, first_seen, last_seen, detected_at, closed_at, targets, targets_capped,
        ports, ports_capped, packets, failed_contacts, tool, sessions_after_scan
FROM detections;
DROP TABLE detections;
ALTER TABLE detections_007 RENAME TO detections;
CREATE INDEX detections_src ON detections(src_family, src_bin);
CREATE INDEX detections_time ON detections(first_seen);
CREATE INDEX detections_sig ON detections(probe_sig) WHERE probe_sig IS NOT NULL;

PRAGMA legacy_alter_table = OFF;

ALTER TABLE incidents ADD COLUMN decoys INTEGER NOT NULL DEFAULT 0; -- a real source's decoys
ALTER TABLE incidents ADD COLUMN decoy_list TEXT;  -- the first of them, "a, b and 3 more"

DROP VIEW v_incidents;
CREATE VIEW v_incidents AS
SELECT netblock, src, kinds,
       strftime('%Y-%m-%dT%H:%M:%S', first_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', first_seen % 1000000) AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%S', last_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', last_seen % 1000000) AS last_seen,
       days, targets, severity, reportable, compromised, reasons
FROM incidents
ORDER BY severity DESC, first_seen;
