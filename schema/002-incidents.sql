-- 002-incidents.sql - what spanwatch-analyzer needs: incidents with a
-- stable identity (so a re-run changes nothing), their detections, the
-- operator's compromise marks, and the whois ranges the reporter caches
-- (the analyzer groups sources by the most specific one).

ALTER TABLE incidents ADD COLUMN ikey TEXT;            -- stable identity
ALTER TABLE incidents ADD COLUMN level TEXT NOT NULL DEFAULT 'source'
    CHECK (level IN ('source', 'netblock'));
ALTER TABLE incidents ADD COLUMN ports INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN packets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN detections INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN sensors TEXT;
ALTER TABLE incidents ADD COLUMN outbound INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN reasons TEXT;         -- why this severity, in words
ALTER TABLE incidents ADD COLUMN compromise_reason TEXT;
CREATE UNIQUE INDEX incidents_ikey ON incidents(ikey);

CREATE TABLE incident_detections (
    incident_id     INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    detection_id    INTEGER NOT NULL REFERENCES detections(id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, detection_id)
) WITHOUT ROWID;
CREATE INDEX incident_detections_detection ON incident_detections(detection_id);

-- The operator's word on a source: 1 compromise confirmed, 0 cleared. It
-- outlives re-runs of the analyzer, which recomputes everything else.
CREATE TABLE compromise_marks (
    src             TEXT PRIMARY KEY,
    compromised     INTEGER NOT NULL CHECK (compromised IN (0, 1)),
    marked_at       INTEGER NOT NULL,
    note            TEXT
);

-- Filled by spanwatch-reporter from whois: address ranges as 16-byte
-- big-endian bounds (IPv4 in the first 4 bytes), compared with memcmp.
CREATE TABLE whois_ranges (
    id              INTEGER PRIMARY KEY,
    family          INTEGER NOT NULL,
    first_addr      BLOB NOT NULL,
    last_addr       BLOB NOT NULL,
    prefix_len      INTEGER NOT NULL,
    cidr            TEXT NOT NULL,
    netname         TEXT,
    server          TEXT,
    fetched_at      INTEGER NOT NULL
);
CREATE INDEX whois_ranges_lookup ON whois_ranges(family, first_addr, last_addr);

-- Everyday questions (documented in the README).
CREATE VIEW v_top_netblocks_week AS
SELECT netblock, count(*) AS incidents, max(severity) AS severity,
       sum(reportable) AS reportable, group_concat(DISTINCT kinds) AS kinds
FROM incidents
WHERE last_seen >= (SELECT max(last_seen) FROM incidents) - 7 * 86400 * 1000000
GROUP BY netblock
ORDER BY max(severity) DESC, count(*) DESC;

CREATE VIEW v_recurrent_sources AS
SELECT src, netblock, days, kinds, severity,
       strftime('%Y-%m-%dT%H:%M:%S', first_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', first_seen % 1000000) AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%S', last_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', last_seen % 1000000) AS last_seen
FROM incidents
WHERE level = 'source' AND days >= 2
ORDER BY days DESC, severity DESC;

CREATE VIEW v_reportable_unreported AS
SELECT i.netblock, i.src, i.kinds, i.severity, i.reasons,
       strftime('%Y-%m-%dT%H:%M:%S', i.last_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', i.last_seen % 1000000) AS last_seen
FROM incidents i
WHERE i.reportable = 1
  AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.netblock = i.netblock
                  AND r.created >= i.last_seen)
ORDER BY i.severity DESC, i.last_seen;

-- What hit a given host: the destinations of the evidence lines (written
-- by the sensor as "... SRC -> DST:PORT ...", "[V6]:PORT", or a bare
-- address for ICMP), e.g. SELECT * FROM v_host_hits WHERE target = '203.0.113.10'
CREATE VIEW v_host_hits AS
WITH ep AS (
    SELECT e.detection_id, e.ts, e.line,
           substr(substr(e.line, instr(e.line, ' -> ') + 4), 1,
                  instr(substr(e.line, instr(e.line, ' -> ') + 4) || ' ', ' ') - 1) AS dst
    FROM evidence e WHERE instr(e.line, ' -> ') > 0
), t AS (
    SELECT detection_id, ts,
           CASE WHEN dst LIKE '[%' THEN substr(dst, 2, instr(dst, ']') - 2)
                WHEN instr(line, ' ICMPv6 ') > 0 THEN dst
                WHEN instr(dst, ':') > 0 THEN substr(dst, 1, instr(dst, ':') - 1)
                ELSE dst END AS target
    FROM ep
)
SELECT t.target, d.src, d.kind, count(DISTINCT d.id) AS detections,
       strftime('%Y-%m-%dT%H:%M:%S', min(t.ts) / 1000000, 'unixepoch')
         || printf('.%06dZ', min(t.ts) % 1000000) AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%S', max(t.ts) / 1000000, 'unixepoch')
         || printf('.%06dZ', max(t.ts) % 1000000) AS last_seen
FROM t JOIN detections d ON d.id = t.detection_id
GROUP BY t.target, d.src, d.kind
ORDER BY min(t.ts);
