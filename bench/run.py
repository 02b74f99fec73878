"""``make bench``: the whole system (the processes of ``make run``: four nameko services, the
gunicorn gateway, a loopback fake Verimor) on a throw-away RabbitMQ vhost and a temporary
DATA_DIR, driven over HTTP by bench/load.py in a separate process; prints one table.

    .venv/bin/python bench/run.py [--seconds 60] [--levels 8,32,64] [--ceiling-concurrency 32]

Phases, each ``--seconds`` long: the ceilings (GET /healthz, a constant JSON; GET /bench/rpc-echo,
one bare nameko RPC round trip through the same gateway, a route that exists only with
BENCH_PROBE_ENABLED=true), submissions at each concurrency level, tracking lookups. After each submission level it
waits until the fake provider has received the "received" SMS of every created application (up to ``--sms-wait``
seconds) so no backlog spills into the next phase; submit→SMS latency is the fake's
``received_at`` minus the moment the client sent the POST.

CPU is per process (gunicorn master + workers summed; RabbitMQ's beam.smp; the load client),
from /proc, as % of one core over the phase; RSS at the end of the phase.
Rate limits are off (RATE_LIMITS_ENABLED=false, the RunningSystem default); routing's deadline
check runs every 60 s as deployed (RunningSystem's tests use 1 s).
"""
import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from tests.support.broker import temporary_vhost  # noqa: E402
from tests.support.processes import RunningSystem, sms_text  # noqa: E402
from tests.support.samples import PASSWORD  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
APPLICATION_NO = re.compile(r"\d{4}-\d{6,9}")


# --- /proc

def _stat(pid):
    try:
        with open("/proc/{}/stat".format(pid)) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/{}/statm".format(pid)) as statm:
            rss_pages = int(statm.read().split()[1])
    except (OSError, IndexError):
        return None
    # after the ")": state ppid ... utime(14th overall -> index 11) stime(index 12)
    return {"ppid": int(fields[1]), "cpu": (int(fields[11]) + int(fields[12])) / CLK_TCK, "rss": rss_pages * PAGE}


def _all_processes():
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat:
                table[int(entry)] = stat
    return table


def _descendants(root, table):
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, stat in table.items():
            if stat["ppid"] == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
    return found


def _broker_pids():
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/{}/comm".format(entry)) as comm:
                    if comm.read().strip() == "beam.smp":
                        pids.add(int(entry))
            except OSError:
                pass
    return pids


def snapshot(system):
    """{process name: (cpu seconds, rss bytes)}: each system process with its descendants."""
    table = _all_processes()
    groups = {name: _descendants(process.popen.pid, table) for name, process in system.processes.items()}
    groups["rabbitmq"] = _broker_pids()
    result = {}
    for name, pids in groups.items():
        stats = [table[pid] for pid in pids if pid in table]
        result[name] = (sum(s["cpu"] for s in stats), sum(s["rss"] for s in stats))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["load client"] = (usage.ru_utime + usage.ru_stime, None)
    return result


# --- phases

def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def run_load(system, args, **options):
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--url", system.url, "--seconds", str(args.seconds)]
    for key, value in options.items():
        command += ["--" + key.replace("_", "-"), str(value)]
    profilers = start_profilers(system, args, options) if args.profile else []
    before, began = snapshot(system), time.monotonic()
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=args.seconds + 180)
    after, wall = snapshot(system), time.monotonic() - began
    for profiler in profilers:
        profiler.wait(timeout=60)
    if finished.returncode != 0:
        raise RuntimeError("load failed: " + finished.stderr[-3000:])
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    result["cpu"] = {name: 100.0 * (after[name][0] - before[name][0]) / wall for name in after if name in before}
    result["rss"] = {name: after[name][1] for name in after}
    return result


