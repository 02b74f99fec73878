"""``make bench``: issue 20's measure — the carried rate, CPU per submission, the ceilings.

The processes of ``make run`` (four nameko services, the gunicorn gateway) and a loopback fake
Verimor that pushes its delivery reports back by itself, batched as Verimor does, on a throw-away
RabbitMQ vhost and a temporary DATA_DIR, driven over HTTP by bench/load.py in a separate process;
prints one report (``--json`` also).

    .venv/bin/python bench/run.py [--seconds 60] [--rates 60,80,100,...] [--json FILE]

Phases (after a short warm-up):

1. Ceilings, closed loop at ``--ceiling-concurrency``: GET /healthz (a constant JSON) and
   GET /bench/rpc-echo (one bare nameko RPC, a route that exists only with BENCH_PROBE_ENABLED=true).
2. CPU per submission (after ``--idle-seconds`` of the system at rest, its CPU shown beside):
   submissions open loop at ``--cpu-rate`` (50/s) for ``--seconds``; CPU from
   /proc per process (every service, gateway master + workers, RabbitMQ's server, the fake), from
   the first request until every "received" SMS arrived, the fake pushed every report and the
   vhost's queues are empty, divided by the submissions. The load client is shown apart.
3. The carried rate: open-loop phases of ``--search-seconds`` at each of ``--rates`` until one is
   not carried (in ``--tries`` phases in a row), a bisection between the last carried and the
   first not, then the best held for ``--seconds`` to confirm (if it does not hold, the next lower
   carried rate, up to ``--confirm-tries``). A rate is carried when every
   request succeeded, every application got its "received" SMS, submit→SMS p99 ≤ 1 s, and at the
   end of the phase less than one second of arrivals was waiting (messages in the vhost's queues
   + SMS not yet at the fake + reports not yet pushed ≤ rate × 1 s). Each phase waits until the
   system is drained before the next.
4. Submission p99 and submit→SMS p99 at ``--latency-rate`` (100/s): the search's row, or a phase.
5. With ``--lookups``: tracking lookups and the staff queue, closed loop (earlier runs' rows).

Submit→SMS is the fake's ``received_at`` minus the moment the POST was due. Rate limits are off
(RATE_LIMITS_ENABLED=false, the RunningSystem default); routing's deadline check runs every 60 s
as deployed (RunningSystem's tests use 1 s).
"""
import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
import timeit
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from backlog import SmsArrivals, queue_depths, reports_state, submitted, vhost_of, wait_until_drained  # noqa: E402

from tests.support.broker import temporary_vhost  # noqa: E402
from tests.support.processes import RunningSystem  # noqa: E402
from tests.support.samples import PASSWORD  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
SMS_P99_LIMIT_MS = 1000.0
# The fake pushes its reports every half second (Verimor's pace is not documented; its pushes
# come in arrays, which is what costs or saves work here).
REPORT_SECONDS = 0.5


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


def _descendants(roots, table):
    found, frontier = set(roots), list(roots)
    while frontier:
        parent = frontier.pop()
        for pid, stat in table.items():
            if stat["ppid"] == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
    return found


def _broker_pids():
    """RabbitMQ's server VM (not a ``rabbitmqctl``'s, which is a beam.smp too)."""
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/{}/comm".format(entry)) as comm:
                    if comm.read().strip() != "beam.smp":
                        continue
                with open("/proc/{}/cmdline".format(entry), "rb") as cmdline:
                    if b"\0-s\0rabbit\0boot" in cmdline.read():
                        pids.add(int(entry))
            except OSError:
                pass
    return pids


def snapshot(system):
    """{process name: (cpu seconds, rss bytes)}: each system process with its descendants, RabbitMQ's
    server, and this process's finished children as "load client" (bench/memory.py reads it)."""
    table = _all_processes()
    groups = _process_groups(system, table)
    result = {}
    for name, pids in groups.items():
        stats = [table[pid] for pid in pids if pid in table]
        result[name] = (sum(s["cpu"] for s in stats), sum(s["rss"] for s in stats))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["load client"] = (usage.ru_utime + usage.ru_stime, None)
    return result


