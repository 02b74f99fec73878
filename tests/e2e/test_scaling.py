"""Scaling shown (issue 8): two routing and two notification processes at once, on one machine,
each pair sharing its service's embedded store (same DATA_DIR) and each process serving its own
Prometheus endpoint (METRICS_PORT). 300 citizen submissions at 30/s; meanwhile officers route and
answer the first 30 through the API.

(a) The work is split: each of the four processes did a real share (at least ``MIN_SHARE``) of
    its service's work, read from that process's own Prometheus endpoint (common/metrics.py,
    services/notification/metrics.py):

    * events handled — ``acikkapi_event_handler_calls_total{event, outcome="ok"}``: RabbitMQ
      hands each event of a handler queue to one of its two consumers;
    * staff RPCs — ``acikkapi_rpc_calls_total{method="route_application"|"answer_application"}``;
    * SMS sent — ``acikkapi_sms_messages_total{state="sent"}``: which of the two senders (both
      claiming from the one store under a lease) handed each message to the provider.

    Each endpoint must say it is that process (``acikkapi_process_info{service, pid}``): a run once
    read routing-2's counts as notification-2's, when a port chosen by the test before the process
    bound it was bound first by the other (the processes now bind a port of their own choosing,
    ``METRICS_PORT=0``, and log it; common/metrics.py makes a taken port a startup error).

    Cross-check, independent of our metrics code: the scaled processes run with
    ``LOG_LEVEL=DEBUG``, so nameko logs ``spawning <WorkerContext [<service>.<handler>] …>`` once
    per worker — one event, or a batch whose size ``common.batch_handlers`` logs beside it
    (``batch of N events for <service>.<handler>``); per process it must equal the counter (and the RPC
    counter the ``rpc routing.<method>: ok`` line each call logs). The sums are
    exactly one per event and per message (no redelivery, no error, no second send).
    On the broker side, every handler queue of routing and notification, and their RPC queues,
    have exactly two consumers.
(b) Nothing is done twice: the reconciliation (tests/support/reconciliation.py) is clean — one
    record per application in every store and exactly one "received" SMS per application at the
    fake provider — every answered application got exactly one "concluded" SMS, and no text
    reached the fake twice.
"""
import json
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from kombu import Connection
from prometheus_client.parser import text_string_to_metric_families

from common import topology
from services.notification.templates import TEMPLATES
from tests.support.broker import temporary_vhost
from tests.support.load import SteadySubmissions
from tests.support.processes import SERVICES, RunningSystem, gateway_process, sms_text, wait_until
from tests.support.reconciliation import wait_reconciled
from tests.support.staff_client import StaffApi, ankara_health_body

SCALED = ("routing", "notification")
PROCESSES = {service: (service, service + "-2") for service in SCALED}
COUNT, RATE = 300, 30
ANSWERED = 30  # applications a router routes and a unit officer answers
MIN_SHARE = 0.2
DEBUG = {"LOG_LEVEL": "DEBUG"}  # nameko's "spawning <WorkerContext …>" line per worker
SPAWNING = re.compile(r"^spawning <WorkerContext \[(?P<service>\w+)\.(?P<method>\w+)\]")
RPC_LINE = re.compile(r"^rpc (?P<service>\w+)\.(?P<method>\w+): ok in")
# a batching handler's worker takes several events (common/batch_handlers.py), and says how many
BATCH_LINE = re.compile(r"^batch of (?P<count>\d+) events for (?P<service>\w+)\.(?P<method>\w+)$")
CONCLUDED = [re.compile(re.escape(text).replace(re.escape("{application_no}"), r"(?P<no>\d{4}-\d{6,})")
                        .replace(re.escape("{tracking_url}"), ".+?"))
             for text in TEMPLATES["application_answered"].values()]


def _start(system):
    """The system as RunningSystem.start() makes it, with a second routing and notification."""
    system.start_fake()
    for service in SERVICES:
        system.start_service(service, extra_env=DEBUG if service in SCALED else None)
    for service in SCALED:
        system.start_service(service, label=PROCESSES[service][1], extra_env=DEBUG)
    system.processes["gateway"] = gateway_process(system.env, system.data_dir)
    system.wait_ready()


