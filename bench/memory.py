"""``make bench-memory``: does any process grow in memory under a long steady load? (issue 9)

Starts the system as ``make bench`` does (bench/run.py; the fake provider pushes delivery reports
back), sends submissions on a fixed schedule
(``--rate`` per second, open loop, bench/load.py) for ``--minutes``, samples every process's
resident memory every ``--sample-seconds``, and prints RSS over time and, per process, the
growth over the second half of the run — after caches (SQLite's page cache, up to 64 MiB per
store, docs/embedded-store.md) have had the first half to fill. A process whose memory only follows the
data it caches flattens out; a leak keeps the slope of the first half.

    .venv/bin/python bench/memory.py [--minutes 10] [--rate 80] [--preload 100000]
"""
import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402  (bench/run.py: snapshot, the system, the load client)

MIB = 2 ** 20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=80.0, help="submissions per second (open loop)")
    parser.add_argument("--sample-seconds", type=float, default=15.0)
    parser.add_argument("--preload", type=int, default=0, help="applications stored before the start")
    parser.add_argument("--store-cache-mib", type=float,
                        help="STORE_CACHE_MIB for the services (default 64): a small cache fills within minutes, "
                             "so growth after it is not the cache")
    args = parser.parse_args(argv)
    seconds = args.minutes * 60.0

    extra_env = {"STORE_CACHE_MIB": "{:g}".format(args.store_cache_mib)} if args.store_cache_mib else {}
    # the fake provider pushes delivery reports back as Verimor does (bench/run.py, REPORT_SECONDS)
    reports = bench.REPORT_SECONDS
    with bench.system_running(args.preload, extra_env, sms_auto_report_seconds=reports) as (system, data_dir):
        info = bench.machine(system)
        command = [sys.executable, str(bench.ROOT / "bench" / "load.py"), "--url", system.url,
                   "--mode", "submit", "--concurrency", "64", "--rate", str(args.rate),
                   "--seconds", str(seconds), "--out", str(Path(data_dir) / "memory-run.jsonl")]
        samples = [(0.0, bench.snapshot(system))]
        began = time.monotonic()
        load = subprocess.Popen(command, cwd=bench.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        while load.poll() is None:
            time.sleep(min(args.sample_seconds, max(0.5, seconds + 5 - (time.monotonic() - began))))
            samples.append((time.monotonic() - began, bench.snapshot(system)))
        out, err = load.communicate()
        if load.returncode != 0:
            raise SystemExit("load failed: " + err[-3000:])
        exited = system.exited()
    result = bench.json.loads(out.strip().splitlines()[-1])
    report(info, args, samples, result, exited)


def report(info, args, samples, result, exited):
    names = [name for name in samples[0][1] if samples[0][1][name][1] is not None]
    print()
    cache = "{:g}".format(args.store_cache_mib) if args.store_cache_mib else "64 (default)"
    print("Açık Kapı memory run — {:g} min of submissions at {:g}/s (open loop), delivery reports pushed every "
          "{:g} s, {} stored before, store page cache {} MiB".format(args.minutes, args.rate, bench.REPORT_SECONDS,
                                                                    args.preload, cache))
    print("machine: " + info)
    print("load: {ok} created at {rate:.1f}/s, p50 {p50_ms:.1f} ms, p99 {p99_ms:.1f} ms, {errors} errors".format(
        **result))
    if exited:
        print("processes exited during the run: {}".format(exited))
    print()
    header = "{:>7} ".format("min") + " ".join("{:>13}".format(name[:13]) for name in names)
    print("RSS MiB over time")
    print(header)
    print("-" * len(header))
    step = max(1, len(samples) // 20)
    for elapsed, snapshot in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
        print("{:>7.1f} ".format(elapsed / 60.0) + " ".join(
            "{:>13.1f}".format(snapshot[name][1] / MIB) for name in names))
    print()
    half = min(samples, key=lambda sample: abs(sample[0] - samples[-1][0] / 2.0))
    print("{:<14} {:>10} {:>10} {:>10} {:>12} {:>12}".format(
        "process", "start MiB", "half MiB", "end MiB", "1st half", "2nd half"))
    for name in names:
        start, middle, end = samples[0][1][name][1], half[1][name][1], samples[-1][1][name][1]
        print("{:<14} {:>10.1f} {:>10.1f} {:>10.1f} {:>+11.1f}M {:>+11.1f}M".format(
            name, start / MIB, middle / MIB, end / MIB, (middle - start) / MIB, (end - middle) / MIB))
    print()


if __name__ == "__main__":
    main()
