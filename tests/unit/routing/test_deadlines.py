"""services/routing/deadlines.owe_deadline_events: each deadline event owed once per application."""
import threading
from datetime import datetime, timedelta

import pytest

from common import clock
from common.storage import connect
from contracts.events import CATALOGUE, ENVELOPE_FIELDS
from services.routing import deadlines, domain
from services.routing.store import RoutingStore
from tests.support.samples import SEAL, answer_keyring, received_event, staff_principal

NOW = datetime(2026, 3, 8, 12, 0, tzinfo=clock.TURKEY)
WARNING = timedelta(hours=24)
UNIT = {"unit_id": "06-health", "name": "Ankara İl Sağlık Müdürlüğü", "province_code": "06", "active": True}
ROUTER = staff_principal("ankara.router")
UNIT_OFFICER = dict(staff_principal("ankara.health"), unit_id="06-health")


@pytest.fixture
def store(mongo_db):
    store = RoutingStore(mongo_db)
    store.create_indexes()
    return store


def queue(store, number, due_at):
    """An unrouted Ankara application due at ``due_at``, received seven days before."""
    event = received_event(number, province="Ankara", province_code="06", district="Çankaya",
                           received_at=clock.to_iso(due_at - timedelta(days=7), "milliseconds"),
                           due_at=clock.to_iso(due_at))
    store.add_to_queue(domain.queued_application(event, None))


def act(store, number, decide):
    """A transition as the service applies it: decided on the stored application, written in one update."""
    assert store.apply(number, decide(store.find_application(number), NOW - timedelta(days=1)))


def route(store, number):
    act(store, number, lambda application, now: domain.route(application, UNIT, ROUTER, None, now))


def answer(store, number):
    act(store, number, lambda application, now: domain.answer(
        application, UNIT_OFFICER, "Yanıt metni yeterince uzun.", "positive", now, SEAL))


def give_back(store, number):
    act(store, number, lambda application, now: domain.return_to_router(
        application, UNIT_OFFICER, "Yanlış birim.", now))


def deadline_events(store, number):
    return [event for event in store.find_application(number).get("outbox", [])
            if event["event_name"] in domain.DEADLINE_EVENTS]


def names(events):
    return [event["event_name"] for event in events]


def test_approaching_is_owed_once_within_the_warning_window(store):
    queue(store, "2026-000001", due_at=NOW + timedelta(hours=23))

    assert deadlines.owe_deadline_events(store, NOW, WARNING) == 1
    assert deadlines.owe_deadline_events(store, NOW, WARNING) == 0
    assert deadlines.owe_deadline_events(store, NOW + timedelta(hours=22), WARNING) == 0

    assert names(deadline_events(store, "2026-000001")) == ["deadline_approaching"]
    assert store.find_application("2026-000001")["outbox_pending"] is True


def test_nothing_is_owed_before_the_warning_window(store):
    queue(store, "2026-000001", due_at=NOW + WARNING + timedelta(minutes=1))

    assert deadlines.owe_deadline_events(store, NOW, WARNING) == 0
    assert deadline_events(store, "2026-000001") == []
    assert deadlines.owe_deadline_events(store, NOW + timedelta(minutes=2), WARNING) == 1


def test_missed_is_owed_once_after_the_due_moment(store):
    due = NOW + timedelta(hours=1)
    queue(store, "2026-000001", due_at=due)
    deadlines.owe_deadline_events(store, NOW, WARNING)

    assert deadlines.owe_deadline_events(store, due - timedelta(seconds=1), WARNING) == 0
    assert deadlines.owe_deadline_events(store, due + timedelta(seconds=1), WARNING) == 1
    assert deadlines.owe_deadline_events(store, due + timedelta(days=3), WARNING) == 0

    assert names(deadline_events(store, "2026-000001")) == ["deadline_approaching", "deadline_missed"]


def test_answered_application_owes_neither(store):
    queue(store, "2026-000001", due_at=NOW + timedelta(hours=1))
    route(store, "2026-000001")
    answer(store, "2026-000001")

    assert deadlines.owe_deadline_events(store, NOW, WARNING) == 0
    assert deadlines.owe_deadline_events(store, NOW + timedelta(days=2), WARNING) == 0
    assert deadline_events(store, "2026-000001") == []


