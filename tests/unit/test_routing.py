import json

import pytest
from nameko.testing.services import worker_factory

from services.routing.schemas import QueueEntry
from services.routing.service import RoutingService
from services.routing.store import RoutingStore

ISTANBUL, ANKARA = "34", "06"
PHONE = "+905321234567"
CODE = "K7M2PQ9X"


@pytest.fixture
def store(mongo_db):
    store = RoutingStore(mongo_db)
    store.create_indexes()
    return store


@pytest.fixture
def routing(store):
    return worker_factory(RoutingService, applications=store)


@pytest.fixture
def receive(routing, received_event):
    """Hands routing an application_received event for ``number`` received at ``when``."""

    def deliver(number, when="2026-03-02T10:15:00+03:00", **overrides):
        routing.handle_application_received(received_event(number, received_at=when, **overrides))

    return deliver


def numbers(entries):
    return [entry["application_no"] for entry in entries]


def test_received_event_handled_twice_makes_one_queue_entry(routing, store, received_event):
    event = received_event("2026-000001")

    routing.handle_application_received(event)
    routing.handle_application_received(event)

    assert store.applications.count_documents({}) == 1
    assert numbers(routing.list_applications(ISTANBUL)) == ["2026-000001"]


def test_redelivery_does_not_overwrite_the_entry(routing, store, receive):
    receive("2026-000001")
    store.applications.update_one({"_id": "2026-000001"}, {"$set": {"status": "routed"}})

    receive("2026-000001")

    assert store.applications.find_one({"_id": "2026-000001"})["status"] == "routed"


def test_queue_lists_the_provinces_unrouted_applications_oldest_first(routing, receive):
    receive("2026-000003", "2026-03-02T12:00:00+03:00")
    receive("2026-000001", "2026-03-01T09:00:00+03:00")
    receive("2026-000002", "2026-03-01T23:30:00+00:00")  # 2 March 02:30 in Turkey
    receive("2026-000004", "2026-03-01T08:00:00+03:00", province="Ankara", province_code=ANKARA,
            district="Çankaya")

    assert numbers(routing.list_applications(ISTANBUL)) == ["2026-000001", "2026-000002", "2026-000003"]
    assert numbers(routing.list_applications(ANKARA)) == ["2026-000004"]


def test_queue_filters_by_status(routing, store, receive):
    receive("2026-000001")
    receive("2026-000002")
    store.applications.update_one({"_id": "2026-000001"}, {"$set": {"status": "routed"}})

    assert numbers(routing.list_applications(ISTANBUL)) == ["2026-000002"]
    assert numbers(routing.list_applications(ISTANBUL, status="routed")) == ["2026-000001"]


def test_queue_returns_at_most_limit_entries(routing, receive):
    for day in range(1, 6):
        receive("2026-00000{}".format(day), "2026-03-0{}T10:00:00+03:00".format(day))

    assert numbers(routing.list_applications(ISTANBUL, limit=2)) == ["2026-000001", "2026-000002"]


def test_queue_entry_has_the_schema_fields_in_turkish_time(routing, receive):
    receive("2026-000001", "2026-03-02T07:15:00+00:00")

    [entry] = routing.list_applications(ISTANBUL)

    assert set(entry) == set(QueueEntry.__annotations__)
    assert entry["status"] == "unrouted"
    assert entry["received_at"] == "2026-03-02T10:15:00+03:00"
    assert entry["due_at"] == "2026-03-09T10:15:00+03:00"


def test_queue_entry_holds_nothing_personal(routing, store, receive):
    receive("2026-000001", phone=PHONE, tracking_code=CODE)

    stored = json.dumps(store.applications.find_one({"_id": "2026-000001"}), default=str)
    listed = json.dumps(routing.list_applications(ISTANBUL))

    for personal in (PHONE, CODE):
        assert personal not in stored
        assert personal not in listed
