-- 005-reporter.sql - what spanwatch-reporter keeps: every whois answer
-- (with its server and time, so --offline can work from the cache and a
-- netblock is asked once per TTL), and which incidents each memo covered
-- (so the same incidents never produce two memos).

-- One resolution of one address: the chain of answers that gave a range.
CREATE TABLE whois_lookups (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL DEFAULT 'ip' CHECK (kind IN ('ip', 'domain')),
    query           TEXT NOT NULL,          -- the address or domain asked about
    family          INTEGER,                -- ip: 4 or 6
    first_addr      BLOB,                   -- ip: the range found (16 bytes, big-endian)
    last_addr       BLOB,
    cidr            TEXT,                   -- ip: the range as CIDR(s), comma-separated
    status          TEXT NOT NULL,          -- ok, unresolved
    fetched_at      INTEGER NOT NULL        -- µs since the epoch (wall clock)
);
CREATE INDEX whois_lookups_range ON whois_lookups(family, first_addr, last_addr);
CREATE INDEX whois_lookups_query ON whois_lookups(kind, query);

-- The raw answers of a lookup, in the order they were asked (hop 0 first).
CREATE TABLE whois_responses (
    id              INTEGER PRIMARY KEY,
    lookup_id       INTEGER NOT NULL REFERENCES whois_lookups(id) ON DELETE CASCADE,
    hop             INTEGER NOT NULL,
    server          TEXT NOT NULL,          -- host[:port] as asked (before the hosts map)
    query           TEXT NOT NULL,          -- the query line sent
    response        BLOB NOT NULL,          -- the bytes received (capped)
    truncated       INTEGER NOT NULL DEFAULT 0,
    fetched_at      INTEGER NOT NULL,
    UNIQUE (lookup_id, hop)
);

ALTER TABLE reports ADD COLUMN format TEXT;
ALTER TABLE reports ADD COLUMN message_id TEXT;
ALTER TABLE reports ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;

-- Which incidents a memo covered, and how far each had got then: an
-- incident is new for a netblock when it is in no report, or when it went
-- on (last_seen grew) after the report that covered it.
CREATE TABLE report_incidents (
    report_id       INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    incident_id     INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    last_seen       INTEGER NOT NULL,
    PRIMARY KEY (report_id, incident_id)
) WITHOUT ROWID;
CREATE INDEX report_incidents_incident ON report_incidents(incident_id);

-- Reportable incidents no memo has covered yet (or that went on since).
DROP VIEW v_reportable_unreported;
CREATE VIEW v_reportable_unreported AS
SELECT i.netblock, i.src, i.kinds, i.severity, i.reasons,
       strftime('%Y-%m-%dT%H:%M:%S', i.last_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', i.last_seen % 1000000) AS last_seen
FROM incidents i
WHERE i.reportable = 1
  AND NOT EXISTS (SELECT 1 FROM report_incidents ri
                  WHERE ri.incident_id = i.id AND ri.last_seen >= i.last_seen)
ORDER BY i.severity DESC, i.last_seen;