def written(system):
    """{process name: bytes it caused to be written to storage so far} (``write_bytes`` of
    /proc/<pid>/io, each process with its descendants, RabbitMQ's server too): a database's
    write-ahead log pages, RabbitMQ's message store."""
    return {name: sum(_write_bytes(pid) for pid in pids)
            for name, pids in _process_groups(system, _all_processes()).items()}


def _process_groups(system, table):
    """{process name: its pids with their descendants}, and RabbitMQ's server as "rabbitmq"."""
    groups = {name: _descendants({process.popen.pid}, table) for name, process in system.processes.items()}
    groups["rabbitmq"] = _descendants(_broker_pids(), table)
    return groups


def _write_bytes(pid):
    try:
        with open("/proc/{}/io".format(pid)) as io:
            for line in io:
                if line.startswith("write_bytes:"):
                    return int(line.split()[1])
    except OSError:  # gone meanwhile, or not ours to read
        pass
    return 0


def machine_busy():
    """CPU seconds the whole machine spent busy (user, nice, system, irq, softirq) since boot."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / CLK_TCK


class CpuWindow:
    """CPU seconds per system process between ``start()`` and ``stop()``, and what the rest of the
    machine (other work; this script; the load client) used meanwhile."""

    def __init__(self, system):
        self.system = system

    def start(self):
        self.before, self.busy_before, self.began = snapshot(self.system), machine_busy(), time.monotonic()
        self.written_before = written(self.system)
        return self

    def stop(self):
        after, busy, written_after = snapshot(self.system), machine_busy(), written(self.system)
        self.wall = time.monotonic() - self.began
        self.written = {name: written_after[name] - self.written_before[name] for name in written_after
                        if name in self.written_before}
        self.seconds = {name: after[name][0] - self.before[name][0] for name in after
                        if name in self.before and name != "load client"}
        self.rss = {name: after[name][1] for name in after if after[name][1] is not None}
        self.machine = busy - self.busy_before
        return self


# --- phases

def clients(rate):
    """Open-loop client threads: enough that a slow second does not hold back the schedule."""
    return min(400, max(64, int(rate)))


def run_load(system, args, seconds, phase, **options):
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--url", system.url, "--seconds", str(seconds)]
    for key, value in options.items():
        command += ["--" + key.replace("_", "-"), str(value)]
    profilers = start_profilers(system, args, phase, seconds) if args.profile else []
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 180)
    for profiler in profilers:
        stop_profiler(profiler)
    if finished.returncode != 0:
        raise RuntimeError("load failed: " + finished.stderr[-3000:])
    return json.loads(finished.stdout.strip().splitlines()[-1])


def stop_profiler(profiler):
    """A py-spy that outlives its ``--duration`` is interrupted, then killed, so the bench goes on
    (py-spy 0.4.0 did, on idle services; 0.3.14 did not: bench/README.md names the version)."""
    try:
        profiler.wait(timeout=30)
    except subprocess.TimeoutExpired:
        profiler.send_signal(signal.SIGINT)
        try:
            profiler.wait(timeout=15)
        except subprocess.TimeoutExpired:
            profiler.kill()
            profiler.wait()


def start_profilers(system, args, phase, seconds):
    """py-spy on every system process (gunicorn's workers included) for this phase; collapsed
    stacks go to ``--profile``/<phase>-<process>.txt (bench/profile_summary.py reads them)."""
    py_spy = Path(sys.executable).with_name("py-spy")
    profilers = []
    for name, process in system.processes.items():
        out = Path(args.profile) / "{}-{}.txt".format(phase, name)
        profilers.append(subprocess.Popen(
            [str(py_spy), "record", "--format", "raw", "--rate", "50", "--gil", "--subprocesses", "--nonblocking",
             "--duration", str(int(seconds)), "--pid", str(process.popen.pid), "--output", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return profilers


def closed_loop(system, args, label, seconds, concurrency, **options):
    print("phase: {} (concurrency {}, {:g} s)".format(label, concurrency, seconds), file=sys.stderr, flush=True)
    window = CpuWindow(system).start()
    result = run_load(system, args, seconds, label.split()[0].lower() + "-c{}".format(concurrency),
                      concurrency=concurrency, **options)
    window.stop()
    result.update(label=label, concurrency=concurrency, cpu_ms_per_request=_per(sum(window.seconds.values()),
                                                                                 result["ok"]))
    return result


def open_loop(system, args, run, rate, seconds, label):
    """Submissions at ``rate`` for ``seconds``, then the wait until the system is drained; the
    phase's figures, with CPU over both."""
    print("phase: {} — submissions at {:g}/s for {:g} s".format(label, rate, seconds), file=sys.stderr, flush=True)
    out = run.work / "{}-{:g}.jsonl".format(label, rate)
    reports_before = reports_state(system)
    window = CpuWindow(system).start()
    result = run_load(system, args, seconds, "{}-{:g}".format(label, rate), mode="submit",
                      concurrency=clients(rate), rate=rate, out=out)
    at_end = time.time()
    depths = queue_depths(run.vhost) or {}
    reports_due = reports_state(system)["due"]
    sent = submitted(out)
    missing = run.arrivals.wait_for(sent, args.sms_wait)
    drained_in, depths_after, reports = wait_until_drained(system, run.vhost, args.sms_wait)
    window.stop()
    latencies = sorted(run.arrivals.received_at[number] - sent[number] for number in sent
                       if number in run.arrivals.received_at)
    owed = sum(1 for number in sent if run.arrivals.received_at.get(number, at_end + 1) > at_end)
    queued = sum(depths.values())
    waiting = queued + owed + reports_due
    result.update(
        label=label, target_rate=rate, sms=len(latencies), sms_missing=len(missing),
        sms_p50_ms=_ms(percentile(latencies, 0.50)), sms_p95_ms=_ms(percentile(latencies, 0.95)),
        sms_p99_ms=_ms(percentile(latencies, 0.99)), queued=queued, sms_owed=owed, reports_due=reports_due,
        waiting=waiting, deepest_queue=max(depths.items(), key=lambda item: item[1], default=(None, 0)),
        drained_in=drained_in, left_in_queues=sum((depths_after or {}).values()),
        reports={key: reports[key] - reports_before[key] for key in ("pushed", "refused", "posts", "failed_posts")},
        cpu_seconds=window.seconds, machine_cpu_seconds=window.machine, wall=window.wall, rss=window.rss,
        written_bytes=window.written,
    )
    result["verdict"] = verdict(result, rate)
    result["carried"] = result["verdict"] == "carried"
    print("  {:.1f}/s, submission p99 {} ms, SMS p99 {} ms, waiting {}: {}".format(
        result["rate"], fmt(result["p99_ms"], "{:.0f}"), fmt(result["sms_p99_ms"], "{:.0f}"), waiting,
        result["verdict"]), file=sys.stderr, flush=True)
    return result


def verdict(result, rate):
    """"carried", or why not."""
    reasons = []
    if result["errors"] or not result["ok"]:
        reasons.append("{} failed requests".format(result["errors"]))
    if result["sms_missing"]:
        reasons.append("{} SMS missing".format(result["sms_missing"]))
    if result["sms_p99_ms"] is None or result["sms_p99_ms"] > SMS_P99_LIMIT_MS:
        reasons.append("SMS p99 > 1 s")
    if result["waiting"] > rate:
        reasons.append("> 1 s of arrivals waiting")
    return "; ".join(reasons) or "carried"


def search_carried_rate(system, args, run, rates):
    """The search's phases in the order run, and the confirmed carried rate (or None)."""
    rows, best, failed = [], None, None

    def carried(rate, label):
        # A rate gets --tries phases: one pause of a shared machine should not end the search.
        for _ in range(args.tries):
            rows.append(open_loop(system, args, run, rate, args.search_seconds, label))
            if rows[-1]["carried"]:
                return True
        return False

    for rate in rates:
        if not carried(rate, "search"):
            failed = rate
            break
        best = rate
    for _ in range(args.bisect):
        low = best or 0
        if failed is None or failed - low < 20:
            break
        middle = int(round((low + failed) / 2.0 / 5.0)) * 5
        if carried(middle, "bisect"):
            best = middle
        else:
            failed = middle
    confirmations = []
    # A backlog can build too slowly to show in a short phase (seen: 180/s carried for 20 s, not
    # for 60): the best is held for the longer phase, and if it does not hold, the next lower
    # carried rate, up to --confirm-tries of them.
    candidates = sorted({row["target_rate"] for row in rows if row["carried"]}, reverse=True)[:args.confirm_tries]
    for rate in candidates:
        row = open_loop(system, args, run, rate, args.seconds, "confirm")
        confirmations.append(row)
        if row["carried"]:
            return rows, confirmations, rate
    return rows, confirmations, None


class Run:
    def __init__(self, system, data_dir):
        self.work = Path(data_dir) / "bench"
        self.work.mkdir()
        self.vhost = vhost_of(system.amqp_uri)
        self.arrivals = SmsArrivals(system)


def run_phases(system, data_dir, args):
    run = Run(system, data_dir)
    measured = {"machine": machine(), "commit": commit(), "load_before": loadavg()}
    # A short warm-up (gateway workers' connections, services' first calls), not counted.
    warm = min(3.0, args.seconds)
    run_load(system, args, warm, "warmup", mode="submit", concurrency=4, out=run.work / "warmup.jsonl")
    run_load(system, args, warm, "warmup", mode="get", path="/bench/rpc-echo", concurrency=4)
    run.arrivals.wait_for(submitted(run.work / "warmup.jsonl"), args.sms_wait)
    wait_until_drained(system, run.vhost, args.sms_wait)

    c = args.ceiling_concurrency
    measured["ceilings"] = [
        closed_loop(system, args, "GET /healthz", args.ceiling_seconds, c, mode="get", path="/healthz"),
        closed_loop(system, args, "GET /bench/rpc-echo", args.ceiling_seconds, c, mode="get",
                    path="/bench/rpc-echo"),
    ]
    # What the system burns doing nothing (timers, pollers, heartbeats): part of every figure
    # below, the larger a share the lower the rate.
    print("phase: idle ({:g} s)".format(args.idle_seconds), file=sys.stderr, flush=True)
    idle = CpuWindow(system).start()
    time.sleep(args.idle_seconds)
    idle.stop()
    measured["idle_cpu_percent"] = {name: 100.0 * seconds / idle.wall for name, seconds in idle.seconds.items()}
    measured["cpu"] = open_loop(system, args, run, args.cpu_rate, args.seconds, "cpu")
    rates = [float(rate) for rate in args.rates.split(",") if rate.strip()]
    measured["search"], measured["confirmations"], measured["carried_rate"] = search_carried_rate(
        system, args, run, rates)
    at_latency_rate = [row for row in measured["search"] if row["target_rate"] == args.latency_rate]
    measured["latency"] = (at_latency_rate[-1] if at_latency_rate else
                           open_loop(system, args, run, args.latency_rate, args.search_seconds, "latency"))
    if args.lookups:
        measured["lookups"] = [
            closed_loop(system, args, "GET /api/v1/applications/{no}", args.ceiling_seconds, c, mode="track",
                        input=run.work / "cpu-{:g}.jsonl".format(args.cpu_rate)),
            closed_loop(system, args, "GET /api/v1/staff/applications", args.ceiling_seconds, c,
                        mode="staff-list", token=router_token(system)),
        ]
    measured["exited"] = system.exited()
    measured["load_after"] = loadavg()
    if measured["exited"]:
        print("processes exited during the run: {}".format(measured["exited"]), file=sys.stderr)
    return measured


def router_token(system):
    """A bearer token of Ankara's router (tests/support/samples.py STAFF_ACCOUNTS)."""
    answer = requests.post(system.url + "/api/v1/auth/token",
                           json={"username": "ankara.router", "password": PASSWORD}, timeout=30)
    answer.raise_for_status()
    return answer.json()["access_token"]


# --- output

def machine(system=None):
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
    return "{} cores ({}), {} MiB RAM, Python {} ({}), RabbitMQ {}, Linux {}; {}".format(
        os.cpu_count(), model, memory, platform.python_version(), sys.executable, rabbit, platform.release(),
        python_speed())


def python_speed():
    """A fixed piece of pure Python, timed (best of five): machines called alike differ up to
    threefold (bench/README.md "Issue 20, third session"), and every figure here moves with it."""
    best = min(timeit.repeat("sum(range(1000))", number=10000, repeat=5)) / 10000
    return "sum(range(1000)) in {:.1f} µs".format(best * 1e6)


def commit():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return head + (" + {} changed files".format(len(changed)) if changed else "")


def loadavg():
    with open("/proc/loadavg") as load:
        return " ".join(load.read().split()[:3])


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def fmt(value, spec="{:.1f}"):
    return "-" if value is None else spec.format(value)


def _ms(value):
    return None if value is None else value * 1000.0


def _per(seconds, count):
    return None if not count else 1000.0 * seconds / count


def cpu_rows(phase):
    """[(process, ms per submission, % of a core)], the system's processes then their total."""
    count, wall = phase["ok"], phase["wall"]
    rows = [(name, _per(seconds, count), 100.0 * seconds / wall) for name, seconds in phase["cpu_seconds"].items()]
    total = sum(phase["cpu_seconds"].values())
    return rows, (_per(total, count), 100.0 * total / wall)


def print_report(measured, args):
    print()
    print("Açık Kapı benchmark (issue 20) — {:g} s held phases, {:g} s search phases, rate limits off".format(
        args.seconds, args.search_seconds))
    print("machine: " + measured["machine"])
    print("code: {}; load average before {}, after {}".format(
        measured["commit"], measured["load_before"], measured["load_after"]))
    print()
    ceilings = {row["label"]: row for row in measured["ceilings"]}
    header = "{:<40} {:>5} {:>9} {:>8} {:>8} {:>8} {:>7} {:>12}".format(
        "ceilings (closed loop)", "conc", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "CPU ms/req")
    print(header)
    print("-" * len(header))
    for row in measured["ceilings"] + measured.get("lookups", []):
        print("{:<40} {:>5} {:>9.1f} {:>8} {:>8} {:>8} {:>7} {:>12}".format(
            row["label"], row["concurrency"], row["rate"], fmt(row["p50_ms"]), fmt(row["p95_ms"]),
            fmt(row["p99_ms"]), row["errors"], fmt(row["cpu_ms_per_request"], "{:.2f}")))
    print()

    cpu = measured["cpu"]
    rows, (total_ms, total_share) = cpu_rows(cpu)
    print("CPU per submission at {:g}/s open loop: {} submissions, {:.0f} s from the first request until "
          "drained ({:.1f} s after the load)".format(args.cpu_rate, cpu["ok"], cpu["wall"], cpu["drained_in"]))
    idle = measured["idle_cpu_percent"]
    header = "{:<40} {:>12} {:>12} {:>10} {:>12} {:>12}".format("process", "ms/submit", "% of a core", "RSS MiB",
                                                                "idle % core", "KB/submit")
    print(header)
    print("-" * len(header))
    written_per = {name: (None if not cpu["ok"] else bytes_ / 1024 / cpu["ok"])
                   for name, bytes_ in cpu.get("written_bytes", {}).items()}
    for name, per, share in rows:
        rss = cpu["rss"].get(name)
        print("{:<40} {:>12} {:>12.1f} {:>10} {:>12.1f} {:>12}".format(
            name, fmt(per, "{:.2f}"), share, "-" if rss is None else "{:.0f}".format(rss / 2 ** 20),
            idle.get(name, 0.0), fmt(written_per.get(name), "{:.0f}")))
    print("{:<40} {:>12} {:>12.1f} {:>10} {:>12.1f} {:>12}".format(
        "total (the system)", fmt(total_ms, "{:.2f}"), total_share, "", sum(idle.values()),
        fmt(sum(value for value in written_per.values() if value is not None), "{:.0f}")))
    print("(KB/submit: KiB written to storage per submission, from /proc/<pid>/io: WAL pages, RabbitMQ's store)")
    print("{:<40} {:>12} {:>12.1f}".format("load client (not in the total)", fmt(_per(cpu["client_cpu"], cpu["ok"]),
                                                                                  "{:.2f}"),
                                           100.0 * cpu["client_cpu"] / cpu["wall"]))
    others = cpu["machine_cpu_seconds"] - sum(cpu["cpu_seconds"].values()) - cpu["client_cpu"]
    print("{:<40} {:>12} {:>12.1f}".format("rest of the machine (other work, bench)", "", 100.0 * others / cpu["wall"]))
    print("(rabbitmq is the whole broker: traffic on other vhosts during the run counts in it)")
    print("submission p99 {} ms; submit -> SMS p50 {} ms, p99 {} ms; {} SMS missing; delivery reports: {} "
          "pushed in {} posts, {} refused, {} failed posts".format(
              fmt(cpu["p99_ms"]), fmt(cpu["sms_p50_ms"]), fmt(cpu["sms_p99_ms"]), cpu["sms_missing"],
              cpu["reports"]["pushed"], cpu["reports"]["posts"], cpu["reports"]["refused"],
              cpu["reports"]["failed_posts"]))
    print()

    header = "{:<8} {:>6} {:>8} {:>6} {:>8} {:>8} {:>9} {:>9} {:>7} {:>16}  {}".format(
        "phase", "rate/s", "ok", "errors", "p50 ms", "p99 ms", "SMS p50", "SMS p99", "missing",
        "waiting q+s+r", "verdict")
    print("carried rate search (open loop; waiting at the phase's end: queued messages + SMS owed + reports due)")
    print(header)
    print("-" * len(header))
    for row in measured["search"] + measured["confirmations"] + (
            [measured["latency"]] if measured["latency"]["label"] == "latency" else []):
        print("{:<8} {:>6g} {:>8} {:>6} {:>8} {:>8} {:>9} {:>9} {:>7} {:>16}  {}{}".format(
            row["label"], row["target_rate"], row["ok"], row["errors"], fmt(row["p50_ms"], "{:.0f}"),
            fmt(row["p99_ms"], "{:.0f}"), fmt(row["sms_p50_ms"], "{:.0f}"), fmt(row["sms_p99_ms"], "{:.0f}"),
            row["sms_missing"], "{}+{}+{}".format(row["queued"], row["sms_owed"], row["reports_due"]),
            row["verdict"], "" if row["queued"] <= row["target_rate"] else " (deepest: {} {})".format(
                *row["deepest_queue"])))
    print()

    carried = measured["carried_rate"]
    latency = measured["latency"]
    echo, healthz = ceilings["GET /bench/rpc-echo"], ceilings["GET /healthz"]
    print("carried rate: {} (held {:g} s)   ceilings of the same run: rpc-echo {:.0f}/s, healthz {:.0f}/s".format(
        "none (no rate tried held)" if carried is None else "{:g}/s".format(carried), args.seconds, echo["rate"],
        healthz["rate"]))
    print()
    header = "{:<48} {:>14} {:>10} {:>6}".format("issue 20's targets", "measured", "target", "met")
    print(header)
    print("-" * len(header))
    at_least = lambda value, limit: value is not None and value >= limit  # noqa: E731
    at_most = lambda value, limit: value is not None and value <= limit  # noqa: E731
    targets = [
        ("carried rate (goal)", carried, "{:g}/s", 150, "≥ 150/s", at_least),
        ("carried rate (least that counts)", carried, "{:g}/s", 100, "≥ 100/s", at_least),
        ("CPU per submission, all processes", total_ms, "{:.1f} ms", 10, "≤ 10 ms", at_most),
        ("submission p99 at {:g}/s".format(args.latency_rate), latency["p99_ms"], "{:.0f} ms", 250, "≤ 250 ms",
         at_most),
        ("submit -> SMS p99 at {:g}/s".format(args.latency_rate), latency["sms_p99_ms"], "{:.0f} ms", 1000, "≤ 1 s",
         at_most),
    ]
    measured["targets"] = []
    for what, value, spec, limit, shown, met in targets:
        measured["targets"].append({"target": what, "value": value, "limit": shown, "met": met(value, limit)})
        print("{:<48} {:>14} {:>10} {:>6}".format(what, fmt(value, spec), shown, "yes" if met(value, limit) else "NO"))
    print("(the staff queue's target: make bench-queue)")
    if measured["exited"]:
        print("processes exited during the run: {}".format(measured["exited"]))
    print()


@contextmanager
def system_running(preload=0, extra_env=None, sms_auto_report_seconds=None):
    """The processes of ``make run`` on a throw-away vhost and DATA_DIR (with ``preload``
    applications stored first, bench/preload.py), as deployed but for the echo route."""
    with temporary_vhost() as amqp_uri, tempfile.TemporaryDirectory(prefix="acikkapi-bench-") as data_dir:
        if preload:
            from preload import preload as store_applications

            print("preloading {} applications ...".format(preload), file=sys.stderr, flush=True)
            store_applications(data_dir, preload)
        # As deployed (README, deploy/k8s/config.yaml): RunningSystem's 1 s deadline check is for tests.
        system = RunningSystem(amqp_uri, data_dir, extra_env=dict({"DEADLINE_CHECK_SECONDS": "60",
                                                                   "BENCH_PROBE_ENABLED": "true"}, **(extra_env or {})),
                               sms_auto_report_seconds=sms_auto_report_seconds)
        print("starting the system (vhost {}, DATA_DIR {}) ...".format(amqp_uri.rsplit("/", 1)[-1], data_dir),
              file=sys.stderr, flush=True)
        system.start()
        try:
            yield system, data_dir
        finally:
            system.stop()


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="the CPU phase and the carried rate's confirmation (default 60)")
    parser.add_argument("--search-seconds", type=float,
                        help="each rate of the search (default 20, at most --seconds)")
    parser.add_argument("--ceiling-seconds", type=float, help="each ceiling (default 20, at most --seconds)")
    parser.add_argument("--rates", default="60,80,100,120,150,180,220,260,300",
                        help="open-loop rates of the search, in order; it stops at the first not carried")
    parser.add_argument("--bisect", type=int, default=2,
                        help="bisection steps between the last carried rate and the first not (default 2)")
    parser.add_argument("--confirm-tries", type=int, default=4,
                        help="carried rates of the search, best first, held for --seconds until one holds (default 4)")
    parser.add_argument("--tries", type=int, default=2,
                        help="phases a rate of the search gets before it counts as not carried (default 2)")
    parser.add_argument("--cpu-rate", type=float, default=50.0, help="the CPU phase's rate (default 50/s)")
    parser.add_argument("--idle-seconds", type=float, default=10.0,
                        help="the system's CPU at rest, measured before the CPU phase (default 10)")
    parser.add_argument("--latency-rate", type=float, default=100.0,
                        help="the rate of the latency targets (default 100/s)")
    parser.add_argument("--ceiling-concurrency", type=int, default=32,
                        help="concurrency of the ceilings and the lookups (default 32)")
    parser.add_argument("--sms-wait", type=float, default=120.0,
                        help="seconds to wait after a phase for its SMS, and again for the system to drain")
    parser.add_argument("--lookups", action="store_true",
                        help="also tracking lookups and staff queue pages, closed loop, --ceiling-seconds each")
    parser.add_argument("--json", help="also write every result to this file")
    parser.add_argument("--preload", type=int, default=0,
                        help="applications stored before the system starts (bench/preload.py), e.g. 100000")
    parser.add_argument("--profile", metavar="DIR",
                        help="py-spy every process during each phase; collapsed stacks into DIR")
    args = parser.parse_args(argv)
    args.search_seconds = args.search_seconds or min(20.0, args.seconds)
    args.ceiling_seconds = args.ceiling_seconds or min(20.0, args.seconds)
    return args


def main(argv=None):
    args = parse(argv)
    began = time.monotonic()
    with system_running(args.preload, sms_auto_report_seconds=REPORT_SECONDS) as (system, data_dir):
        measured = run_phases(system, data_dir, args)
    measured["minutes"] = (time.monotonic() - began) / 60.0
    print_report(measured, args)
    print("({:.1f} minutes)".format(measured["minutes"]))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(dict(measured, arguments=vars(args)), out, indent=2, default=str)


if __name__ == "__main__":
    main()
