#!/usr/bin/env python3
"""retention_year.py - the database of a busy sensor after a simulated year,
with and without spanwatch-analyzer --prune (a benchmark, not a test).

    retention_year.py SENSOR ANALYZER CAPTURE [--days N] [--dets-per-day N]

A database is made by the real sensor (CAPTURE: any small capture, for the
schema and a first run); then DAYS days of a busy sensor are added with
sqlite3: one finished run a day, DETS detections a day (a tenth of them
reportable incidents, the rest noise: port probes, traceroutes), 8
evidence lines each, 20,000 log lines a day and 100 whois answers of
about 3 KB. The real analyzer prunes with the default [retention] after
each simulated month (as of the end of that month: the data is dated
relative to the real clock, so the windows are lengthened by the days
still to come). It prints
the file size and the bytes in use (pages minus the free list) along the
way. Standard library only.
"""
import argparse
import os
import random
import sqlite3
import subprocess
import sys
import time

DAY_US = 86400 * 1000000


def in_use(path):
    con = sqlite3.connect(path)
    pc = con.execute("PRAGMA page_count").fetchone()[0]
    fl = con.execute("PRAGMA freelist_count").fetchone()[0]
    ps = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    return (pc - fl) * ps


def add_day(con, sensor_id, day_start, dets, rng, log_lines):
    cur = con.cursor()
    cur.execute("INSERT INTO runs (sensor_id, source, recorded_at, started, ended, finished)"
                " VALUES (?, 'eth1', ?, ?, ?, 1)", (sensor_id, day_start, day_start,
                                                   day_start + DAY_US - 1))
    run = cur.lastrowid
    for seq in range(dets):
        t = day_start + rng.randrange(DAY_US - 60000000)
        a = rng.randrange(1 << 32)
        src = "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
        reportable = seq % 10 == 0
        kind = "port_scan" if reportable else "port_probe"
        cur.execute(
            "INSERT INTO detections (run_id, seq, kind, proto, src, src_family, src_bin,"
            " first_seen, last_seen, detected_at, closed_at, targets, ports, packets)"
            " VALUES (?, ?, ?, 'tcp', ?, 4, ?, ?, ?, ?, ?, 40, 40, 40)",
            (run, seq + 1, kind, src, a.to_bytes(4, "big") + bytes(12), t, t + 30000000,
             t + 1000000, t + 60000000))
        det = cur.lastrowid
        cur.executemany("INSERT INTO evidence (detection_id, ts, line) VALUES (?, ?, ?)",
                        [(det, t + i * 1000000,
                          "%s TCP %s:%d -> 203.0.113.%d:%d SYN, answered RST" %
                          (t + i, src, 40000 + i, i, 20 + i)) for i in range(8)])
        cur.execute("INSERT INTO incidents (netblock, src, kinds, first_seen, last_seen,"
                    " severity, reportable, ikey) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (src.rsplit(".", 1)[0] + ".0/24", src, kind, t, t + 30000000,
                     3 if reportable else 1, 1 if reportable else 0, "k%d" % det))
        cur.execute("INSERT INTO incident_detections VALUES (?, ?)", (cur.lastrowid, det))
    cur.executemany(
        "INSERT INTO log_lines (ts, line, kind, src, src_family, src_bin) VALUES (?, ?, ?, ?, 4, ?)",
        [(day_start + i * (DAY_US // log_lines),
          "Nov 27 12:09:41 gw sshd[%d]: Failed password for root from 203.0.113.%d port %d ssh2"
          % (i, i % 250, 1024 + i), "ssh_failed", "203.0.113.%d" % (i % 250), bytes(16))
         for i in range(log_lines)])
    for i in range(100):
        cur.execute("INSERT INTO whois_lookups (kind, query, status, fetched_at)"
                    " VALUES ('ip', ?, 'ok', ?)", ("198.51.%d.%d" % (i, i), day_start))
        cur.execute("INSERT INTO whois_responses (lookup_id, hop, server, query, response,"
                    " fetched_at) VALUES (?, 0, 'whois.ripe.net', 'x', ?, ?)",
                    (cur.lastrowid, rng.randbytes(3000), day_start))
    con.commit()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sensor")
    ap.add_argument("analyzer")
    ap.add_argument("capture")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--dets-per-day", type=int, default=2000)
    ap.add_argument("--log-lines-per-day", type=int, default=20000)
    ap.add_argument("--db", default="/tmp/spanwatch-retention-year.db")
    args = ap.parse_args()
    for sfx in ("", "-wal", "-shm"):
        if os.path.exists(args.db + sfx):
            os.unlink(args.db + sfx)
    subprocess.run([args.sensor, "-q", "-Z", "root", "-r", args.capture, "-w", args.db],
                   check=True)
    con = sqlite3.connect(args.db)
    con.execute("PRAGMA foreign_keys = ON")
    sensor_id = con.execute("SELECT id FROM sensors").fetchone()[0]
    rng = random.Random(7)
    now = int(time.time()) * 1000000
    start = now - args.days * DAY_US
    print("day  file MiB  in use MiB  prune s  (rates: %d detections, %d log lines a day)"
          % (args.dets_per_day, args.log_lines_per_day))
    for day in range(args.days):
        add_day(con, sensor_id, start + day * DAY_US, args.dets_per_day, rng,
                args.log_lines_per_day)
        if (day + 1) % 30 == 0 or day + 1 == args.days:
            con.commit()
            con.close()
            t0 = time.time()
            # prune as of the end of this simulated month: the data is
            # written relative to the real clock, so ask with a retention
            # shortened by the days still to come
            ahead = args.days - day - 1
            conf = args.db + ".conf"
            with open(conf, "w") as f:
                f.write("[retention]\nevidence_days = %d\ndetections_days = %d\n"
                        "unreportable_days = %d\nlog_lines_days = %d\nwhois_days = %d\n"
                        % (90 + ahead, 365 + ahead, 30 + ahead, 365 + ahead, 30 + ahead))
            subprocess.run([args.analyzer, "-q", "-w", args.db, "-c", conf, "--prune"],
                           check=True)
            dt = time.time() - t0
            print("%3d  %8.1f  %10.1f  %7.1f" % (day + 1, os.path.getsize(args.db) / 2**20,
                                                 in_use(args.db) / 2**20, dt))
            sys.stdout.flush()
            con = sqlite3.connect(args.db)
            con.execute("PRAGMA foreign_keys = ON")
    con.close()


if __name__ == "__main__":
    main()
