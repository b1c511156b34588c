-- 012-cert.sql - CERT escalation (issue 16, item 2): besides the memo to a
-- netblock's owner, the reporter writes a second memo to our own CSIRT and
-- to the national CERT of the source's country (the victims' country for
-- an incident of our own host acting outward) when one of our hosts was
-- compromised or used against others. Both kinds of memo are kept in
-- reports; kind tells them apart, so that a CERT memo never counts as a
-- memo to the netblock's owner (the cooldown, v_offenders, --ack,
-- --export-nft count kind 'owner' only).

ALTER TABLE reports ADD COLUMN kind TEXT NOT NULL DEFAULT 'owner'
    CHECK (kind IN ('owner', 'cert'));
-- the country whose national CERT a CERT memo went to ("" none: ours only)
ALTER TABLE reports ADD COLUMN country TEXT;

-- v_reports as before, with the kind of each memo (and a CERT memo's country)
DROP VIEW v_reports;
CREATE VIEW v_reports AS
SELECT netblock,
       strftime('%Y-%m-%dT%H:%M:%S', created / 1000000, 'unixepoch')
         || printf('.%06dZ', created % 1000000) AS created,
       recipients, subject, path, kind, country
FROM reports
ORDER BY created;

-- v_offenders as 009 made it, counting the memos to the owner only
DROP VIEW v_offenders;
CREATE VIEW v_offenders AS
WITH memo AS (
    SELECT netblock, count(*) AS memos, min(created) AS first_memo, max(created) AS last_memo
    FROM reports WHERE kind = 'owner' GROUP BY netblock
), latest AS (
    SELECT m.*,
           (SELECT coalesce(r.answer_by, r.created + 7 * 86400 * 1000000) FROM reports r
            WHERE r.netblock = m.netblock AND r.kind = 'owner'
            ORDER BY r.created DESC, r.id DESC LIMIT 1)
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
