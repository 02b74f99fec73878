"""``deadline_approaching`` and ``deadline_missed`` are owed exactly once per application, even
with two routing processes watching the same store.

(a) With an injected clock: two OS processes open the same embedded store file and run
    ``owe_deadline_events`` over the same sequence of ``now`` values; the outboxes then hold one
    event of each kind per open application, none for an answered one.
(b) With the real system: a second routing process beside the first; an application already past
    its due date and one due within the warning reach routing; our own queue on ``routing.events``
    receives ``deadline_missed`` exactly once for the first (it is no longer "approaching") and
    ``deadline_approaching`` exactly once for the second.
"""
import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections import Counter
from datetime import timedelta

from kombu import Connection, Queue, binding
from nameko.standalone.events import event_dispatcher, get_event_exchange

from common import clock
from common.storage import connect
from services.routing import domain
from services.routing.store import RoutingStore
from tests.support.processes import ROOT, wait_until
from tests.support.samples import SEAL, received_event

WARNING = timedelta(hours=24)
DUE = clock.from_iso("2030-01-10T12:00:00+03:00")  # group "soon": due DUE + i minutes
LATER = DUE + timedelta(days=2)                    # group "later": due LATER + i minutes
GROUP = 120
UNIT = {"unit_id": "06-cankaya-health", "name": "Çankaya İlçe Sağlık Müdürlüğü", "province_code": "06",
        "active": True}
OFFICER = {"username": "ankara.health", "role": "unit", "province_code": "06", "unit_id": UNIT["unit_id"]}
ROUTER = {"username": "ankara.router", "role": "router", "province_code": "06", "unit_id": None}

WATCHER = """
    import json, os, sys, time
    from datetime import timedelta
    from common import clock
    from common.storage import connect
    from services.routing.deadlines import owe_deadline_events
    from services.routing.store import RoutingStore

    uri, go_file, nows, repeats = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
    store = RoutingStore(connect(uri).get_database("routing"))
    store.create_indexes()
    while not os.path.exists(go_file):  # both processes start their passes together
        time.sleep(0.001)
    owed = {}
    for now in nows:
        owed[now] = sum(owe_deadline_events(store, clock.from_iso(now), timedelta(hours=24))
                        for _ in range(repeats))
    print(json.dumps(owed))
"""


def _run_two_watchers(uri, tmp_path, nows, repeats=3):
    go_file = tmp_path / "go-{}".format(uuid.uuid4().hex)
    args = [uri, str(go_file), json.dumps([clock.to_iso(now) for now in nows]), str(repeats)]
    workers = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(WATCHER), *args], cwd=ROOT,
                                env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(0.5)  # both imported and waiting
    go_file.touch()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out))
    return results


def _queue(store, number, due, status="unrouted"):
    event = received_event(number, province="Ankara", province_code="06", district="Çankaya", category="health",
                           received_at=clock.to_iso(due - timedelta(days=7)), due_at=clock.to_iso(due),
                           statutory_due_at=clock.to_iso(due + timedelta(days=30)))  # beyond every pass's now
    store.add_to_queue(domain.queued_application(event, UNIT))
    if status in ("routed", "returned", "answered"):
        _transition(store, number, lambda app, now: domain.route(app, UNIT, ROUTER, None, now))
    if status == "returned":
        _transition(store, number, lambda app, now: domain.return_to_router(app, OFFICER, "Yanlış birim.", now))
    if status == "answered":
        _transition(store, number, lambda app, now: domain.answer(app, OFFICER, "Gereği yapıldı, teşekkürler.",
                                                                  "positive", now, SEAL))


def _transition(store, number, decide):
    assert store.apply(number, decide(store.find_application(number), clock.now()))


def _owed(store):
    """application_no → Counter of the deadline events in its outbox."""
    owed = {}
    for application in store.applications.find({}):
        owed[application["_id"]] = Counter(event["event_name"] for event in application.get("outbox", [])
                                           if event["event_name"].startswith("deadline_"))
    return owed


