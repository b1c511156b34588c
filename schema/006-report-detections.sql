-- 006-report-detections.sql - the detections each memo told, and how far
-- each had got then. Whether an incident is news is decided on these, not
-- on incident ids: the analyzer may regroup detections into incidents with
-- new ids (a netblock learnt from whois re-keys netblock-level incidents),
-- and the same activity must still not be told twice.

CREATE TABLE report_detections (
    report_id       INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    detection_id    INTEGER NOT NULL REFERENCES detections(id) ON DELETE CASCADE,
    last_seen       INTEGER NOT NULL,
    PRIMARY KEY (report_id, detection_id)
) WITHOUT ROWID;
CREATE INDEX report_detections_detection ON report_detections(detection_id);

-- memos written before this migration told their incidents' detections
INSERT OR IGNORE INTO report_detections (report_id, detection_id, last_seen)
SELECT ri.report_id, x.detection_id, min(d.last_seen, ri.last_seen)
FROM report_incidents ri
JOIN incident_detections x ON x.incident_id = ri.incident_id
JOIN detections d ON d.id = x.detection_id;

-- Reportable incidents with activity no memo has told yet: a detection in
-- no memo, or one that went on after the memo that told it.
DROP VIEW v_reportable_unreported;
CREATE VIEW v_reportable_unreported AS
SELECT i.netblock, i.src, i.kinds, i.severity, i.reasons,
       strftime('%Y-%m-%dT%H:%M:%S', i.last_seen / 1000000, 'unixepoch')
         || printf('.%06dZ', i.last_seen % 1000000) AS last_seen
FROM incidents i
WHERE i.reportable = 1
  AND EXISTS (SELECT 1 FROM incident_detections x JOIN detections d ON d.id = x.detection_id
              WHERE x.incident_id = i.id
                AND NOT EXISTS (SELECT 1 FROM report_detections rd
                                WHERE rd.detection_id = d.id AND rd.last_seen >= d.last_seen))
ORDER BY i.severity DESC, i.last_seen;
