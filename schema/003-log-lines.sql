-- 003-log-lines.sql - log lines read by spanwatch-analyzer --syslog.
--
-- Each line is stored once, whatever the number of runs: its identity is
-- its time and its text (sanitized, as it is stored). The analyzer turns
-- them into detections of a run of its own (sensor 'syslog'), so that they
-- feed the same incidents as packet detections.

CREATE TABLE log_lines (
    id          INTEGER PRIMARY KEY,
    ts          INTEGER NOT NULL,
    line        TEXT NOT NULL,          -- printable: control bytes written as \xNN
    file        TEXT,
    host        TEXT,
    program     TEXT,
    kind        TEXT NOT NULL,          -- tcpd_refused, ssh_failed, ..., firewall
    src         TEXT NOT NULL,          -- address, or the host name when unresolved
    src_family  INTEGER NOT NULL,       -- 4, 6, or 0 when unresolved
    src_bin     BLOB NOT NULL,
    src_name    TEXT,                   -- the name as written, when it was one
    dst         TEXT,
    proto       TEXT,
    dport       INTEGER,
    user        TEXT,
    UNIQUE (ts, line)
);
CREATE INDEX log_lines_src ON log_lines(src_family, src_bin, ts);

-- Lines refused, by file and reason, as of the latest reading of the file.
CREATE TABLE log_rejects (
    file        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (file, reason)
) WITHOUT ROWID;
