"""The services' side of Open311: routing issues and verifies client keys (only a digest kept),
intake records the client app, tracking lists public requests by province, category, period and
open/closed — on mongomock and on the embedded engine, with nothing personal read or returned."""
import hashlib
from datetime import timedelta

import mongomock
import pytest
from nameko.testing.services import worker_factory

from common import clock
from common.errors import NotFound, Unauthorized, ValidationFailed
from contracts.events import new_event
from docstore import EmbeddedClient
from services.intake.store import IntakeStore
from services.routing.accounts_store import AccountsStore
from services.routing.service import RoutingService
from services.routing.store import RoutingStore
from services.tracking import public_requests as tracking_public_requests
from services.tracking.service import TrackingService
from services.tracking.store import TrackingStore
from tests.support.fake_relay import FakeRelay
from tests.support.samples import answer_keyring, application_body, intake_worker, staff_principal

ADMIN = staff_principal("ankara.admin")


@pytest.fixture
def routing():
    database = mongomock.MongoClient(tz_aware=True).get_database("routing")
    store, accounts = RoutingStore(database), AccountsStore(database)
    store.create_indexes()
    accounts.create_indexes()
    return worker_factory(RoutingService, applications=store, accounts=accounts, publish_owed_events=lambda: None,
                          watch_deadlines=lambda: None, reference_data=None, answer_keys=answer_keyring())


def test_a_key_is_shown_once_kept_as_a_digest_and_verified(routing):
    issued = routing.create_open311_client(ADMIN, {"name": "  Şehrim Uygulaması "})

    assert issued["api_key"].startswith("ak311_") and len(issued["api_key"]) > 40
    assert issued["name"] == "Şehrim Uygulaması" and issued["created_by"] == "ankara.admin"
    [stored] = routing.accounts.open311_clients.find({})
    assert issued["api_key"] not in str(stored)
    assert stored["key_digest"] == hashlib.sha256(issued["api_key"].encode()).hexdigest()
    assert routing.authenticate_open311_client(issued["api_key"]) == {"client_id": issued["client_id"],
                                                                       "name": "Şehrim Uygulaması"}
    assert "api_key" not in routing.list_open311_clients(ADMIN)[0]


def test_unknown_and_revoked_keys_are_refused(routing):
    issued = routing.create_open311_client(ADMIN, {"name": "Eski Uygulama"})
    second = routing.create_open311_client(ADMIN, {"name": "Yeni Uygulama"})
    assert issued["api_key"] != second["api_key"]

    with pytest.raises(Unauthorized):
        routing.authenticate_open311_client(issued["api_key"] + "x")
    assert routing.update_open311_client(ADMIN, issued["client_id"], {"active": False})["active"] is False
    with pytest.raises(Unauthorized):
        routing.authenticate_open311_client(issued["api_key"])
    assert routing.authenticate_open311_client(second["api_key"])["name"] == "Yeni Uygulama"
    routing.update_open311_client(ADMIN, issued["client_id"], {"active": True})
    assert routing.authenticate_open311_client(issued["api_key"])["client_id"] == issued["client_id"]


@pytest.mark.parametrize("body, field", [({}, "name"), ({"name": "ab"}, "name"), ({"name": "Uygulama", "x": 1}, "x")])
def test_a_client_needs_a_name(routing, body, field):
    with pytest.raises(ValidationFailed) as refused:
        routing.create_open311_client(ADMIN, body)
    assert field in refused.value.fields


def test_changing_an_unknown_client_is_not_found(routing):
    with pytest.raises(NotFound):
        routing.update_open311_client(ADMIN, "nope", {"active": False})
    with pytest.raises(ValidationFailed):
        routing.update_open311_client(ADMIN, "nope", {})


def test_intake_records_the_client_and_scopes_its_idempotency_keys():
    store = IntakeStore(mongomock.MongoClient(tz_aware=True).get_database("intake"))
    store.create_indexes()
    intake = intake_worker(applications=store, publish_owed_events=FakeRelay())
    body = application_body(channel="app")
    client = {"client_id": "c1", "name": "Şehrim Uygulaması"}

    first = intake.submit_application(body, entry_point="open311", idempotency_key="k", client=client)
    again = intake.submit_application(body, entry_point="open311", idempotency_key="k", client=client)
    other = intake.submit_application(body, entry_point="open311", idempotency_key="k",
                                      client={"client_id": "c2", "name": "Başka"})

    assert first == again and other["application_no"] != first["application_no"]
    document = store.find_application(first["application_no"])
    assert document["client"] == client and document["channel"] == "app"
    assert document["idempotency_key"] == "open311/c1:k"
    with pytest.raises(ValidationFailed) as refused:
        intake.submit_application(application_body(channel="web"), entry_point="open311", client=client)
    assert "channel" in refused.value.fields
    with pytest.raises(ValueError):
        intake.submit_application(body, entry_point="open311")


# --- tracking: public requests --------------------------------------------------------------------

