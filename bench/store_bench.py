"""Store engines side by side: inserts/s, indexed finds/s and indexed updates/s at 1k, 10k and
100k documents, for mongomock and the embedded SQLite engine, in the same run.

    .venv/bin/python bench/store_bench.py [--sizes 1000,10000,100000] [--seconds 1.5]

Each rate is measured, never extrapolated: the median of three timed rounds, each running
until its share of ``--ops`` is done or of the time budget is spent (at least ``MIN_OPS``
per round); the table says how many operations were timed in all. Collections are filled with ``insert_many``
(not timed) before measuring.
Targets (docstore/README.md#performance): at 10k documents the embedded engine's indexed finds and updates
are >= 100x mongomock's; at 100k they are within 2x of their rate at 1k.
"""
import argparse
import datetime
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import mongomock  # noqa: E402

from docstore import EmbeddedClient  # noqa: E402

MIN_OPS = 4
FILL_BATCH = 1000


def document(number):
    return {
        "key": f"k{number:07d}",
        "status": ("received", "review", "answered")[number % 3],
        "n": 0,
        "applicant": {"name": "Ayşe Yılmaz", "tckn": f"{10000000146 + number}", "city": "İzmir"},
        "created_at": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
        + datetime.timedelta(minutes=number),
        "timeline": [{"event_id": f"e{number}", "kind": "received"}],
        "text": "Sokak lambası yanmıyor, lütfen ilgilenin. " * 3,
    }


def timed(operation, max_ops, seconds, rounds=3):
    """``(ops per second, ops timed)``: the median of ``rounds`` timed rounds of ``operation(i)``,
    each running until its share of max_ops or of the time budget is spent (at least MIN_OPS)."""
    rates, done = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        deadline = started + seconds / rounds
        limit = done + max_ops // rounds
        first = done
        while done < limit and (done - first < MIN_OPS or time.perf_counter() < deadline):
            operation(done)
            done += 1
        rates.append((done - first) / (time.perf_counter() - started))
    return sorted(rates)[len(rates) // 2], done


def measure(collection, size, max_ops, seconds):
    collection.create_index("key")
    for start in range(0, size, FILL_BATCH):
        collection.insert_many([document(number) for number in range(start, min(size, start + FILL_BATCH))])
    random_keys = random.Random(size)
    keys = [f"k{random_keys.randrange(size):07d}" for _ in range(max_ops)]

    def find(i):
        assert collection.find_one({"key": keys[i]}) is not None

    def update(i):
        assert collection.update_one({"key": keys[i]}, {"$inc": {"n": 1}, "$set": {"status": "review"}}
                                     ).matched_count == 1

    def insert(i):
        collection.insert_one(document(size + i))

    finds = timed(find, max_ops, seconds)
    updates = timed(update, max_ops, seconds)
    inserts = timed(insert, max_ops, seconds)
    return {"inserts": inserts, "finds": finds, "updates": updates}


def engines(workdir, synchronous_full):
    yield "mongomock", lambda size: mongomock.MongoClient(tz_aware=True)
    yield "embedded", lambda size: EmbeddedClient(os.path.join(workdir, f"bench-{size}.db"))
    if synchronous_full:
        yield "embedded FULL", lambda size: EmbeddedClient(
            os.path.join(workdir, f"bench-full-{size}.db"), synchronous="FULL")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--ops", type=int, default=3000, help="most operations timed per measurement")
    parser.add_argument("--seconds", type=float, default=1.5, help="time budget per measurement")
    parser.add_argument("--full", action="store_true", help="also measure synchronous=FULL")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for name, make_client in engines(workdir, args.full):
            for size in sizes:
                client = make_client(size)
                results[name, size] = measure(client.bench.items, size, args.ops, args.seconds)
                client.close()
                print(f"  measured {name} at {size:,} documents", file=sys.stderr, flush=True)
    print_table(results, sizes)


def print_table(results, sizes):
    header = f"{'engine':<14} {'docs':>8} | {'inserts/s':>10} {'(ops)':>6} | {'finds/s':>10} {'(ops)':>6} |" \
             f" {'updates/s':>10} {'(ops)':>6}"
    print(header)
    print("-" * len(header))
    for (name, size), measured in results.items():
        cells = " | ".join(f"{measured[kind][0]:>10,.0f} {measured[kind][1]:>6}"
                           for kind in ("inserts", "finds", "updates"))
        print(f"{name:<14} {size:>8,} | {cells}")
    print()
    verdicts = []
    if ("mongomock", 10000) in results and ("embedded", 10000) in results:
        for kind in ("finds", "updates"):
            ratio = results["embedded", 10000][kind][0] / results["mongomock", 10000][kind][0]
            verdicts.append((f"embedded/mongomock {kind} at 10k", f"{ratio:,.0f}x", ">= 100x", ratio >= 100))
    if ("embedded", 1000) in results and ("embedded", 100000) in results:
        for kind in ("finds", "updates"):
            ratio = results["embedded", 100000][kind][0] / results["embedded", 1000][kind][0]
            verdicts.append((f"embedded {kind} 100k vs 1k", f"{ratio:.2f}x", ">= 0.50x", ratio >= 0.5))
    for label, value, target, met in verdicts:
        print(f"{label:<40} {value:>10}   target {target:<8}  {'met' if met else 'NOT MET'}")
    return all(met for *_, met in verdicts)


if __name__ == "__main__":
    main()
