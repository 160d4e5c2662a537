#!/usr/bin/env python3
"""A COUNTER_SUSHI server on 127.0.0.1 for bilan's tests (tests/sushi/test_harvest.c).

Serves COUNTER's official sample reports (fixtures/sushi/r50, fixtures/sushi/r51) at
/sushi/reports/{id} (Release 5.0) and /sushi/r51/reports/{id} (Release 5.1), each cut to
the month asked (begin_date..end_date, one month), its Report_Filters rewritten to it. A
month without usage in the sample is answered as COUNTER says: exception 3030 and no items.

The scenario is chosen by customer_id:
  ok         the report
  queued     202 + exception 1011 twice for each report and month, then the report
  busy       503 + exception 1010 once for each report and month, then the report
  ratelimit  429 + Retry-After: 1 + exception 1020 once, then the report
  pause      429 + Retry-After: 6 + exception 1020 to the customer's first request, then the
             reports (a pause longer than the harvest waits: left to the next run)
  nousage    200, header exception 3030, no items, for every month
  notready   200, exception 3031 and no items for 2022-12; the report otherwise
  partial    200, exception 3040 (partial data) with the report
  drop       the connection closed without an answer
  invalid    200 with a report cut in the middle (not JSON)
  stuck      202 + exception 1011 always
  big        200, the report followed by 3 MiB of spaces (valid JSON), sent gzip'd when the
             client accepts it (some 3 KiB on the wire): a size cap must count what is inflated
Any request whose api_key is not --key gets 401 + exception 2020.

Every request is appended to --log as "PATH customer_id begin_date" (never the key).
The port chosen by the system is written to --port-file once listening.
"""
import argparse
import gzip
import copy
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

ARGS = None
SEEN = {}
LOCK = threading.Lock()


def sample_path(release, rid):
    if release == "5.1":
        return os.path.join(ARGS.root, "r51", rid.upper().replace("_", "") + "_sample_r51.json")
    return os.path.join(ARGS.root, "r50", "Sample-" + rid.upper() + ".json")


def last_day(month):
    y, m = int(month[:4]), int(month[5:7])
    if m == 12:
        return 31
    import datetime
    return (datetime.date(y, m + 1, 1) - datetime.timedelta(days=1)).day


def cut_r51(rep, month):
    items = []
    for it in rep.get("Report_Items", []):
        it = copy.deepcopy(it)
        if "Items" in it:
            it["Items"] = [x for x in (cut_item51(i, month) for i in it["Items"]) if x]
            if not it["Items"]:
                continue
            items.append(it)
        else:
            x = cut_item51(it, month)
            if x:
                items.append(x)
    rep["Report_Items"] = items
    f = rep["Report_Header"].setdefault("Report_Filters", {})
    f["Begin_Date"] = month + "-01"
    f["End_Date"] = "%s-%02d" % (month, last_day(month))
    return bool(items)


def cut_item51(it, month):
    aps = []
    for ap in it.get("Attribute_Performance", []):
        perf = {}
        for metric, counts in ap.get("Performance", {}).items():
            if month in counts:
                perf[metric] = {month: counts[month]}
        if perf:
            ap = dict(ap)
            ap["Performance"] = perf
            aps.append(ap)
    if not aps:
        return None
    it = dict(it)
    it["Attribute_Performance"] = aps
    return it


def cut_r50(rep, month):
    items = []
    for it in rep.get("Report_Items", []):
        perf = [p for p in it.get("Performance", []) if p["Period"]["Begin_Date"][:7] == month]
        if perf:
            it = dict(it)
            it["Performance"] = perf
            items.append(it)
    rep["Report_Items"] = items
    for f in rep["Report_Header"].get("Report_Filters", []):
        if f["Name"] == "Begin_Date":
            f["Value"] = month + "-01"
        elif f["Name"] == "End_Date":
            f["Value"] = "%s-%02d" % (month, last_day(month))
    return bool(items)


def exception(code, message, data=""):
    e = {"Code": code, "Message": message}
    if data:
        e["Data"] = data
    return e


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj, extra=None, raw=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        cust = q.get("customer_id", "")
        begin = q.get("begin_date", "")
        with open(ARGS.log, "a") as log:
            log.write("%s %s %s\n" % (u.path, cust, begin))
        parts = u.path.strip("/").split("/")
        release = "5.1" if "r51" in parts else "5"
        if len(parts) < 3 or parts[-2] != "reports":
            return self.send_json(404, exception(3000, "Report Not Supported"))
        rid = parts[-1]
        if q.get("api_key") != ARGS.key:
            return self.send_json(401, exception(2020, "API Key Invalid"))
        month = begin[:7]
        key = (cust, rid, month)
        with LOCK:
            n = SEEN.get(key, 0)
            SEEN[key] = n + 1
        if cust == "drop":
            self.close_connection = True
            return
        if cust == "stuck" or (cust == "queued" and n < 2):
            return self.send_json(202, exception(1011, "Report Queued for Processing"))
        if cust == "busy" and n < 1:
            return self.send_json(503, exception(1010, "Service Busy"))
        if cust == "pause":
            with LOCK:
                first = "pause" not in SEEN
                SEEN["pause"] = True
            if first:
                return self.send_json(429, exception(1020, "Client has made too many requests",
                                                     "wait 6 seconds"),
                                      {"Retry-After": "6"})
        if cust == "ratelimit" and n < 1:
            return self.send_json(429, exception(1020, "Client has made too many requests",
                                                 "500 requests per day"),
                                  {"Retry-After": "1"})
        path = sample_path(release, rid)
        if not os.path.exists(path):
            return self.send_json(404, exception(3000, "Report Not Supported"))
        with open(path, encoding="utf-8") as f:
            rep = json.load(f)
        has = cut_r51(rep, month) if release == "5.1" else cut_r50(rep, month)
        hdr = rep["Report_Header"]
        excs = []
        if cust == "nousage" or not has:
            rep["Report_Items"] = []
            excs.append(exception(3030, "No Usage Available for Requested Dates"))
        elif cust == "notready" and month == "2022-12":
            rep["Report_Items"] = []
            excs.append(exception(3031, "Usage Not Ready for Requested Dates", "2022-12"))
        elif cust == "partial":
            excs.append(exception(3040, "Partial Data Returned", "some usage missing"))
        if excs:
            hdr["Exceptions"] = excs
        body = json.dumps(rep).encode()
        if cust == "invalid":
            body = body[: len(body) // 2]
        if cust == "big":
            body += b" " * (3 << 20)
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                return self.send_json(200, None, {"Content-Encoding": "gzip"},
                                      raw=gzip.compress(body))
        self.send_json(200, None, raw=body)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    ARGS = p.parse_args()
    srv = HTTPServer(("127.0.0.1", 0), Handler)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, ARGS.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
