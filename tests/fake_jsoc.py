"""A stand-in for JSOC and SolarSoft on the loopback address, for the fetch
tests: the real formats (jsoc_info rs_list JSON, SSW text tables, a spikes
FITS file) and the failures a network has (404, a stall, a body cut short,
an answer in the wrong format, a JSOC error status).

Usage: fake_jsoc.py PORT_FILE LOG_FILE TABLE_DIR
Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening),
appends each request's path to LOG_FILE, serves SSW tables from TABLE_DIR.
The first path component chooses the behaviour:
  /ok/...        the real thing
  /missing/...   404 for everything
  /stall/...     headers, then nothing (the client must time out)
  /cut/...       Content-Length larger than the body, then the connection closes
  /html/...      200 with an HTML page (a proxy's error page, say)
  /jsocerr/...   jsoc_info answers {"status": 1, "error": ...}
  /norecords/... jsoc_info answers with no records
"""
import json
import os
import re
import struct
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT_FILE, LOG_FILE, TABLE_DIR = sys.argv[1:4]
LOG_LOCK = threading.Lock()
CHANNELS = ["094", "131", "171", "193", "211", "304", "335", "1600", "1700", "4500"]
# TAI - UTC in 2014 and later (this fake serves 2013 to 2030)
TAI_UTC = 35


def tai_stamp(t_utc):
    """JSOC's way of writing a TAI time: 2014.01.01_00:00:35_TAI."""
    return (t_utc + timedelta(seconds=TAI_UTC)).strftime("%Y.%m.%d_%H:%M:%S_TAI")


def parse_range(ds):
    """aia.master_pointing3h[START-END] with ISO UTC times."""
    m = re.match(r"aia\.master_pointing3h\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)-(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\]$", ds)
    if not m:
        return None
    f = "%Y-%m-%dT%H:%M:%SZ"
    return [datetime.strptime(x, f).replace(tzinfo=timezone.utc) for x in m.groups()]


def pointing_answer(start, end):
    """Three-hourly records from start to end, every channel; 4500 missing."""
    rows = []
    t = start
    while t <= end:
        rows.append(t)
        t += timedelta(hours=3)
    keys = [("T_START", [tai_stamp(r) for r in rows]), ("T_STOP", [tai_stamp(r + timedelta(hours=3)) for r in rows])]
    for i, ch in enumerate(CHANNELS):
        hours = [(r - start).total_seconds() / 3600 for r in rows]
        missing = ch == "4500"
        keys += [
            (f"A_{ch}_X0", ["MISSING" if missing else f"{2050.5 + i + 0.01 * h:.6f}" for h in hours]),
            (f"A_{ch}_Y0", ["MISSING" if missing else f"{2040.25 + i - 0.01 * h:.6f}" for h in hours]),
            (f"A_{ch}_IMSCALE", ["MISSING" if missing else f"{0.6 + 0.0001 * i:.6f}" for h in hours]),
            (f"A_{ch}_INSTROT", ["MISSING" if missing else f"{0.01 * i:.6f}" for h in hours]),
        ]
    return {"keywords": [{"name": k, "values": v} for k, v in keys], "count": len(rows), "runtime": 0.01, "status": 0}


def spikes_fits(n=3):
    """A 2 x n int32 image: flat indices into the 4096 x 4096 frame, values."""
    cards = [f"{'SIMPLE':<8}= {'T':>20}", f"{'BITPIX':<8}= {32:>20}", f"{'NAXIS':<8}= {2:>20}",
             f"{'NAXIS1':<8}= {n:>20}", f"{'NAXIS2':<8}= {2:>20}", "END"]
    header = "".join(c.ljust(80) for c in cards).ljust(2880).encode("ascii")
    index = [1000 + 4096 * 2000 + 7 * k for k in range(n)]
    data = struct.pack(f">{2 * n}i", *index, *[16000 + k for k in range(n)])
    return header + data + b"\0" * (-len(data) % 2880)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, ctype="text/plain", length=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def do_GET(self):
        with LOG_LOCK, open(LOG_FILE, "a") as log:
            log.write(self.path + "\n")
        parts = self.path.split("/", 2)
        mode, rest = (parts[1], "/" + parts[2]) if len(parts) == 3 else ("", self.path)
        if mode == "missing":
            return self.send(404, b"Not Found\n")
        if mode == "stall":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.flush()
            time.sleep(30)
            return
        if mode == "html":
            return self.send(200, b"<html><body><h1>Service unavailable</h1></body></html>\n", "text/html")
        url = urllib.parse.urlsplit(rest)
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/cgi-bin/ajax/jsoc_info":
            return self.jsoc_info(mode, q)
        if url.path.startswith("/SUM/spikes/"):
            return self.send(200, spikes_fits(), "application/fits")
        m = re.match(r"/sdo/aia/response/([A-Za-z0-9_.]+)$", url.path)
        if m and os.path.isfile(os.path.join(TABLE_DIR, m.group(1))):
            body = open(os.path.join(TABLE_DIR, m.group(1)), "rb").read()
            if mode == "cut":
                return self.send(200, body[: len(body) // 2], length=len(body))
            return self.send(200, body)
        return self.send(404, b"Not Found\n")

    def jsoc_info(self, mode, q):
        ds = q.get("ds", [""])[0]
        if q.get("op", [""])[0] != "rs_list":
            return self.send(400, b"op must be rs_list\n")
        if mode == "jsocerr":
            return self.send(200, json.dumps({"status": 1, "error": "Bad record-set subset specification"}).encode(),
                             "application/json")
        if ds.startswith("aia.master_pointing3h"):
            if q.get("key", [""])[0] != "**ALL**":
                return self.send(400, b"key must be **ALL**\n")
            r = parse_range(ds)
            if not r:
                return self.send(200, json.dumps({"status": 1, "error": f"bad ds {ds}"}).encode(), "application/json")
            answer = pointing_answer(*r) if mode != "norecords" else {"keywords": [
                {"name": "T_START", "values": []}, {"name": "T_STOP", "values": []}], "count": 0, "status": 0}
            body = json.dumps(answer).encode()
            if mode == "cut":
                return self.send(200, body[: len(body) // 2], "application/json", length=len(body))
            return self.send(200, body, "application/json")
        m = re.match(r"aia\.lev1_(euv_12s|uv_24s)\[([0-9T:.\-]+)Z/12s\]\[WAVELNTH=(\d+)\]$", ds)
        if m and q.get("seg", [""])[0] == "spikes":
            path = f"/{mode}/SUM/spikes/{m.group(2).replace(':', '')}_{m.group(3)}.fits"
            answer = {"segments": [{"name": "spikes", "values": [path], "dims": ["3x2"]}], "count": 1, "status": 0}
            return self.send(200, json.dumps(answer).encode(), "application/json")
        return self.send(200, json.dumps({"status": 1, "error": f"unknown series in {ds}"}).encode(),
                         "application/json")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