def test_two_processes_with_an_injected_clock_owe_each_deadline_event_once(tmp_path):
    uri = "sqlite:///{}".format(tmp_path / "routing.db")
    store = RoutingStore(connect(uri).get_database("routing"))
    store.create_indexes()
    statuses = ("unrouted", "routed", "returned")
    soon = ["2030-1{:05d}".format(i) for i in range(GROUP)]
    later = ["2030-2{:05d}".format(i) for i in range(GROUP)]
    answered_first = ["2030-3{:05d}".format(i) for i in range(10)]
    answered_between = ["2030-4{:05d}".format(i) for i in range(10)]
    for i, number in enumerate(soon):
        _queue(store, number, DUE + timedelta(minutes=i), statuses[i % 3])
    for i, number in enumerate(later):
        _queue(store, number, LATER + timedelta(minutes=i), statuses[i % 3])
    for i, number in enumerate(answered_first):
        _queue(store, number, DUE + timedelta(minutes=i), "answered")
    for i, number in enumerate(answered_between):
        _queue(store, number, DUE + timedelta(minutes=i), "routed")

    # Before any window; inside the "soon" group's window (its due dates are 12–14 h ahead).
    first = _run_two_watchers(uri, tmp_path, [DUE - timedelta(days=3), DUE - timedelta(hours=12)])
    for number in answered_between:  # answered after the warning, before the due date
        _transition(store, number, lambda app, now: domain.answer(app, OFFICER, "Gereği yapıldı, teşekkürler.",
                                                                  "negative", now, SEAL))
    # "soon" past due; "later" inside its window; then everything past due.
    second = _run_two_watchers(uri, tmp_path, [DUE + timedelta(hours=12), DUE + timedelta(hours=13),
                                               LATER - timedelta(hours=12), LATER + timedelta(days=1)])

    owed = _owed(store)
    both = Counter({"deadline_approaching": 1, "deadline_missed": 1})
    assert {number: owed[number] for number in soon + later} == dict.fromkeys(soon + later, both)
    assert {number: owed[number] for number in answered_first} == dict.fromkeys(answered_first, Counter())
    assert {number: owed[number] for number in answered_between} == dict.fromkeys(
        answered_between, Counter({"deadline_approaching": 1}))

    before_window, inside_window = (DUE - timedelta(days=3)), (DUE - timedelta(hours=12))
    assert [result[clock.to_iso(before_window)] for result in first] == [0, 0]
    assert sum(result[clock.to_iso(inside_window)] for result in first) == GROUP + len(answered_between)
    total_owed = sum(sum(result.values()) for result in first + second)
    assert total_owed == 4 * GROUP + len(answered_between)  # each process's claims add up: no double
    for application in store.applications.find({"_id": {"$in": soon + later}}):
        for event in application["outbox"]:
            if event["event_name"].startswith("deadline_"):
                assert event["application_no"] == application["_id"]
                assert event["due_at"] == clock.to_iso(application["due_at"])
                assert event["unit_id"] == application["unit_id"]


# --- (b) the real system -------------------------------------------------------------------------

def _rpc_consumers(amqp_uri, service):
    with Connection(amqp_uri) as connection:
        return connection.default_channel.queue_declare("rpc-" + service, passive=True).consumer_count


def _drain(bound_queue, into):
    while True:
        message = bound_queue.get(no_ack=True)
        if message is None:
            return into
        into.append(message.decode())


def test_two_routing_processes_publish_each_deadline_event_once(running_system):
    config = {"AMQP_URI": running_system.amqp_uri, "serializer": "json"}
    second = running_system.start_service("routing", label="routing-2")
    try:
        wait_until(lambda: _rpc_consumers(running_system.amqp_uri, "routing") == 2, timeout=30,
                   what="second routing consuming")
        exchange = get_event_exchange("routing", config)
        with Connection(running_system.amqp_uri) as connection:
            queue = Queue("test-deadlines-" + uuid.uuid4().hex, exchange=exchange, exclusive=True,
                          auto_delete=True, bindings=[binding(exchange, routing_key=name)
                                                      for name in ("deadline_approaching", "deadline_missed")])
            bound = queue(connection.channel())
            bound.declare()

            serial = uuid.uuid4().int % 10 ** 4
            overdue, soon = "2026-6{:05d}".format(serial), "2026-6{:05d}".format(serial + 10 ** 4)
            due = {overdue: clock.now() - timedelta(days=1), soon: clock.now() + timedelta(hours=1)}
            for number in (overdue, soon):
                received_at = due[number] - timedelta(days=7)
                event_dispatcher(config)("intake", "application_received", received_event(
                    number, province="Ankara", province_code="06", district="Çankaya", category="health",
                    received_at=clock.to_iso(received_at), due_at=clock.to_iso(due[number])))

            events = []

            def both_arrived():
                names = {(event["application_no"], event["event_name"]) for event in _drain(bound, events)}
                return {(overdue, "deadline_missed"), (soon, "deadline_approaching")} <= names

            wait_until(both_arrived, timeout=10, interval=0.2, what="both deadline events")
            time.sleep(3)  # a duplicate from the other process would arrive well within this
            _drain(bound, events)
    finally:
        second.stop()

    mine = {number: [event for event in events if event["application_no"] == number] for number in due}
    assert Counter(event["event_name"] for event in mine[overdue]) == {"deadline_missed": 1}
    assert Counter(event["event_name"] for event in mine[soon]) == {"deadline_approaching": 1}
    assert len({event["event_id"] for event in mine[overdue] + mine[soon]}) == 2
    for number, owed in mine.items():
        assert all(event["due_at"] == clock.to_iso(due[number]) for event in owed)
        assert all(event["unit_id"] is None for event in owed)  # still unrouted