@pytest.mark.parametrize("steps", [(), (route,), (route, give_back)], ids=["unrouted", "routed", "returned"])
def test_every_open_application_owes_both(store, steps):
    queue(store, "2026-000001", due_at=NOW + timedelta(hours=1))
    for step in steps:
        step(store, "2026-000001")

    deadlines.owe_deadline_events(store, NOW, WARNING)
    deadlines.owe_deadline_events(store, NOW + timedelta(hours=2), WARNING)

    assert names(deadline_events(store, "2026-000001")) == ["deadline_approaching", "deadline_missed"]


def test_owed_events_carry_exactly_the_catalogue_fields_and_the_current_unit(store):
    due = NOW + timedelta(hours=1)
    queue(store, "2026-000001", due_at=due)
    route(store, "2026-000001")

    deadlines.owe_deadline_events(store, NOW, WARNING)
    deadlines.owe_deadline_events(store, NOW + timedelta(hours=2), WARNING)

    events = deadline_events(store, "2026-000001")
    assert len(events) == 2
    for event in events:
        assert set(event) == set(ENVELOPE_FIELDS) | set(CATALOGUE[event["event_name"]].fields)
        assert (event["application_no"], event["unit_id"]) == ("2026-000001", "06-health")
        assert event["due_at"] == clock.to_iso(due) == "2026-03-08T13:00:00+03:00"
        assert len(event["event_id"]) == 32
    assert events[0]["event_id"] != events[1]["event_id"]


def test_unrouted_application_owes_them_without_a_unit(store):
    queue(store, "2026-000001", due_at=NOW + timedelta(hours=1))

    deadlines.owe_deadline_events(store, NOW, WARNING)

    [event] = deadline_events(store, "2026-000001")
    assert event["unit_id"] is None


def test_one_pass_owes_for_every_application_that_is_due(store):
    queue(store, "2026-000001", due_at=NOW - timedelta(days=1))
    queue(store, "2026-000002", due_at=NOW + timedelta(hours=3))
    queue(store, "2026-000003", due_at=NOW + timedelta(days=3))

    assert deadlines.owe_deadline_events(store, NOW, WARNING) == 2

    assert names(deadline_events(store, "2026-000001")) == ["deadline_missed"]
    assert names(deadline_events(store, "2026-000002")) == ["deadline_approaching"]
    assert deadline_events(store, "2026-000003") == []


def test_more_than_a_batch_is_owed_over_several_passes_none_twice(store, monkeypatch):
    monkeypatch.setattr(deadlines, "BATCH", 2)
    for index in range(1, 6):
        queue(store, "2026-00000{}".format(index), due_at=NOW + timedelta(hours=index))

    counts = [deadlines.owe_deadline_events(store, NOW, WARNING) for _ in range(4)]

    assert counts == [2, 2, 1, 0]
    assert all(names(deadline_events(store, "2026-00000{}".format(index))) == ["deadline_approaching"]
               for index in range(1, 6))


def test_events_owed_by_a_transition_stay_owed_beside_the_deadline_ones(store):
    queue(store, "2026-000001", due_at=NOW + timedelta(hours=1))
    route(store, "2026-000001")

    deadlines.owe_deadline_events(store, NOW, WARNING)

    assert names(store.find_application("2026-000001")["outbox"]) == ["application_routed", "deadline_approaching"]


def test_application_first_seen_past_its_due_moment_owes_only_missed(store):
    queue(store, "2026-000001", due_at=NOW - timedelta(hours=5))

    deadlines.owe_deadline_events(store, NOW, WARNING)
    deadlines.owe_deadline_events(store, NOW + timedelta(hours=1), WARNING)

    assert names(deadline_events(store, "2026-000001")) == ["deadline_missed"]


def test_application_due_exactly_now_is_approaching_not_yet_missed(store):
    queue(store, "2026-000001", due_at=NOW)

    assert deadlines.owe_deadline_events(store, NOW, WARNING) == 1

    assert names(deadline_events(store, "2026-000001")) == ["deadline_approaching"]


