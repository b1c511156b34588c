-- 004-sessions-after-scan.sql - a scanner that comes back and completes a
-- session with payload to a port its scan found open: counted on the
-- scan's detection (the analyzer then suspects a compromise of the host it
-- went to).

ALTER TABLE detections ADD COLUMN sessions_after_scan INTEGER NOT NULL DEFAULT 0;