def _consumer_counts(amqp_uri):
    """{queue: consumers} of every handler queue of the scaled services and their RPC queues."""
    names = [topology.handler_queue_name(*subscription) for subscription in topology.subscriptions()
             if subscription[2] in SCALED] + ["rpc-" + service for service in SCALED]
    with Connection(amqp_uri) as connection:
        channel = connection.default_channel
        return {name: channel.queue_declare(name, passive=True).consumer_count for name in names}


def _two_consumers_each(amqp_uri):
    counts = _consumer_counts(amqp_uri)
    return counts if set(counts.values()) == {2} else None


def _log_messages(process):
    """(logger, message) of every JSON line the process wrote."""
    for line in process.output().splitlines():
        if line.startswith("{"):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            yield entry.get("logger"), entry.get("message", "")


def _handled(process):
    """Counter of "<handler>" (events) and "rpc <method>" (RPCs answered ok) in this process."""
    handled = Counter()
    for logger, message in _log_messages(process):
        spawned = SPAWNING.match(message) if logger == "nameko.containers" else None
        if spawned and spawned.group("method").startswith("handle_"):
            handled[spawned.group("method")] += 1
        batch = BATCH_LINE.match(message) if logger == "common.batch_handlers" else None
        if batch:  # its worker's spawning line counted one event of the batch already
            handled[batch.group("method")] += int(batch.group("count")) - 1
        rpc = RPC_LINE.match(message) if logger == "common.request_context" else None
        if rpc:
            handled["rpc " + rpc.group("method")] += 1
    return handled


def _metrics(system, label):
    """Counter of this process's samples: {(metric, label values…): value} for the three counters
    the test reads (events by event and outcome, RPCs by method and outcome, SMS by template and
    state), and the time spent handling each event (to explain an uneven split)."""
    text = requests.get(system.metrics_url(label), timeout=5).text
    whose = {(sample.labels["service"], sample.labels["pid"]) for family in text_string_to_metric_families(text)
             for sample in family.samples if sample.name == "acikkapi_process_info"}
    assert whose == {(label.split("-")[0], str(system.processes[label].popen.pid))}, (label, whose)
    keys = {"acikkapi_event_handler_calls_total": ("event", "outcome"),
            "acikkapi_rpc_calls_total": ("method", "outcome"),
            "acikkapi_sms_messages_total": ("template", "state"),
            "acikkapi_event_handler_duration_seconds_sum": ("event",)}
    read = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in keys:
                value = sample.value if sample.name.endswith("_sum") else int(sample.value)
                read[(sample.name, *(sample.labels.get(key) for key in keys[sample.name]))] += value
    return read


def _concluded_number(text):
    for pattern in CONCLUDED:
        match = pattern.fullmatch(text)
        if match:
            return match.group("no")
    return None


def _route_and_answer(staff, application_no):
    staff.wait_visible("ankara.router", application_no)
    routed = staff.route("ankara.router", application_no, "06-cankaya-health")
    assert routed.status_code == 200, routed.text
    answered = staff.answer("ankara.health", application_no)
    assert answered.status_code == 200, answered.text


def _shares(counts):
    total = sum(counts.values())
    return {label: (count / total if total else 0.0) for label, count in counts.items()}


