"""The load generator of ``make bench``: one process, ``--concurrency`` threads, each with its own
keep-alive ``http.client`` connection, sending requests back to back for ``--seconds``; prints one
JSON object (rate, latency percentiles, errors) on stdout. ``http.client`` rather than
``requests``: the client shares the machine's two cores with the system it measures, and it
costs about a third of what a ``requests.Session`` did per request.

    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --mode get --path /healthz \
        --concurrency 32 --seconds 10
    ... --mode submit --out submitted.jsonl   # POST /api/v1/applications; one line per 201:
                                              # {"no", "code", "sent", "answered"} (epoch seconds)
    ... --mode track --input submitted.jsonl  # GET /api/v1/applications/{no}?tracking_code=
    ... --mode staff-list --token T           # GET /api/v1/staff/applications (a router's queue),
                                              # pages 1-5, newest first or by due date
    ... --rate 50                             # open loop: 50 requests/s in all, on a fixed schedule
                                              # (each thread takes the next slot), not back to back

Closed loop: only requests that finish inside the window count. Open loop: every request whose slot
falls inside the window counts, however late it finishes (a slow system cannot drop its tail).
A request is an error unless it answers 200 (201 for submissions). The JSON also gives the client's
own CPU seconds over the window (``client_cpu``), the window's start (``started_at``) and the
moment the last counted request finished (``finished_at``), as epoch seconds. Run by
bench/run.py, which starts the system; usable alone too.
"""
import argparse
import http.client
import itertools
import json
import os
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.support.samples import application_body, national_id  # noqa: E402


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def summary(latencies, errors, seconds, statuses):
    latencies = sorted(latencies)
    return {
        "ok": len(latencies), "errors": errors, "seconds": seconds,
        "rate": len(latencies) / seconds if seconds else 0.0,
        "p50_ms": _ms(percentile(latencies, 0.50)), "p95_ms": _ms(percentile(latencies, 0.95)),
        "p99_ms": _ms(percentile(latencies, 0.99)), "statuses": statuses,
    }


def _ms(value):
    return None if value is None else value * 1000.0


class Connection:
    """One keep-alive HTTP/1.1 connection; reopened after any transport error."""

    def __init__(self, base_url, timeout=30.0):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.connection = None

    def request(self, method, path, body=None, token=None):
        """(status, body bytes)."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        if body is not None:
            body = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            reused = self.connection is not None
            if not reused:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                answer = self.connection.getresponse()
                return answer.status, answer.read()
            except (OSError, http.client.HTTPException) as error:
                self.connection.close()
                self.connection = None
                # The server may close a keep-alive connection that sat idle (gunicorn: after
                # 2 s); as browsers and urllib3 do, such a request goes again on a new one.
                closed_while_idle = isinstance(error, (http.client.RemoteDisconnected, BrokenPipeError,
                                                       ConnectionResetError))
                if not (reused and closed_while_idle and attempt == 1):
                    raise


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=("get", "submit", "track", "staff-list"), default="get")
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--out", help="submit: where to write one line per created application")
    parser.add_argument("--input", help="track: the submissions to look up (a --out file)")
    parser.add_argument("--token", help="staff-list: a router's bearer token")
    parser.add_argument("--rate", type=float, help="open loop: requests per second in all")
    args = parser.parse_args(argv)

    base = args.url.rstrip("/")
    lookups = []
    if args.mode == "track":
        with open(args.input) as lines:
            lookups = [json.loads(line) for line in lines if line.strip()]
        if not lookups:
            raise SystemExit("no submissions to look up in " + args.input)

    lock = threading.Lock()
    latencies, created, statuses = [], [], {}
    errors = [0]
    start_gate = threading.Barrier(args.concurrency + 1)
    window = {}
    slots = itertools.count()  # open loop: slot n starts at window start + n / rate

    def worker(index):
        connection = Connection(base)
        mine, mine_created, mine_statuses, mine_errors = [], [], {}, 0
        counter = 0
        start_gate.wait()
        end = window["end"]
        while True:
            counter += 1
            if args.rate:
                due = window["start"] + next(slots) / args.rate
                if due >= end:
                    break
                time.sleep(max(0.0, due - time.perf_counter()))
            sent = time.time()
            began = time.perf_counter()
            if began >= end and not args.rate:
                break
            if args.rate:  # latency from the slot, not from when a free thread got to it
                sent, began = sent - (began - due), due
            try:
                if args.mode == "get":
                    status, text = connection.request("GET", args.path)
                    expected = 200
                elif args.mode == "submit":
                    # A person of one's own per request (the checksum holds), no Idempotency-Key.
                    body = application_body()
                    body["applicant"]["national_id"] = national_id(str(100000000 + index * 1000000 + counter % 1000000))
                    status, text = connection.request("POST", "/api/v1/applications", body)
                    expected = 201
                elif args.mode == "staff-list":
                    status, text = connection.request("GET", "/api/v1/staff/applications?page={}&sort={}".format(
                        1 + counter % 5, ("newest", "due")[index % 2]), token=args.token)
                    expected = 200
                else:
                    item = lookups[(index * 7919 + counter) % len(lookups)]
                    status, text = connection.request("GET", "/api/v1/applications/{}?{}".format(
                        item["no"], urlencode({"tracking_code": item["code"]})))
                    expected = 200
            except (OSError, http.client.HTTPException) as error:
                status, expected, text = type(error).__name__, 200, None
            finished = time.perf_counter()
            if finished > end and not args.rate:
                break
            mine_statuses[str(status)] = mine_statuses.get(str(status), 0) + 1
            if status == expected:
                mine.append(finished - began)
                if args.mode == "submit":
                    receipt = json.loads(text)
                    mine_created.append({"no": receipt["application_no"], "code": receipt.get("tracking_code"),
                                         "sent": sent, "answered": time.time()})
            else:
                mine_errors += 1
        with lock:
            latencies.extend(mine)
            created.extend(mine_created)
            errors[0] += mine_errors
            for key, value in mine_statuses.items():
                statuses[key] = statuses.get(key, 0) + value

    threads = [threading.Thread(target=worker, args=(index,), daemon=True) for index in range(args.concurrency)]
    for thread in threads:
        thread.start()
    window["start"] = time.perf_counter()
    window["end"] = window["start"] + args.seconds
    started_at, cpu_before = time.time(), time.process_time()
    start_gate.wait()
    for thread in threads:
        thread.join(args.seconds + 60)
    finished_at, client_cpu = time.time(), time.process_time() - cpu_before

    if args.out:
        with open(args.out, "w") as out:
            for record in created:
                out.write(json.dumps(record) + "\n")
    print(json.dumps(dict(summary(latencies, errors[0], args.seconds, statuses), client_cpu=client_cpu,
                          started_at=started_at, finished_at=finished_at)))


if __name__ == "__main__":
    main()