@pytest.mark.parametrize("event_name, window", [
    ("deadline_approaching", (NOW, NOW + WARNING)),
    ("deadline_missed", (None, NOW)),
])
def test_deadline_window_is_the_due_range_that_owes_each_event_now(event_name, window):
    assert domain.deadline_window(event_name, NOW, WARNING) == window


def test_store_finds_only_applications_due_within_the_window(store):
    for index, due_at in enumerate((NOW - timedelta(hours=1), NOW, NOW + timedelta(hours=23),
                                    NOW + WARNING), start=1):
        queue(store, "2026-00000{}".format(index), due_at=due_at)

    approaching = store.owing_deadline("deadline_approaching", (NOW, NOW + WARNING), 10)
    missed = store.owing_deadline("deadline_missed", (None, NOW), 10)

    assert sorted(application["_id"] for application in approaching) == ["2026-000002", "2026-000003"]
    assert [application["_id"] for application in missed] == ["2026-000001"]
    assert len(store.owing_deadline("deadline_approaching", (NOW, NOW + WARNING), 1)) == 1


# --- the watcher ---------------------------------------------------------------------------------

def watcher_on(store, now):
    watcher = deadlines.DeadlineWatcher(store="applications", clock=lambda: now)
    watcher.store, watcher.warning, watcher.keyring = store, WARNING, answer_keyring()
    return watcher


def test_watcher_goes_again_at_once_while_batches_are_full(store, monkeypatch):
    monkeypatch.setattr(deadlines, "BATCH", 2)
    for index in range(1, 6):
        queue(store, "2026-00000{}".format(index), due_at=NOW - timedelta(hours=index))
    watcher = watcher_on(store, NOW)

    again = [watcher.run_once() for _ in range(3)]

    assert again == [True, True, False]
    assert all(names(deadline_events(store, "2026-00000{}".format(index))) == ["deadline_missed"]
               for index in range(1, 6))


def test_watcher_waits_for_its_interval_when_nothing_is_owed(store):
    queue(store, "2026-000001", due_at=NOW + timedelta(days=3))

    assert watcher_on(store, NOW).run_once() is False
    assert deadline_events(store, "2026-000001") == []


# --- two stores on one embedded file ------------------------------------------------------------

class ReadsTogether:
    """A store whose every candidate read waits until the other racer has read too, so both owe
    from the same list and only the store's conditional write can keep an event from being owed twice."""

    def __init__(self, store, barrier):
        self._store = store
        self._barrier = barrier

    def owing_deadline(self, event_name, window, limit):
        candidates = self._store.owing_deadline(event_name, window, limit)
        self._barrier.wait()
        return candidates

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_two_stores_on_one_embedded_file_owe_each_event_exactly_once(tmp_path):
    uri = "sqlite:///" + str(tmp_path / "r.db")
    clients = [connect(uri), connect(uri)]
    first, second = (RoutingStore(client.get_database("routing")) for client in clients)
    first.create_indexes()
    second.create_indexes()
    count = 20
    for index in range(1, count + 1):
        queue(first, "2026-{:06d}".format(index), due_at=NOW - timedelta(minutes=index))
    barrier = threading.Barrier(2, timeout=20)
    owed, failures = [], []

    def race(store):
        try:
            # within the warning window first (approaching), then past the due moment (missed)
            for moment in (NOW - timedelta(hours=1), NOW):
                owed.append(deadlines.owe_deadline_events(ReadsTogether(store, barrier), moment, WARNING))
        except Exception as failure:  # reported below; a thread's exception would otherwise vanish
            failures.append(failure)
            barrier.abort()

    threads = [threading.Thread(target=race, args=(store,)) for store in (first, second)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert failures == []
        assert sum(owed) == 2 * count
        for index in range(1, count + 1):
            events = deadline_events(second, "2026-{:06d}".format(index))
            assert sorted(names(events)) == ["deadline_approaching", "deadline_missed"]
        assert deadlines.owe_deadline_events(second, NOW, WARNING) == 0
    finally:
        for client in clients:
            client.close()
