-- 009-ledger.sql - the neighbourly ledger: what came back from a
-- netblock's owner after a memo (spanwatch-reporter --ack, --bounced), by
-- when an answer was due, the address ranges of every netblock written to,
-- and v_offenders: the netblocks that keep offending after our memos
-- ("reported 3 times in 40 days, no answer, still active").

-- By when an answer to a memo is expected: its cooldown (the reporter's
-- cooldown_days when it wrote the memo). Memos written before this
-- migration get the default, 7 days.
ALTER TABLE reports ADD COLUMN answer_by INTEGER;
UPDATE reports SET answer_by = created + 7 * 86400 * 1000000;

-- What came back, as the operator records it: 'ack' (an answer, a fix) or
-- 'bounce' (the memo came back undelivered). An answer answers the memos
-- to its netblock written before it; a memo without one after its
-- answer_by was ignored.
CREATE TABLE report_answers (
    id              INTEGER PRIMARY KEY,
    netblock        TEXT NOT NULL,          -- as in reports
    kind            TEXT NOT NULL CHECK (kind IN ('ack', 'bounce')),
    recorded_at     INTEGER NOT NULL,       -- µs since the epoch (the reporter's clock)
    note            TEXT
);
CREATE INDEX report_answers_netblock ON report_answers(netblock, recorded_at);

-- The address ranges of each netblock written to (a whois range can take
-- several CIDRs: "192.0.2.0/25, 192.0.2.128/26"), as 16-byte big-endian
-- bounds compared like detections.src_bin: which sources belong to it.
-- The reporter fills it when it records a memo, and for memos recorded
-- before this migration at its next start.
CREATE TABLE netblock_ranges (
    netblock        TEXT NOT NULL,
    family          INTEGER NOT NULL,
    first_addr      BLOB NOT NULL,
    last_addr       BLOB NOT NULL,
    PRIMARY KEY (netblock, family, first_addr)
) WITHOUT ROWID;

-- One row per netblock written to: the memos (how many, the first and the
-- last), what came of the last one (outcome: acked, bounced, ignored once
-- its answer_by has passed, else waiting), the answers recorded, and the
-- reportable activity of the netblock's addresses after the last memo
-- (incidents, when, and the days it was seen), with a summary in words.
CREATE VIEW v_offenders AS
WITH memo AS (
    SELECT netblock, count(*) AS memos, min(created) AS first_memo, max(created) AS last_memo
    FROM reports GROUP BY netblock
), latest AS (
    SELECT m.*,
           (SELECT coalesce(r.answer_by, r.created + 7 * 86400 * 1000000) FROM reports r
            WHERE r.netblock = m.netblock ORDER BY r.created DESC, r.id DESC LIMIT 1)
             AS answer_by,
           (SELECT count(*) FROM report_answers a
            WHERE a.netblock = m.netblock AND a.kind = 'ack') AS acks,
           (SELECT count(*) FROM report_answers a
            WHERE a.netblock = m.netblock AND a.kind = 'bounce') AS bounces,
           -- an answer to the last memo: 2 an ack (wins), 1 a bounce
           (SELECT max(CASE a.kind WHEN 'ack' THEN 2 ELSE 1 END) FROM report_answers a
            WHERE a.netblock = m.netblock AND a.recorded_at >= m.last_memo) AS answered,
           (SELECT max(a.recorded_at) FROM report_answers a
            WHERE a.netblock = m.netblock) AS last_answer,
           (SELECT a.note FROM report_answers a WHERE a.netblock = m.netblock
            ORDER BY a.recorded_at DESC, a.id DESC LIMIT 1) AS note
    FROM memo m
), since AS (
    -- reportable activity of the netblock's addresses after its last memo
    SELECT l.netblock, i.id AS incident,
           max(d.first_seen, l.last_memo) AS first_seen, d.last_seen
    FROM latest l
    JOIN netblock_ranges g ON g.netblock = l.netblock
    JOIN detections d ON d.src_family = g.family
                     AND d.src_bin BETWEEN g.first_addr AND g.last_addr
    JOIN incident_detections x ON x.detection_id = d.id
    JOIN incidents i ON i.id = x.incident_id
    WHERE d.last_seen > l.last_memo AND i.level = 'source' AND i.reportable = 1
), seen AS (
    SELECT netblock, count(DISTINCT incident) AS incidents,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM since GROUP BY netblock
), days AS (
    SELECT netblock, group_concat(day, ', ') AS days
    FROM (SELECT netblock, date(first_seen / 1000000, 'unixepoch') AS day FROM since
          UNION
          SELECT netblock, date(last_seen / 1000000, 'unixepoch') FROM since
          ORDER BY 1, 2)
    GROUP BY netblock
), o AS (
    SELECT l.*,
           CASE l.answered WHEN 2 THEN 'acked' WHEN 1 THEN 'bounced'
                ELSE CASE WHEN CAST(strftime('%s', 'now') AS INTEGER) * 1000000 >= l.answer_by
                          THEN 'ignored' ELSE 'waiting' END END AS outcome,
           coalesce(s.incidents, 0) AS incidents_since,
           s.first_seen AS first_seen_since, s.last_seen AS last_seen_since,
           d.days AS days_seen_since
    FROM latest l LEFT JOIN seen s ON s.netblock = l.netblock
    LEFT JOIN days d ON d.netblock = l.netblock
)
SELECT netblock, memos,
       strftime('%Y-%m-%dT%H:%M:%S', first_memo / 1000000, 'unixepoch')
         || printf('.%06dZ', first_memo % 1000000) AS first_memo,
       strftime('%Y-%m-%dT%H:%M:%S', last_memo / 1000000, 'unixepoch')
         || printf('.%06dZ', last_memo % 1000000) AS last_memo,
       outcome,
       strftime('%Y-%m-%dT%H:%M:%S', answer_by / 1000000, 'unixepoch')
         || printf('.%06dZ', answer_by % 1000000) AS answer_by,
       acks, bounces,
       CASE WHEN last_answer IS NULL THEN NULL ELSE
         strftime('%Y-%m-%dT%H:%M:%S', last_answer / 1000000, 'unixepoch')
         || printf('.%06dZ', last_answer % 1000000) END AS last_answer,
       note,
       incidents_since,
       CASE WHEN first_seen_since IS NULL THEN NULL ELSE
         strftime('%Y-%m-%dT%H:%M:%S', first_seen_since / 1000000, 'unixepoch')
         || printf('.%06dZ', first_seen_since % 1000000) END AS first_seen_since,
       CASE WHEN last_seen_since IS NULL THEN NULL ELSE
         strftime('%Y-%m-%dT%H:%M:%S', last_seen_since / 1000000, 'unixepoch')
         || printf('.%06dZ', last_seen_since % 1000000) END AS last_seen_since,
       days_seen_since,
       'reported '
         || CASE WHEN memos = 1 THEN 'once'
                 ELSE memos || ' times in '
                      || CAST(julianday(date(last_memo / 1000000, 'unixepoch'))
                              - julianday(date(first_memo / 1000000, 'unixepoch')) AS INTEGER)
                      || ' days' END
         || ', '
         || CASE outcome WHEN 'acked' THEN 'answered'
                         WHEN 'bounced' THEN 'the memo bounced'
                         WHEN 'ignored' THEN 'no answer'
                         ELSE 'answer due by ' || date(answer_by / 1000000, 'unixepoch') END
         || ', '
         || CASE WHEN incidents_since = 0 THEN 'nothing seen since the last memo'
                 ELSE 'still active: ' || incidents_since
                      || CASE WHEN incidents_since = 1 THEN ' incident' ELSE ' incidents' END
                      || ' since the last memo, last seen '
                      || date(last_seen_since / 1000000, 'unixepoch') END AS summary
FROM o
ORDER BY incidents_since DESC, memos DESC, last_memo DESC, netblock;