@pytest.fixture(params=["mongomock", "embedded"])
def tracking(request, tmp_path):
    if request.param == "mongomock":
        database = mongomock.MongoClient(tz_aware=True).get_database("tracking")
    else:
        database = EmbeddedClient("sqlite:///{}/tracking.db".format(tmp_path)).get_database("tracking")
    store = TrackingStore(database)
    store.create_indexes()
    return worker_factory(TrackingService, applications=store)


def receive(tracking, number, received_at, category="health", province_code="06", province="Ankara"):
    tracking.handle_application_received(new_event(
        "application_received", number, kind="complaint", category=category, province=province,
        province_code=province_code, district="Çankaya", channel="app", received_at=received_at,
        due_at="2026-11-27T10:15:00+03:00", statutory_due_at="2026-12-20T10:15:00+03:00", phone="+905321234567",
        tracking_code="K7M2PQ9X", language="tr", email=None))


def answer(tracking, number):
    """Routed now (the event's time), answered a minute later; returns when it was answered."""
    answered_at = clock.to_iso(clock.now() + timedelta(minutes=1), "milliseconds")
    tracking.handle_application_routed(new_event(
        "application_routed", number, unit_id="06-cankaya-health", unit_name="Çankaya İlçe Sağlık Müdürlüğü",
        routed_by="ankara.router", due_at="2026-11-27T10:15:00+03:00", step=1))
    tracking.handle_application_answered(new_event(
        "application_answered", number, unit_id="06-cankaya-health", outcome="positive",
        answer_text="Sayın Ayşe Yılmaz, randevunuz verildi.", answered_at=answered_at, step=2,
        answers_objection=False, verification_code="7KQ2M-9XH4T"))
    return clock.to_iso(clock.from_iso(answered_at))


def ask(tracking, **query):
    query = dict({"province_code": "06", "start": "2026-11-01T00:00:00+03:00", "end": "2026-11-30T00:00:00+03:00"},
                 **query)
    return [view["application_no"] for view in tracking.list_public_requests(query)]


def test_public_requests_by_period_category_status_and_number(tracking):
    receive(tracking, "2026-000001", "2026-11-20T10:15:00.000+03:00")
    receive(tracking, "2026-000002", "2026-11-21T10:15:00.000+03:00", category="transport")
    receive(tracking, "2026-000003", "2026-11-22T10:15:00.000+03:00")
    receive(tracking, "2026-000004", "2026-10-01T10:15:00.000+03:00")  # before the period
    receive(tracking, "2026-000005", "2026-11-23T10:15:00.000+03:00", province_code="34", province="İstanbul")
    answer(tracking, "2026-000003")

    assert ask(tracking) == ["2026-000003", "2026-000002", "2026-000001"]  # newest first
    assert ask(tracking, categories=["health"]) == ["2026-000003", "2026-000001"]
    assert ask(tracking, statuses=["closed"]) == ["2026-000003"]
    assert ask(tracking, statuses=["open"]) == ["2026-000002", "2026-000001"]
    assert ask(tracking, statuses=["closed", "open"], limit=2) == ["2026-000003", "2026-000002"]
    assert ask(tracking, application_nos=["2026-000004", "2026-000005", "2026-000009"]) == ["2026-000004"]
    assert ask(tracking, province_code="34") == ["2026-000005"]


def test_a_public_request_shows_status_unit_and_dates_and_nothing_personal(tracking):
    receive(tracking, "2026-000001", "2026-11-20T10:15:00.000+03:00")
    answered_at = answer(tracking, "2026-000001")

    [view] = tracking.list_public_requests({"province_code": "06", "application_nos": ["2026-000001"]})

    assert view == {"application_no": "2026-000001", "status": "answered", "category": "health",
                    "province": "Ankara", "district": "Çankaya", "received_at": "2026-11-20T10:15:00+03:00",
                    "due_at": "2026-11-27T10:15:00+03:00", "updated_at": answered_at,
                    "unit": "Çankaya İlçe Sağlık Müdürlüğü"}
    assert "answer" not in tracking_public_requests.PUBLIC_REQUEST_FIELDS
    assert "tracking_code_digest" not in tracking_public_requests.PUBLIC_REQUEST_FIELDS


@pytest.mark.parametrize("query, field", [
    ({}, "province_code"), ({"province_code": "6"}, "province_code"),
    ({"province_code": "06"}, "start"), ({"province_code": "06", "start": "2026-11-01T00:00:00", "end": "x"}, "start"),
    ({"province_code": "06", "application_nos": ["x"]}, "application_nos"),
    ({"province_code": "06", "application_nos": "2026-000001"}, "application_nos"),
    ({"province_code": "06", "statuses": ["pending"], "application_nos": ["2026-000001"]}, "statuses"),
    ({"province_code": "06", "limit": 5000, "application_nos": ["2026-000001"]}, "limit"),
])
def test_public_request_queries_are_checked(tracking, query, field):
    with pytest.raises(ValidationFailed) as refused:
        tracking.list_public_requests(query)
    assert field in refused.value.fields
