-- 010-run-files.sql - the files a run read or wrote, found again robustly
-- for an evidence export (spanwatch-analyzer --evidence):
--  * kind 'capture': a file given with -r, in the order read;
--  * kind 'evidence': the sensor's --evidence-pcap file of a live run.
-- path is absolute, as the sensor's host saw it (resolved before any
-- chroot); size and mtime (microseconds) are the file's when the sensor
-- opened it (a capture) or when the run ended (an evidence pcap; NULL
-- while it is being written). The export compares them with the file it
-- reads and refuses a file that changed. The SHA-256 of a capture is
-- computed at export time (a full read the sensor does not pay for).
-- runs.source keeps what was given on the command line.

CREATE TABLE run_files (
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,        -- 1, 2, ... in the order read
    kind        TEXT NOT NULL CHECK (kind IN ('capture', 'evidence')),
    path        TEXT NOT NULL,
    size        INTEGER,
    mtime       INTEGER,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
