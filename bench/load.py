"""The load generator of ``make bench``: one process, ``--concurrency`` threads, each with its own
``requests.Session`` (keep-alive), sending requests back to back for ``--seconds``; prints one JSON
object (rate, latency percentiles, errors) on stdout.

    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --mode get --path /healthz \
        --concurrency 32 --seconds 10
    ... --mode submit --out submitted.jsonl   # POST /api/v1/applications; one line per 201:
                                              # {"no", "code", "sent", "answered"} (epoch seconds)
    ... --mode track --input submitted.jsonl  # GET /api/v1/applications/{no}?tracking_code=

Only requests that finish inside the window count; a request is an error unless it answers
200 (201 for submissions). Run by bench/run.py, which starts the system; usable alone too.
"""
import argparse
import json
import os
import sys
import threading
import time

import requests

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=("get", "submit", "track"), default="get")
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--out", help="submit: where to write one line per created application")
    parser.add_argument("--input", help="track: the submissions to look up (a --out file)")
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

    def worker(index):
        session = requests.Session()
        mine, mine_created, mine_statuses, mine_errors = [], [], {}, 0
        counter = 0
        start_gate.wait()
        end = window["end"]
        while True:
            counter += 1
            sent = time.time()
            began = time.perf_counter()
            if began >= end:
                break
            try:
                if args.mode == "get":
                    answer = session.get(base + args.path, timeout=30)
                    expected = 200
                elif args.mode == "submit":
                    # A person of one's own per request (the checksum holds), no Idempotency-Key.
                    body = application_body()
                    body["applicant"]["national_id"] = national_id(str(100000000 + index * 1000000 + counter % 1000000))
                    answer = session.post(base + "/api/v1/applications", json=body, timeout=30)
                    expected = 201
                else:
                    item = lookups[(index * 7919 + counter) % len(lookups)]
                    answer = session.get("{}/api/v1/applications/{}".format(base, item["no"]),
                                         params={"tracking_code": item["code"]}, timeout=30)
                    expected = 200
                status = answer.status_code
            except requests.RequestException as error:
                status, expected, answer = type(error).__name__, 200, None
            finished = time.perf_counter()
            if finished > end:
                break
            mine_statuses[str(status)] = mine_statuses.get(str(status), 0) + 1
            if status == expected:
                mine.append(finished - began)
                if args.mode == "submit":
                    receipt = answer.json()
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
    window["end"] = time.perf_counter() + args.seconds
    start_gate.wait()
    for thread in threads:
        thread.join(args.seconds + 60)

    if args.out:
        with open(args.out, "w") as out:
            for record in created:
                out.write(json.dumps(record) + "\n")
    print(json.dumps(summary(latencies, errors[0], args.seconds, statuses)))


if __name__ == "__main__":
    main()