def start_profilers(system, args, options):
    """py-spy on every system process (gunicorn's workers included) for this phase; collapsed
    stacks go to ``--profile``/<phase>-<process>.txt (bench/profile_summary.py reads them)."""
    phase = "{}-c{}".format(options.get("mode"), options.get("concurrency"))
    py_spy = Path(sys.executable).with_name("py-spy")
    profilers = []
    for name, process in system.processes.items():
        out = Path(args.profile) / "{}-{}.txt".format(phase, name)
        profilers.append(subprocess.Popen(
            [str(py_spy), "record", "--format", "raw", "--rate", "50", "--gil", "--subprocesses", "--nonblocking",
             "--duration", str(int(args.seconds)), "--pid", str(process.popen.pid), "--output", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return profilers


def router_token(system):
    """A bearer token of Ankara's router (tests/support/samples.py STAFF_ACCOUNTS)."""
    answer = requests.post(system.url + "/api/v1/auth/token",
                           json={"username": "ankara.router", "password": PASSWORD}, timeout=30)
    answer.raise_for_status()
    return answer.json()["access_token"]


def wait_for_sms(system, submitted_path, timeout):
    """Submit→SMS latencies (seconds) of the applications in ``submitted_path``, and how many
    SMS never arrived within ``timeout``."""
    with open(submitted_path) as lines:
        sent = {record["no"]: record["sent"] for record in map(json.loads, filter(str.strip, lines))}
    received = {}
    deadline = time.monotonic() + timeout
    while True:
        for message in system.sms_messages():
            for number in APPLICATION_NO.findall(sms_text(message)):
                if number in sent and number not in received:
                    received[number] = message["received_at"]
        if len(received) >= len(sent) or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    latencies = sorted(received[number] - sent[number] for number in received)
    return latencies, len(sent) - len(received)


# --- output

def machine(system):
    try:
        rabbit = subprocess.run(["rabbitmqctl", "-q", "version"], capture_output=True, text=True,
                                timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rabbit = "?"
    model = "?"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/meminfo") as meminfo:
        memory = int(meminfo.readline().split()[1]) // 1024
    return "{} cores ({}), {} MiB RAM, Python {} ({}), RabbitMQ {}, Linux {}".format(
        os.cpu_count(), model, memory, platform.python_version(), sys.executable, rabbit, platform.release())


def fmt(value, spec="{:.1f}"):
    return "-" if value is None else spec.format(value)


def ratio(value, ceiling):
    return "-" if not ceiling else "{:.0%}".format(value / ceiling)


def print_report(info, args, rows, echo_rate, healthz_rate, sms_rows):
    print()
    print("Açık Kapı benchmark — {} s per phase, rate limits off".format(args.seconds))
    print("machine: " + info)
    print()
    header = "{:<34} {:>5} {:>9} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9}".format(
        "path", "conc", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "/echo", "/healthz")
    print(header)
    print("-" * len(header))
    for label, concurrency, result in rows:
        print("{:<34} {:>5} {:>9.1f} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9}".format(
            label, concurrency, result["rate"], fmt(result["p50_ms"]), fmt(result["p95_ms"]), fmt(result["p99_ms"]),
            result["errors"], ratio(result["rate"], echo_rate), ratio(result["rate"], healthz_rate)))
    print()
    header = "{:<34} {:>5} {:>9} {:>8} {:>8} {:>8} {:>9}".format(
        "submit -> SMS received", "load", "SMS", "p50 ms", "p95 ms", "p99 ms", "missing")
    print(header)
    print("-" * len(header))
    for load, latencies, missing in sms_rows:
        print("{:<34} {:>5} {:>9} {:>8} {:>8} {:>8} {:>9}".format(
            "fake Verimor received_at - sent", load, len(latencies),
            fmt(_ms(percentile(latencies, 0.50))), fmt(_ms(percentile(latencies, 0.95))),
            fmt(_ms(percentile(latencies, 0.99))), missing))
    print()
    names = list(rows[0][2]["cpu"])
    header = "{:<34} ".format("CPU % of one core (RSS MiB at end)") + " ".join(
        "{:>14}".format(name[:14]) for name in names)
    print(header)
    print("-" * len(header))
    for label, concurrency, result in rows:
        cells = []
        for name in names:
            rss = result["rss"].get(name)
            cells.append("{:>14}".format("{:.0f}%{}".format(
                result["cpu"].get(name, 0.0), "" if rss is None else " ({:.0f})".format(rss / 2 ** 20))))
        print("{:<34} ".format("{} c={}".format(label, concurrency)[:34]) + " ".join(cells))
    print()


def _ms(value):
    return None if value is None else value * 1000.0


def run_phases(system, data_dir, args, levels, paced):
    """Every phase, in order; returns what print_report needs."""
    info = machine(system)
    rows, sms_rows = [], []
    work = Path(data_dir) / "bench"
    work.mkdir()
    # A short warm-up (gateway workers' proxies, services' first calls), not counted.
    warm = argparse.Namespace(**dict(vars(args), seconds=min(3.0, args.seconds)))
    run_load(system, warm, mode="submit", concurrency=4, out=work / "warmup.jsonl")
    run_load(system, warm, mode="get", path="/bench/rpc-echo", concurrency=4)
    c = args.ceiling_concurrency
    print("phase: GET /healthz", file=sys.stderr, flush=True)
    healthz = run_load(system, args, mode="get", path="/healthz", concurrency=c)
    rows.append(("GET /healthz (constant JSON)", c, healthz))
    print("phase: GET /bench/rpc-echo", file=sys.stderr, flush=True)
    echo = run_load(system, args, mode="get", path="/bench/rpc-echo", concurrency=c)
    rows.append(("GET /bench/rpc-echo (1 RPC)", c, echo))
    h, echo_rate = healthz["rate"], echo["rate"]
    first = None
    for level in levels:
        print("phase: submissions at concurrency {}".format(level), file=sys.stderr, flush=True)
        out = work / "submitted-{}.jsonl".format(level)
        result = run_load(system, args, mode="submit", concurrency=level, out=out)
        rows.append(("POST /api/v1/applications", level, result))
        first = first or out
        latencies, missing = wait_for_sms(system, out, args.sms_wait)
        sms_rows.append(("c={}".format(level), latencies, missing))
    for rate in paced:
        print("phase: submissions at {}/s".format(rate), file=sys.stderr, flush=True)
        out = work / "paced-{}.jsonl".format(rate)
        result = run_load(system, args, mode="submit", concurrency=64, rate=rate, out=out)
        rows.append(("POST /api/v1/applications @{}/s".format(rate), 64, result))
        latencies, missing = wait_for_sms(system, out, args.sms_wait)
        sms_rows.append(("{}/s".format(rate), latencies, missing))
    print("phase: tracking lookups", file=sys.stderr, flush=True)
    track = run_load(system, args, mode="track", concurrency=c, input=first)
    rows.append(("GET /api/v1/applications/{no}", c, track))
    print("phase: staff queue listing", file=sys.stderr, flush=True)
    listing = run_load(system, args, mode="staff-list", concurrency=c, token=router_token(system))
    rows.append(("GET /api/v1/staff/applications", c, listing))
    exited = system.exited()
    if exited:
        print("processes exited during the run: {}".format(exited), file=sys.stderr)
    return info, rows, echo_rate, h, sms_rows


@contextmanager
def system_running(preload=0, extra_env=None):
    """The processes of ``make run`` on a throw-away vhost and DATA_DIR (with ``preload``
    applications stored first, bench/preload.py), as deployed but for the echo route."""
    with temporary_vhost() as amqp_uri, tempfile.TemporaryDirectory(prefix="acikkapi-bench-") as data_dir:
        if preload:
            from preload import preload as store_applications

            print("preloading {} applications ...".format(preload), file=sys.stderr, flush=True)
            store_applications(data_dir, preload)
        # As deployed (README, deploy/k8s/config.yaml): RunningSystem's 1 s deadline check is for tests.
        system = RunningSystem(amqp_uri, data_dir, extra_env=dict({"DEADLINE_CHECK_SECONDS": "60",
                                                                   "BENCH_PROBE_ENABLED": "true"}, **(extra_env or {})))
        print("starting the system (vhost {}, DATA_DIR {}) ...".format(amqp_uri.rsplit("/", 1)[-1], data_dir),
              file=sys.stderr, flush=True)
        system.start()
        try:
            yield system, data_dir
        finally:
            system.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase (default 60)")
    parser.add_argument("--levels", default="8,32,64", help="submission concurrency levels")
    parser.add_argument("--paced", default="50,100",
                        help="open-loop submission rates (per second) for submit→SMS below saturation; '' for none")
    parser.add_argument("--ceiling-concurrency", type=int, default=32,
                        help="concurrency of the ceilings and the tracking lookups (default 32)")
    parser.add_argument("--sms-wait", type=float, default=120.0,
                        help="seconds to wait for the SMS of a level's submissions")
    parser.add_argument("--json", help="also write every result to this file")
    parser.add_argument("--preload", type=int, default=0,
                        help="applications stored before the system starts (bench/preload.py), e.g. 100000")
    parser.add_argument("--profile", metavar="DIR",
                        help="py-spy every process during each phase; collapsed stacks into DIR")
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",")]
    paced = [int(rate) for rate in args.paced.split(",") if rate.strip()]

    with system_running(args.preload) as (system, data_dir):
        info, rows, echo_rate, h, sms_rows = run_phases(system, data_dir, args, levels, paced)
        print_report(info, args, rows, echo_rate, h, sms_rows)
        if args.json:
            with open(args.json, "w") as out:
                json.dump({"machine": info, "seconds": args.seconds, "echo_rate": echo_rate,
                           "rows": [{"path": path, "concurrency": cc, **res} for path, cc, res in rows],
                           "sms": [{"load": cc, "count": len(lat), "missing": m,
                                    "p50_ms": _ms(percentile(lat, .5)), "p95_ms": _ms(percentile(lat, .95)),
                                    "p99_ms": _ms(percentile(lat, .99))} for cc, lat, m in sms_rows]},
                          out, indent=2)


if __name__ == "__main__":
    main()
