-- 001-initial.sql - the first schema of a spanwatch database.
--
-- Times are INTEGER microseconds since the Unix epoch (packet time where the
-- value came off the wire). Addresses are stored both as text (for people
-- and the sqlite3 CLI) and as 16-byte BLOBs with a family column (for
-- prefix queries). The v_* views are the contract; tables may change.

CREATE TABLE sensors (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE
);

-- One capture run: a live interface, or the set of files given with -r.
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    sensor_id       INTEGER NOT NULL REFERENCES sensors(id),
    source          TEXT NOT NULL,          -- "eth0" or "a.pcap b.pcap"
    filter          TEXT,                   -- BPF expression, NULL if none
    linktype        TEXT,                   -- e.g. EN10MB
    snaplen         INTEGER,
    recorded_at     INTEGER NOT NULL,       -- wall clock when the run began
    started         INTEGER,                -- first packet time (live: start)
    ended           INTEGER,                -- last packet time; NULL while open
    finished        INTEGER NOT NULL DEFAULT 0, -- 1 once the run ended cleanly
    packets         INTEGER NOT NULL DEFAULT 0,
    bytes           INTEGER NOT NULL DEFAULT 0, -- bytes on the wire
    dropped         INTEGER NOT NULL DEFAULT 0, -- kernel drops (pcap_stats ps_drop)
    ifdropped       INTEGER NOT NULL DEFAULT 0, -- interface drops (ps_ifdrop)
    decode_errors   INTEGER NOT NULL DEFAULT 0,
    ring_full       INTEGER NOT NULL DEFAULT 0  -- records lost to a full writer ring
);

-- Named counters of a run: decode errors by reason ('error'), anomalies
-- such as overlapping fragments ('anomaly'), traffic by kind ('traffic'),
-- and the evictions of each bounded table ('table').
CREATE TABLE run_counters (
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    category    TEXT NOT NULL CHECK (category IN ('error', 'anomaly', 'traffic', 'table')),
    name        TEXT NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (run_id, category, name)
) WITHOUT ROWID;

CREATE TABLE detections (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id),
    seq             INTEGER NOT NULL,       -- the sensor's number within the run
    kind            TEXT NOT NULL CHECK (kind IN ('port_probe', 'port_scan',
                        'host_sweep', 'block_scan', 'stealth_scan', 'udp_scan',
                        'ping_sweep', 'syn_flood', 'udp_flood', 'icmp_flood',
                        'login_attempts')),
    variant         TEXT,
    proto           TEXT,                   -- tcp, udp, icmp, icmp6
    src             TEXT NOT NULL,
    src_family      INTEGER NOT NULL,       -- 4 or 6
    src_bin         BLOB NOT NULL,          -- 16 bytes, IPv4 in the first 4
    outbound        INTEGER NOT NULL DEFAULT 0, -- a home host acting outward
    first_seen      INTEGER NOT NULL,
    last_seen       INTEGER NOT NULL,
    detected_at     INTEGER NOT NULL,
    closed_at       INTEGER,
    targets         INTEGER NOT NULL DEFAULT 0,
    targets_capped  INTEGER NOT NULL DEFAULT 0, -- 1: targets is a lower bound
    ports           INTEGER NOT NULL DEFAULT 0,
    ports_capped    INTEGER NOT NULL DEFAULT 0,
    packets         INTEGER NOT NULL DEFAULT 0,
    failed_contacts INTEGER,                -- failures seen before detected_at
    tool            TEXT,
    UNIQUE (run_id, seq)
);
CREATE INDEX detections_src ON detections(src_family, src_bin);
CREATE INDEX detections_time ON detections(first_seen);

-- Time-stamped log lines kept as the evidence of a detection.
CREATE TABLE evidence (
    id              INTEGER PRIMARY KEY,
    detection_id    INTEGER NOT NULL REFERENCES detections(id) ON DELETE CASCADE,
    ts              INTEGER NOT NULL,
    line            TEXT NOT NULL
);
CREATE INDEX evidence_detection ON evidence(detection_id, ts);

-- Filled by spanwatch-analyzer.
CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    netblock        TEXT NOT NULL,
    src             TEXT NOT NULL,
    kinds           TEXT NOT NULL,
    first_seen      INTEGER NOT NULL,
    last_seen       INTEGER NOT NULL,
    days            INTEGER NOT NULL DEFAULT 1,
    targets         INTEGER NOT NULL DEFAULT 0,
    severity        INTEGER NOT NULL DEFAULT 0,
    reportable      INTEGER NOT NULL DEFAULT 0 CHECK (reportable IN (0, 1)),
    compromised     INTEGER NOT NULL DEFAULT 0 CHECK (compromised IN (0, 1))
);
CREATE INDEX incidents_netblock ON incidents(netblock);

-- Filled by spanwatch-reporter: one row per memo written.
CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    netblock        TEXT NOT NULL,
    created         INTEGER NOT NULL,
    recipients      TEXT,
    subject         TEXT NOT NULL,
    path            TEXT
);
CREATE INDEX reports_netblock ON reports(netblock);

-- ---- contract views ------------------------------------------------------
-- sw_iso(us) is spelt out in each view because views must work in the plain
-- sqlite3 CLI, without functions of ours: ISO 8601 UTC with microseconds.

CREATE VIEW v_runs AS
SELECT s.name AS sensor,
       r.source AS source,
       CASE WHEN r.started IS NULL THEN NULL ELSE
         strftime('%Y-%m-%dT%H:%M:%S', r.started / 1000000, 'unixepoch')
         || printf('.%06dZ', r.started % 1000000) END AS started,
       CASE WHEN r.ended IS NULL THEN NULL ELSE
         strftime('%Y-%m-%dT%H:%M:%S', r.ended / 1000000, 'unixepoch')
         || printf('.%06dZ', r.ended % 1000000) END AS ended,
       r.packets, r.bytes, r.dropped, r.ifdropped, r.decode_errors
FROM runs r JOIN sensors s ON s.id = r.sensor_id
ORDER BY r.id;

CREATE VIEW v_detections AS
SELECT d.kind, d.variant, d.proto, d.src,
       strftime('%Y-%m-%dT%H:%M:%S', d.first_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', d.first_seen % 1000000) AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%S', d.last_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', d.last_seen % 1000000) AS last_seen,
       strftime('%Y-%m-%dT%H:%M:%S', d.detected_at / 1000000, 'unixepoch')
         || printf('.%06dZ', d.detected_at % 1000000) AS detected_at,
       d.targets, d.ports, d.packets, d.tool, s.name AS sensor
FROM detections d
JOIN runs r ON r.id = d.run_id
JOIN sensors s ON s.id = r.sensor_id
ORDER BY d.first_seen, d.id;

CREATE VIEW v_incidents AS
SELECT netblock, src, kinds,
       strftime('%Y-%m-%dT%H:%M:%S', first_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', first_seen % 1000000) AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%S', last_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', last_seen % 1000000) AS last_seen,
       days, targets, severity, reportable, compromised
FROM incidents
ORDER BY severity DESC, first_seen;

CREATE VIEW v_reports AS
SELECT netblock,
       strftime('%Y-%m-%dT%H:%M:%S', created / 1000000, 'unixepoch')
         || printf('.%06dZ', created % 1000000) AS created,
       recipients, subject, path
FROM reports
ORDER BY created;