def test_two_routing_and_two_notification_processes_share_the_work_once(tmp_path):
    began = time.monotonic()
    with temporary_vhost() as amqp_uri:
        system = RunningSystem(amqp_uri, tmp_path)
        try:
            _start(system)
            consumers = wait_until(lambda: _two_consumers_each(amqp_uri), timeout=30, interval=0.25,
                                   what="two consumers on every queue")
            started = time.monotonic()

            load = SteadySubmissions(system.url, count=COUNT, rate=RATE, body=ankara_health_body).start()
            staff = StaffApi(system.url)
            wait_until(lambda: len(load.told) >= ANSWERED, timeout=30, what="first submissions told")
            sample = load.told[:ANSWERED]
            with ThreadPoolExecutor(max_workers=4) as pool:  # officers at work while citizens submit
                list(pool.map(lambda number: _route_and_answer(staff, number), sample))
            outcomes = load.join(timeout=60)
            loaded = time.monotonic()

            report = wait_reconciled(load.told, system.data_dir, system.sms_messages, timeout=30)

            def concluded():
                numbers = Counter(_concluded_number(sms_text(m)) for m in system.sms_messages())
                return numbers if all(numbers[number] >= 1 for number in sample) else None

            wait_until(concluded, timeout=20, interval=0.25, what="every concluded SMS")
            time.sleep(2)  # a second copy from the other sender would come within this
            messages = system.sms_messages()
            labels = [label for service in SCALED for label in PROCESSES[service]]
            handled = {label: _handled(system.processes[label]) for label in labels}
            metrics = {label: _metrics(system, label) for label in labels}
            exited = system.exited()
        finally:
            system.stop()
    ended = time.monotonic()

    refused = [outcome.answers for outcome in outcomes if not outcome.created]
    assert not refused, "submissions that never got their 201: {}".format(refused[:5])
    told = load.told
    assert len(set(told)) == COUNT

    routing, notification = PROCESSES["routing"], PROCESSES["notification"]
    event, rpc, sms = "acikkapi_event_handler_calls_total", "acikkapi_rpc_calls_total", "acikkapi_sms_messages_total"

    def ok(label, metric, *names):
        return sum(metrics[label][(metric, name, "ok")] for name in names)

    received_routing = {label: ok(label, event, "application_received") for label in routing}
    received_notification = {label: ok(label, event, "application_received") for label in notification}
    answered_notification = {label: ok(label, event, "application_answered") for label in notification}
    staff_rpcs = {label: ok(label, rpc, "route_application", "answer_application") for label in routing}
    sms_sent = {label: sum(value for key, value in metrics[label].items() if key[0] == sms and key[2] == "sent")
                for label in notification}
    event_errors = {label: {key: value for key, value in metrics[label].items()
                            if key[0] == event and key[2] != "ok" and value} for label in metrics}
    spawned = {label: {name: count for name, count in handled[label].items() if name.startswith("handle_")}
               for label in handled}
    counted = {label: {"handle_" + key[1]: value for key, value in metrics[label].items()
                       if key[0] == event and key[2] == "ok" and value} for label in metrics}

    print("\nscaling: {} submissions at {}/s, {} routed and answered; start {:.1f}s, load {:.1f}s, "
          "total {:.1f}s".format(COUNT, RATE, ANSWERED, started - began, loaded - started, ended - began))
    print("consumers per queue:", consumers)
    for what, counts in (("routing application_received events", received_routing),
                         ("routing staff RPCs (route, answer)", staff_rpcs),
                         ("notification application_received events", received_notification),
                         ("notification application_answered events", answered_notification),
                         ("notification SMS sent (acikkapi_sms_messages_total)", sms_sent)):
        print("  {}: {}".format(what, ", ".join("{} {} ({:.0%})".format(label, counts[label], share)
                                                for label, share in _shares(counts).items())))
    handling_ms = {label: {key[1]: round(1000 * value / max(1, metrics[label][(event, key[1], "ok")]))
                           for key, value in metrics[label].items() if key[0].endswith("duration_seconds_sum")}
                   for label in metrics}
    print("  mean handling time per event (ms):", handling_ms)

    # the per-process counters are what nameko itself says each process was given
    assert all(metrics[label] for label in metrics), "a process's endpoint has none of the counters"
    assert counted == spawned, "events counted by acikkapi_event_handler_calls_total vs nameko's log"
    assert {label: handled[label]["rpc route_application"] + handled[label]["rpc answer_application"]
            for label in routing} == staff_rpcs, "RPCs counted by acikkapi_rpc_calls_total vs the rpc log lines"
    assert event_errors == dict.fromkeys(metrics, {}), "handlers failed (and were retried)"

    # (b) nothing done twice
    assert report.clean, str(report)
    texts = Counter(sms_text(message) for message in messages)
    assert [text for text, copies in texts.items() if copies > 1] == [], "an SMS reached the provider twice"
    concluded_numbers = Counter(_concluded_number(text) for text in texts)
    assert {number: concluded_numbers[number] for number in sample} == dict.fromkeys(sample, 1)
    assert len(messages) == COUNT + ANSWERED
    # exactly one delivery per event (no redelivery) and one send per message, over both processes
    assert sum(received_routing.values()) == COUNT
    assert sum(received_notification.values()) == COUNT
    assert sum(answered_notification.values()) == ANSWERED
    assert sum(staff_rpcs.values()) == 2 * ANSWERED
    assert sum(sms_sent.values()) == COUNT + ANSWERED

    # (a) the work split
    assert set(consumers.values()) == {2}, consumers
    for counts in (received_routing, received_notification, sms_sent, staff_rpcs):
        assert min(_shares(counts).values()) >= MIN_SHARE, counts
    assert exited == {}, "processes died: {}".format(exited)
