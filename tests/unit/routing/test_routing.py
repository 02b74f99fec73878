"""RoutingService through its entrypoints, on a real RoutingStore (mongomock, seeded catalogue)."""
import json
from datetime import timedelta

import pytest
from nameko.testing.services import worker_factory

from common import clock
from common.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from contracts.events import CATALOGUE, ENVELOPE_FIELDS
from services.routing.passwords import verify_password
from services.routing.service import RoutingService
from tests.support.samples import APPLICANT_PHONE_E164, PASSWORD, TRACKING_CODE, answer_keyring, staff_principal

ROUTER = staff_principal("ankara.router")
HEALTH = staff_principal("ankara.health")  # unit officer of 06-cankaya-health
EDUCATION = staff_principal("ankara.education")  # unit officer of 06-national_education
ADMIN = staff_principal("ankara.admin")
ISTANBUL_ROUTER = staff_principal("istanbul.router")
ISTANBUL_ADMIN = staff_principal("istanbul.admin")

CANKAYA_HEALTH = "06-cankaya-health"
ANKARA_EDUCATION = "06-national_education"
ANSWER = {"text": "Sağlık ocağının çalışma saatleri uzatıldı.", "outcome": "positive"}
REASON = {"reason": "Bu konu il müdürlüğünün işidir."}
NEW_PASSWORD = "yepyeni-parola-456"


@pytest.fixture
def relay_kick(routing_store, kick_counter):
    """Counts kicks and notes, at each, the events every stored application owes."""
    kick_counter.on_kick = lambda: {
        document["_id"]: [event["event_name"] for event in document.get("outbox", [])]
        for document in routing_store.applications.find({"outbox_pending": True})
    }
    return kick_counter


def make_worker(store, relay_kick):
    return worker_factory(RoutingService, applications=store, accounts=store, publish_owed_events=relay_kick,
                          watch_deadlines=lambda: None, reference_data=None, answer_keys=answer_keyring())


@pytest.fixture
def routing(routing_store, relay_kick):
    return make_worker(routing_store, relay_kick)


def receive(routing, number, district="Çankaya", category="health", received_ago=timedelta(days=1),
            due_in=timedelta(days=6), **overrides):
    """Hands routing the application_received of an Ankara application and returns the event."""
    from tests.support.samples import received_event

    now = clock.now()
    event = received_event(
        number, province="Ankara", province_code="06", district=district, category=category,
        received_at=clock.to_iso(now - received_ago, "milliseconds"), due_at=clock.to_iso(now + due_in),
        **overrides)
    routing.handle_application_received(event)
    return event


def stored(routing_store, number):
    return routing_store.find_application(number)


def owed(routing_store, number):
    return stored(routing_store, number).get("outbox", [])


def clear_outbox(routing_store):
    """What the relay leaves once the broker confirmed everything."""
    routing_store.applications.update_many({}, {"$set": {"outbox": [], "outbox_pending": False}})


def numbers(page):
    return [item["application_no"] for item in page["items"]]


def add_account(routing_store, password_hash, username, active=True):
    from tests.support.samples import STAFF_ACCOUNTS

    [account] = [account for account in STAFF_ACCOUNTS if account["username"] == username]
    routing_store.insert_staff({
        "_id": username, "role": account["role"], "province_code": account["province"],
        "unit_id": account.get("unit_id"), "password_hash": password_hash, "active": active,
        "created_at": clock.now(),
    })


def staff_units(routing_store, *unit_ids, active=True):
    """An officer at each unit (only a staffed unit is suggested); returns their usernames."""
    usernames = []
    for unit_id in unit_ids:
        username = "officer.{}".format(unit_id)
        routing_store.insert_staff({"_id": username, "role": "unit", "province_code": unit_id.split("-")[0],
                                    "unit_id": unit_id, "password_hash": None, "active": active,
                                    "created_at": clock.now()})
        usernames.append(username)
    return usernames


# The units the suggestions below land on, each with an officer.
SUGGESTED_UNITS = (CANKAYA_HEALTH, "06-health", ANKARA_EDUCATION, "06-cankaya-municipality", "06-governorship")


@pytest.fixture
def staffed(routing_store):
    return staff_units(routing_store, *SUGGESTED_UNITS)


def exactly_the_catalogue_fields(event):
    return set(event) == set(ENVELOPE_FIELDS) | set(CATALOGUE[event["event_name"]].fields)


# --- the queue entry ---------------------------------------------------------------------------

def test_received_event_twice_makes_one_entry_with_the_suggested_unit(routing, routing_store, staffed):
    event = receive(routing, "2026-000001")
    routing.handle_application_received(event)

    page = routing.list_applications(ROUTER, {})

    assert page["total"] == 1
    [entry] = page["items"]
    assert entry["status"] == "unrouted"
    assert entry["unit"] is None
    assert entry["suggested_unit"] == {"unit_id": CANKAYA_HEALTH, "name": "Çankaya İlçe Sağlık Müdürlüğü"}
    assert routing_store.applications.count_documents({}) == 1


def test_queue_entry_keeps_nothing_personal(routing, routing_store):
    receive(routing, "2026-000001")

    document = json.dumps(stored(routing_store, "2026-000001"), default=str, ensure_ascii=False)

    assert APPLICANT_PHONE_E164 not in document
    assert TRACKING_CODE not in document


@pytest.mark.parametrize("district, category, suggested", [
    ("Çankaya", "health", CANKAYA_HEALTH),
    ("Polatlı", "education", ANKARA_EDUCATION),
    ("Çankaya", "transport", "06-cankaya-municipality"),
    ("Polatlı", "other", "06-governorship"),
])
def test_suggested_unit_follows_district_and_category(routing, staffed, district, category, suggested):
    receive(routing, "2026-000001", district=district, category=category)

    assert routing.get_application(ROUTER, "2026-000001")["suggested_unit"]["unit_id"] == suggested


def test_deactivated_unit_is_no_longer_suggested(routing, staffed):
    routing.update_unit(ADMIN, CANKAYA_HEALTH, {"active": False})

    receive(routing, "2026-000001")

    assert routing.get_application(ROUTER, "2026-000001")["suggested_unit"]["unit_id"] == "06-health"


def test_a_unit_deactivated_by_another_process_is_no_longer_suggested(routing, routing_store, mongo_db, staffed):
    """Each process keeps a copy of the active units (RoutingStore.active_units); a change made
    through another process's store must reach this one's next suggestion."""
    from services.routing.store import RoutingStore

    receive(routing, "2026-000001")  # this process's copy now holds Çankaya's health unit
    RoutingStore(mongo_db).update_unit(CANKAYA_HEALTH, {"active": False})

    receive(routing, "2026-000002")

    assert routing.get_application(ROUTER, "2026-000001")["suggested_unit"]["unit_id"] == CANKAYA_HEALTH
    assert routing.get_application(ROUTER, "2026-000002")["suggested_unit"]["unit_id"] == "06-health"


# --- scope -------------------------------------------------------------------------------------

def test_another_provinces_officer_sees_nothing(routing):
    receive(routing, "2026-000001")

    assert routing.list_applications(ISTANBUL_ROUTER, {}) == {
        "items": [], "total": 0, "page": 1, "page_size": 20,
        "counts": {"unrouted": 0, "routed": 0, "returned": 0, "answered": 0, "open": 0}}
    with pytest.raises(NotFound):
        routing.get_application(ISTANBUL_ROUTER, "2026-000001")


def test_unknown_application_is_not_found(routing):
    with pytest.raises(NotFound):
        routing.get_application(ROUTER, "2026-999999")


@pytest.fixture
def four_applications(routing):
    """…01 routed to Çankaya health, …02 routed to education, …03 unrouted, …04 answered by health."""
    for index in range(1, 5):
        receive(routing, "2026-00000{}".format(index), received_ago=timedelta(hours=10 - index))
    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})
    routing.route_application(ROUTER, "2026-000002", {"unit_id": ANKARA_EDUCATION})
    routing.route_application(ROUTER, "2026-000004", {"unit_id": CANKAYA_HEALTH})
    routing.answer_application(HEALTH, "2026-000004", ANSWER)


def test_unit_officer_sees_only_what_is_routed_to_or_answered_by_their_unit(routing, four_applications):
    assert sorted(numbers(routing.list_applications(HEALTH, {}))) == ["2026-000001", "2026-000004"]
    assert numbers(routing.list_applications(EDUCATION, {})) == ["2026-000002"]
    for invisible in ("2026-000002", "2026-000003"):
        with pytest.raises(NotFound):
            routing.get_application(HEALTH, invisible)


def test_unit_officer_cannot_widen_the_queue_with_filters(routing, four_applications):
    page = routing.list_applications(HEALTH, {"unit_id": ANKARA_EDUCATION, "status": "unrouted"})

    assert page["items"] == [] and page["total"] == 0
    assert sorted(numbers(routing.list_applications(HEALTH, {"unit_id": ANKARA_EDUCATION}))) == [
        "2026-000001", "2026-000004"]


def test_returned_application_leaves_the_units_sight(routing, four_applications):
    routing.return_application(HEALTH, "2026-000001", REASON)

    assert numbers(routing.list_applications(HEALTH, {})) == ["2026-000004"]
    with pytest.raises(NotFound):
        routing.get_application(HEALTH, "2026-000001")
    assert routing.get_application(ROUTER, "2026-000001")["status"] == "returned"


# --- filters, sort, pages ----------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ({"status": "routed"}, ["2026-000001", "2026-000002"]),
    ({"status": "unrouted"}, ["2026-000003"]),
    ({"status": "ANSWERED"}, ["2026-000004"]),
    ({"unit_id": CANKAYA_HEALTH}, ["2026-000001", "2026-000004"]),
    ({"unit_id": CANKAYA_HEALTH, "status": "routed"}, ["2026-000001"]),
    ({"unit_id": "06-police"}, []),
])
def test_router_filters_by_status_and_unit(routing, four_applications, query, expected):
    page = routing.list_applications(ROUTER, query)

    assert sorted(numbers(page)) == expected
    assert page["total"] == len(expected)


@pytest.fixture
def due_and_overdue(routing):
    """…01 overdue and unrouted, …02 overdue but answered, …03 not yet due."""
    receive(routing, "2026-000001", received_ago=timedelta(days=9), due_in=-timedelta(days=2))
    receive(routing, "2026-000002", received_ago=timedelta(days=8), due_in=-timedelta(days=1))
    receive(routing, "2026-000003", received_ago=timedelta(days=1), due_in=timedelta(days=6))
    routing.route_application(ROUTER, "2026-000002", {"unit_id": CANKAYA_HEALTH})
    routing.answer_application(HEALTH, "2026-000002", ANSWER)


@pytest.mark.parametrize("flag, expected", [
    ("true", ["2026-000001"]), ("TRUE", ["2026-000001"]), ("false", ["2026-000002", "2026-000003"]),
])
def test_overdue_filter_counts_only_open_applications_past_due(routing, due_and_overdue, flag, expected):
    assert sorted(numbers(routing.list_applications(ROUTER, {"overdue": flag}))) == expected


def test_queue_entries_say_whether_they_are_overdue(routing, due_and_overdue):
    overdue = {item["application_no"]: item["overdue"] for item in routing.list_applications(ROUTER, {})["items"]}

    assert overdue == {"2026-000001": True, "2026-000002": False, "2026-000003": False}


def test_queue_is_newest_first_by_default_and_by_due_date_when_asked(routing):
    receive(routing, "2026-000001", received_ago=timedelta(days=3), due_in=timedelta(days=4))
    receive(routing, "2026-000002", received_ago=timedelta(days=1), due_in=timedelta(days=20))
    receive(routing, "2026-000003", received_ago=timedelta(days=2), due_in=timedelta(days=1))

    assert numbers(routing.list_applications(ROUTER, {})) == ["2026-000002", "2026-000003", "2026-000001"]
    assert numbers(routing.list_applications(ROUTER, {"sort": "newest"})) == [
        "2026-000002", "2026-000003", "2026-000001"]
    assert numbers(routing.list_applications(ROUTER, {"sort": "due"})) == ["2026-000003", "2026-000001", "2026-000002"]


def test_queue_pages(routing):
    for index in range(1, 6):
        receive(routing, "2026-00000{}".format(index), received_ago=timedelta(hours=index))

    first = routing.list_applications(ROUTER, {"page_size": "2"})
    third = routing.list_applications(ROUTER, {"page": "3", "page_size": "2"})
    beyond = routing.list_applications(ROUTER, {"page": "4", "page_size": "2"})

    assert (numbers(first), first["total"], first["page"], first["page_size"]) == (
        ["2026-000001", "2026-000002"], 5, 1, 2)
    assert (numbers(third), third["total"], third["page"]) == (["2026-000005"], 5, 3)
    assert (beyond["items"], beyond["total"]) == ([], 5)


@pytest.mark.parametrize("query, field", [
    ({"status": "closed"}, "status"),
    ({"overdue": "yes"}, "overdue"),
    ({"page": "0"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page_size": "101"}, "page_size"),
    ({"page_size": "ten"}, "page_size"),
    ({"sort": "oldest"}, "sort"),
    ({"province": "34"}, "province"),
])
def test_bad_query_value_is_refused_naming_the_field(routing, query, field):
    with pytest.raises(ValidationFailed) as refused:
        routing.list_applications(ROUTER, query)

    assert list(refused.value.fields) == [field]


# --- transitions -------------------------------------------------------------------------------

def assert_owes_exactly(routing_store, relay_kick, number, event_name):
    """The one event the transition owes, with exactly its catalogue fields, stored before the kick."""
    [event] = owed(routing_store, number)
    assert event["event_name"] == event_name
    assert exactly_the_catalogue_fields(event)
    assert event["application_no"] == number
    assert stored(routing_store, number)["outbox_pending"] is True
    assert relay_kick.count == 1
    assert relay_kick.observed == [{number: [event_name]}]
    return event


def _route(routing, principal, number):
    return routing.route_application(principal, number, {"unit_id": CANKAYA_HEALTH})


def _answer(routing, principal, number):
    return routing.answer_application(principal, number, ANSWER)


def _return(routing, principal, number):
    return routing.return_application(principal, number, REASON)


STATES = {
    "unrouted": [],
    "routed": [(_route, ROUTER)],
    "answered": [(_route, ROUTER), (_answer, HEALTH)],
    "returned": [(_route, ROUTER), (_return, HEALTH)],
}


class RecordingWrites:
    """The applications collection, noting every write made through it."""

    def __init__(self, collection):
        self.collection = collection
        self.writes = []

    def _write(self, name):
        def write(*args, **kwargs):
            self.writes.append((name, args))
            return getattr(self.collection, name)(*args, **kwargs)
        return write

    def __getattr__(self, name):
        if name in ("update_one", "update_many", "insert_one", "insert_many", "replace_one", "delete_one",
                    "delete_many", "find_one_and_update", "find_one_and_replace", "bulk_write"):
            return self._write(name)
        return getattr(self.collection, name)


@pytest.mark.parametrize("steps, act, event_name, status", [
    ([], lambda routing: _route(routing, ROUTER, "2026-000001"), "application_routed", "routed"),
    ([(_route, ROUTER)], lambda routing: _return(routing, HEALTH, "2026-000001"), "application_returned", "returned"),
    ([(_route, ROUTER)], lambda routing: _answer(routing, HEALTH, "2026-000001"), "application_answered", "answered"),
    ([], lambda routing: routing.record_contact(ROUTER, "2026-000001", {"channel": "sms", "note": "Yazıldı."}),
     "applicant_contacted", "unrouted"),
], ids=["route", "return", "answer", "contact"])
def test_transition_and_its_event_are_one_document_write(routing, routing_store, steps, act, event_name, status):
    receive(routing, "2026-000001")
    for step, officer in steps:
        step(routing, officer, "2026-000001")
    clear_outbox(routing_store)
    recording = routing_store.applications = RecordingWrites(routing_store.applications)

    act(routing)

    [(operation, (filter, update))] = recording.writes
    assert operation == "update_one" and filter["_id"] == "2026-000001"
    assert [event["event_name"] for event in update["$push"]["outbox"]["$each"]] == [event_name]
    assert update["$set"]["outbox_pending"] is True
    assert update["$set"].get("status", status) == status
    assert "timeline" in update["$push"]


def test_route_from_unrouted(routing, routing_store, relay_kick):
    receive(routing, "2026-000001")

    record = routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH, "note": "acil"})

    assert record["status"] == "routed"
    assert record["unit"] == {"unit_id": CANKAYA_HEALTH, "name": "Çankaya İlçe Sağlık Müdürlüğü"}
    event = assert_owes_exactly(routing_store, relay_kick, "2026-000001", "application_routed")
    assert (event["unit_id"], event["unit_name"], event["routed_by"]) == (
        CANKAYA_HEALTH, "Çankaya İlçe Sağlık Müdürlüğü", "ankara.router")
    assert event["due_at"] == record["due_at"]
    routed = record["timeline"][-1]
    assert (routed["action"], routed["by"], routed["unit_id"], routed["note"]) == (
        "routed", "ankara.router", CANKAYA_HEALTH, "acil")


def test_unit_returns_a_routed_application(routing, routing_store, relay_kick):
    receive(routing, "2026-000001")
    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})
    clear_outbox(routing_store)
    relay_kick.count, relay_kick.observed = 0, []

    routing.return_application(HEALTH, "2026-000001", REASON)

    record = routing.get_application(ROUTER, "2026-000001")
    assert record["status"] == "returned"
    assert record["unit"] is None
    event = assert_owes_exactly(routing_store, relay_kick, "2026-000001", "application_returned")
    assert (event["unit_id"], event["reason"]) == (CANKAYA_HEALTH, REASON["reason"])
    returned = record["timeline"][-1]
    assert (returned["action"], returned["by"], returned["reason"], returned["unit_id"]) == (
        "returned", "ankara.health", REASON["reason"], CANKAYA_HEALTH)


def test_returned_application_is_routed_again(routing, routing_store, relay_kick):
    receive(routing, "2026-000001")
    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})
    routing.return_application(HEALTH, "2026-000001", REASON)
    clear_outbox(routing_store)
    relay_kick.count, relay_kick.observed = 0, []

    record = routing.route_application(ROUTER, "2026-000001", {"unit_id": ANKARA_EDUCATION})

    assert (record["status"], record["unit"]["unit_id"]) == ("routed", ANKARA_EDUCATION)
    event = assert_owes_exactly(routing_store, relay_kick, "2026-000001", "application_routed")
    assert event["unit_id"] == ANKARA_EDUCATION
    assert routing.get_application(EDUCATION, "2026-000001")["status"] == "routed"


def test_unit_answers_a_routed_application(routing, routing_store, relay_kick):
    receive(routing, "2026-000001")
    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})
    clear_outbox(routing_store)
    relay_kick.count, relay_kick.observed = 0, []

    record = routing.answer_application(HEALTH, "2026-000001", ANSWER)

    assert record["status"] == "answered"
    assert (record["answer"]["text"], record["answer"]["outcome"], record["answer"]["by"]) == (
        ANSWER["text"], "positive", "ankara.health")
    event = assert_owes_exactly(routing_store, relay_kick, "2026-000001", "application_answered")
    assert (event["unit_id"], event["outcome"], event["answer_text"]) == (CANKAYA_HEALTH, "positive", ANSWER["text"])
    assert clock.from_iso(event["answered_at"]).utcoffset() == timedelta(hours=3)
    answered = record["timeline"][-1]
    assert (answered["action"], answered["by"], answered["outcome"]) == ("answered", "ankara.health", "positive")


@pytest.mark.parametrize("officer", [ROUTER, HEALTH], ids=["router", "unit"])
def test_contact_is_logged_without_changing_the_status(routing, routing_store, relay_kick, officer):
    receive(routing, "2026-000001")
    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})
    clear_outbox(routing_store)
    relay_kick.count, relay_kick.observed = 0, []

    record = routing.record_contact(officer, "2026-000001", {"channel": "phone", "note": "Başvuru sahibi arandı."})

    assert record["status"] == "routed"
    [contact] = record["contacts"]
    assert (contact["channel"], contact["note"], contact["by"]) == (
        "phone", "Başvuru sahibi arandı.", officer["username"])
    event = assert_owes_exactly(routing_store, relay_kick, "2026-000001", "applicant_contacted")
    assert (event["channel"], event["contacted_by"]) == ("phone", officer["username"])
    assert (record["timeline"][-1]["action"], record["timeline"][-1]["by"]) == ("contacted", officer["username"])


def test_router_may_contact_an_unrouted_applicant(routing):
    receive(routing, "2026-000001")

    record = routing.record_contact(ROUTER, "2026-000001", {"channel": "in_person", "note": "Masada görüşüldü."})

    assert (record["status"], len(record["contacts"])) == ("unrouted", 1)


def test_whole_history_says_who_did_what_and_why(routing):
    receive(routing, "2026-000001")
    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})
    routing.return_application(HEALTH, "2026-000001", REASON)
    routing.route_application(ROUTER, "2026-000001", {"unit_id": ANKARA_EDUCATION, "note": "il müdürlüğü"})
    routing.answer_application(EDUCATION, "2026-000001", ANSWER)

    timeline = routing.get_application(ROUTER, "2026-000001")["timeline"]

    assert [(entry["action"], entry["by"]) for entry in timeline] == [
        ("received", None), ("routed", "ankara.router"), ("returned", "ankara.health"),
        ("routed", "ankara.router"), ("answered", "ankara.education")]
    assert timeline[2]["reason"] == REASON["reason"]
    assert timeline[3]["note"] == "il müdürlüğü"
    assert all(entry["at"].endswith("+03:00") for entry in timeline)


def test_each_transition_counts_one_step_on_the_application_and_in_its_event(routing, routing_store):
    receive(routing, "2026-000001")
    assert stored(routing_store, "2026-000001").get("step", 0) == 0

    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})
    routing.record_contact(HEALTH, "2026-000001", {"channel": "phone", "note": "Arandı."})
    routing.return_application(HEALTH, "2026-000001", REASON)
    routing.route_application(ROUTER, "2026-000001", {"unit_id": ANKARA_EDUCATION})
    routing.answer_application(EDUCATION, "2026-000001", ANSWER)

    assert [(event["event_name"], event["step"]) for event in owed(routing_store, "2026-000001")] == [
        ("application_routed", 1), ("applicant_contacted", 2), ("application_returned", 3),
        ("application_routed", 4), ("application_answered", 5)]
    assert stored(routing_store, "2026-000001")["step"] == 5


@pytest.mark.parametrize("state, action, principal", [
    ("unrouted", _answer, ROUTER),
    ("returned", _answer, ROUTER),
    ("answered", _answer, HEALTH),
    ("answered", _route, ROUTER),
    ("routed", _route, ROUTER),
    ("unrouted", _return, ROUTER),
    ("returned", _return, ROUTER),
    ("answered", _return, HEALTH),
], ids=lambda value: value if isinstance(value, str) else getattr(value, "__name__", None) or value["username"])
def test_impossible_transition_is_a_conflict_and_changes_nothing(
        routing, routing_store, relay_kick, state, action, principal):
    receive(routing, "2026-000001")
    for step, officer in STATES[state]:
        step(routing, officer, "2026-000001")
    clear_outbox(routing_store)
    relay_kick.count = 0
    before = stored(routing_store, "2026-000001")

    with pytest.raises(Conflict) as conflict:
        action(routing, principal, "2026-000001")

    assert conflict.value.code == "invalid_transition"
    assert stored(routing_store, "2026-000001") == before
    assert relay_kick.count == 0


@pytest.mark.parametrize("state", ["unrouted", "returned"])
def test_unit_officer_acting_on_what_is_not_routed_to_them_gets_not_found(routing, state):
    receive(routing, "2026-000001")
    for step, officer in STATES[state]:
        step(routing, officer, "2026-000001")

    with pytest.raises(NotFound):
        routing.answer_application(HEALTH, "2026-000001", ANSWER)
    with pytest.raises(NotFound):
        routing.return_application(HEALTH, "2026-000001", REASON)


def test_officer_of_another_province_cannot_act(routing, routing_store):
    receive(routing, "2026-000001")

    with pytest.raises(NotFound):
        routing.route_application(ISTANBUL_ROUTER, "2026-000001", {"unit_id": "34-health"})
    assert owed(routing_store, "2026-000001") == []


@pytest.mark.parametrize("unit_id", ["34-health", "06-no-such-unit"], ids=["other-province", "unknown"])
def test_route_to_a_unit_outside_the_province_is_unit_not_available(routing, routing_store, relay_kick, unit_id):
    receive(routing, "2026-000001")

    with pytest.raises(Conflict) as conflict:
        routing.route_application(ROUTER, "2026-000001", {"unit_id": unit_id})

    assert conflict.value.code == "unit_not_available"
    assert stored(routing_store, "2026-000001")["status"] == "unrouted"
    assert relay_kick.count == 0


def test_route_to_a_deactivated_unit_is_unit_not_available(routing, routing_store):
    receive(routing, "2026-000001")
    routing.update_unit(ADMIN, CANKAYA_HEALTH, {"active": False})

    with pytest.raises(Conflict) as conflict:
        routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})

    assert conflict.value.code == "unit_not_available"
    assert owed(routing_store, "2026-000001") == []


@pytest.mark.parametrize("body, field", [
    ({}, "unit_id"), ({"unit_id": CANKAYA_HEALTH, "status": "routed"}, "status")])
def test_route_body_is_validated(routing, body, field):
    receive(routing, "2026-000001")

    with pytest.raises(ValidationFailed) as refused:
        routing.route_application(ROUTER, "2026-000001", body)

    assert field in refused.value.fields


class ChangedUnderfoot:
    """The store as one officer's worker sees it when another officer's write lands between this
    worker's read of the application and its own write."""

    def __init__(self, store, meanwhile):
        self._store = store
        self._meanwhile = meanwhile

    def apply(self, application_no, transition):
        meanwhile, self._meanwhile = self._meanwhile, None
        if meanwhile is not None:
            meanwhile()
        return self._store.apply(application_no, transition)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_concurrent_change_is_state_changed_and_only_the_first_write_counts(routing, routing_store, kick_counter):
    receive(routing, "2026-000001")
    other_router = dict(ROUTER, username="ankara.router2")
    slow = make_worker(ChangedUnderfoot(routing_store, lambda: routing.route_application(
        other_router, "2026-000001", {"unit_id": ANKARA_EDUCATION})), kick_counter)

    with pytest.raises(Conflict) as conflict:
        slow.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})

    assert conflict.value.code == "state_changed"
    document = stored(routing_store, "2026-000001")
    assert (document["status"], document["unit_id"]) == ("routed", ANKARA_EDUCATION)
    assert [event["routed_by"] for event in document["outbox"]] == ["ankara.router2"]
    assert [entry["action"] for entry in document["timeline"]] == ["received", "routed"]


def test_answer_racing_a_return_is_state_changed(routing, routing_store, kick_counter):
    receive(routing, "2026-000001")
    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})
    colleague = dict(HEALTH, username="ankara.health2")
    slow = make_worker(ChangedUnderfoot(routing_store, lambda: routing.return_application(
        colleague, "2026-000001", REASON)), kick_counter)

    with pytest.raises(Conflict) as conflict:
        slow.answer_application(HEALTH, "2026-000001", ANSWER)

    assert conflict.value.code == "state_changed"
    assert stored(routing_store, "2026-000001")["answer"] is None
    assert [event["event_name"] for event in owed(routing_store, "2026-000001")] == [
        "application_routed", "application_returned"]


# --- authentication ----------------------------------------------------------------------------

def test_right_password_gives_the_principal(routing, routing_store, password_hash):
    add_account(routing_store, password_hash, "ankara.health")

    assert routing.authenticate("ankara.health", PASSWORD) == HEALTH
    assert routing.authenticate("  Ankara.Health ", PASSWORD) == HEALTH


def test_wrong_unknown_and_inactive_are_the_same_unauthorized(routing, routing_store, password_hash):
    add_account(routing_store, password_hash, "ankara.router")
    add_account(routing_store, password_hash, "ankara.admin", active=False)
    refusals = []

    for username, password in (("ankara.router", PASSWORD + "x"), ("nobody.here", PASSWORD),
                               ("ankara.admin", PASSWORD), ("ankara.router", "")):
        with pytest.raises(Unauthorized) as refused:
            routing.authenticate(username, password)
        refusals.append(refused.value.args)

    assert refusals == [()] * 4


# --- units -------------------------------------------------------------------------------------

UNIT_VIEW_FIELDS = {"unit_id", "province_code", "province", "district", "type", "name", "name_en", "active",
                    "active_officers"}


@pytest.mark.parametrize("province", [None, "", "06", "ankara", "ANKARA"])
def test_units_listed_are_the_officers_provinces(routing, province):
    units = routing.list_units(ROUTER, province)

    assert {unit["province_code"] for unit in units} == {"06"}
    assert CANKAYA_HEALTH in {unit["unit_id"] for unit in units}
    assert all(set(unit) == UNIT_VIEW_FIELDS for unit in units)


@pytest.mark.parametrize("province", ["34", "istanbul"])
def test_units_of_another_province_are_not_found(routing, province):
    with pytest.raises(NotFound):
        routing.list_units(ROUTER, province)


@pytest.mark.parametrize("province", ["narnia", "82", "0"])
def test_units_of_an_unknown_province_are_refused_as_a_client_error(routing, province):
    with pytest.raises(ValidationFailed) as refused:
        routing.list_units(ROUTER, province)

    assert list(refused.value.fields) == ["province"]


@pytest.mark.parametrize("province", [None, "", "06", "6", "Ankara"])
def test_units_of_the_officers_own_province_however_asked(routing, province):
    assert {unit["unit_id"] for unit in routing.list_units(ROUTER, province)} == {
        unit["unit_id"] for unit in routing.list_units(ROUTER)}


def test_admin_creates_a_unit_of_their_own_province(routing):
    unit = routing.create_unit(ADMIN, {"name": "Ankara Şehir Hastanesi", "type": "health", "district": "Çankaya"})

    assert unit["unit_id"].startswith("06-custom-")
    assert (unit["province_code"], unit["province"], unit["name"], unit["name_en"], unit["active"]) == (
        "06", "Ankara", "Ankara Şehir Hastanesi", "Ankara Şehir Hastanesi", True)
    assert unit["unit_id"] in {listed["unit_id"] for listed in routing.list_units(ADMIN)}
    assert unit["unit_id"] not in {listed["unit_id"] for listed in routing.list_units(ISTANBUL_ADMIN)}


def test_created_units_get_their_own_ids(routing):
    first = routing.create_unit(ADMIN, {"name": "Birim Bir", "type": "health"})
    second = routing.create_unit(ADMIN, {"name": "Birim Bir", "type": "health"})

    assert first["unit_id"] != second["unit_id"]


def test_created_unit_is_routable(routing):
    unit = routing.create_unit(ADMIN, {"name": "Ankara Şehir Hastanesi", "type": "health"})
    receive(routing, "2026-000001")

    record = routing.route_application(ROUTER, "2026-000001", {"unit_id": unit["unit_id"]})

    assert record["unit"] == {"unit_id": unit["unit_id"], "name": "Ankara Şehir Hastanesi"}


def test_unit_an_admin_adds_does_not_displace_the_seeded_suggestion(routing, routing_store, staffed):
    added = routing.create_unit(ADMIN, {"name": "Özel Hastane", "type": "health"})
    staff_units(routing_store, added["unit_id"])

    receive(routing, "2026-000001", district="Polatlı", category="health")

    assert routing.get_application(ROUTER, "2026-000001")["suggested_unit"]["unit_id"] == "06-health"


def test_unit_an_admin_adds_is_suggested_once_the_seeded_one_is_deactivated(routing, routing_store, staffed):
    added = routing.create_unit(ADMIN, {"name": "Özel Hastane", "type": "health"})
    staff_units(routing_store, added["unit_id"])
    routing.update_unit(ADMIN, "06-health", {"active": False})

    receive(routing, "2026-000001", district="Polatlı", category="health")

    assert routing.get_application(ROUTER, "2026-000001")["suggested_unit"]["unit_id"] == added["unit_id"]


@pytest.mark.parametrize("body, field", [
    ({"type": "health"}, "name"), ({"name": "Yeni Birim"}, "type"),
    ({"name": "Yeni Birim", "type": "health", "province": "34"}, "province"),
    ({"name": "Yeni Birim", "type": "health", "unit_id": "06-mine"}, "unit_id"),
    ({"name": "Yeni Birim", "type": "hospital"}, "type"),
    ({"name": "Yeni Birim", "type": "06-health"}, "type"),
    ({"name": "Yeni Birim", "type": "health", "district": "Kadıköy"}, "district"),
    ({"name": "Yeni Birim", "type": "health", "district": "Narnia"}, "district"),
])
def test_unit_body_is_validated(routing, routing_store, body, field):
    count = routing_store.units.count_documents({})

    with pytest.raises(ValidationFailed) as refused:
        routing.create_unit(ADMIN, body)

    assert field in refused.value.fields
    assert routing_store.units.count_documents({}) == count


def test_admin_renames_and_deactivates_a_unit(routing):
    renamed = routing.update_unit(ADMIN, CANKAYA_HEALTH, {"name": "Çankaya Sağlık", "name_en": "Cankaya Health"})
    deactivated = routing.update_unit(ADMIN, CANKAYA_HEALTH, {"active": False})

    assert (renamed["name"], renamed["name_en"], renamed["active"]) == ("Çankaya Sağlık", "Cankaya Health", True)
    assert (deactivated["name"], deactivated["active"]) == ("Çankaya Sağlık", False)
    [listed] = [unit for unit in routing.list_units(ADMIN) if unit["unit_id"] == CANKAYA_HEALTH]
    assert listed == deactivated


@pytest.mark.parametrize("unit_id", [CANKAYA_HEALTH, "06-no-such-unit"])
def test_unit_of_another_province_or_unknown_is_not_found_for_changes(routing, routing_store, unit_id):
    with pytest.raises(NotFound):
        routing.update_unit(ISTANBUL_ADMIN, unit_id, {"active": False})

    assert routing_store.find_unit(CANKAYA_HEALTH)["active"] is True


def test_renamed_unit_is_routed_under_its_new_name(routing, staffed):
    routing.update_unit(ADMIN, CANKAYA_HEALTH, {"name": "Çankaya Sağlık"})
    receive(routing, "2026-000001")

    assert routing.get_application(ROUTER, "2026-000001")["suggested_unit"]["name"] == "Çankaya Sağlık"
    assert routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})["unit"]["name"] == (
        "Çankaya Sağlık")


# --- staff accounts ----------------------------------------------------------------------------

ACCOUNT_VIEW_FIELDS = {"username", "role", "province_code", "unit_id", "active", "display_name"}


def test_admin_creates_an_officer_who_can_then_log_in(routing, routing_store):
    account = routing.create_staff(ADMIN, {"username": "Ankara.Router2", "password": NEW_PASSWORD,
                                           "role": "router", "province": "ankara"})

    assert account == {"username": "ankara.router2", "role": "router", "province_code": "06",
                       "unit_id": None, "active": True, "display_name": "ankara.router2"}
    stored_hash = routing_store.find_staff("ankara.router2")["password_hash"]
    assert stored_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in json.dumps(routing_store.find_staff("ankara.router2"), default=str)
    assert verify_password(stored_hash, NEW_PASSWORD)
    assert routing.authenticate("ankara.router2", NEW_PASSWORD)["role"] == "router"


def test_admin_creates_a_unit_officer_of_an_active_unit(routing):
    account = routing.create_staff(ADMIN, {"username": "cankaya.saglik", "password": NEW_PASSWORD,
                                           "role": "unit", "province": "06", "unit_id": CANKAYA_HEALTH})

    assert (account["role"], account["unit_id"]) == ("unit", CANKAYA_HEALTH)
    assert set(account) == ACCOUNT_VIEW_FIELDS


@pytest.mark.parametrize("role, unit_id", [
    ("unit", None), ("unit", "34-health"), ("unit", "06-no-such-unit"), ("unit", "inactive"),
    ("router", CANKAYA_HEALTH), ("desk", CANKAYA_HEALTH), ("admin", ANKARA_EDUCATION),
])
def test_unit_is_required_for_unit_officers_only(routing, routing_store, role, unit_id):
    if unit_id == "inactive":
        routing.update_unit(ADMIN, CANKAYA_HEALTH, {"active": False})
        unit_id = CANKAYA_HEALTH
    body = {"username": "yeni.kullanici", "password": NEW_PASSWORD, "role": role, "province": "06"}
    if unit_id:
        body["unit_id"] = unit_id

    with pytest.raises(ValidationFailed) as refused:
        routing.create_staff(ADMIN, body)

    assert list(refused.value.fields) == ["unit_id"]
    assert routing_store.find_staff("yeni.kullanici") is None


def test_admin_cannot_create_staff_of_another_province(routing, routing_store):
    with pytest.raises(ValidationFailed) as refused:
        routing.create_staff(ADMIN, {"username": "istanbul.router2", "password": NEW_PASSWORD,
                                     "role": "router", "province": "istanbul"})

    assert list(refused.value.fields) == ["province"]
    assert routing_store.find_staff("istanbul.router2") is None


def test_taken_username_is_refused_and_the_account_kept(routing, routing_store, password_hash):
    add_account(routing_store, password_hash, "ankara.router")

    with pytest.raises(ValidationFailed) as refused:
        routing.create_staff(ADMIN, {"username": "ANKARA.ROUTER", "password": NEW_PASSWORD,
                                     "role": "admin", "province": "06"})

    assert list(refused.value.fields) == ["username"]
    kept = routing_store.find_staff("ankara.router")
    assert (kept["role"], kept["password_hash"]) == ("router", password_hash)


def test_staff_list_is_the_admins_province_without_hashes(routing, routing_store, password_hash):
    for username in ("ankara.router", "ankara.health", "istanbul.router"):
        add_account(routing_store, password_hash, username)

    listed = routing.list_staff(ADMIN)

    assert [account["username"] for account in listed] == ["ankara.health", "ankara.router"]
    assert all(set(account) == ACCOUNT_VIEW_FIELDS for account in listed)
    assert "argon2" not in json.dumps(listed)
    assert [account["username"] for account in routing.list_staff(ISTANBUL_ADMIN)] == ["istanbul.router"]


def test_changed_password_replaces_the_old_one(routing, routing_store, password_hash):
    add_account(routing_store, password_hash, "ankara.router")

    account = routing.update_staff(ADMIN, "ankara.router", {"password": NEW_PASSWORD})

    assert set(account) == ACCOUNT_VIEW_FIELDS
    assert routing.authenticate("ankara.router", NEW_PASSWORD) == ROUTER
    with pytest.raises(Unauthorized):
        routing.authenticate("ankara.router", PASSWORD)


def test_deactivated_officer_can_no_longer_log_in(routing, routing_store, password_hash):
    add_account(routing_store, password_hash, "ankara.router")

    assert routing.update_staff(ADMIN, "ankara.router", {"active": False})["active"] is False
    with pytest.raises(Unauthorized):
        routing.authenticate("ankara.router", PASSWORD)


def test_router_becomes_a_unit_officer_only_with_a_unit(routing, routing_store, password_hash):
    add_account(routing_store, password_hash, "ankara.router")

    with pytest.raises(ValidationFailed) as refused:
        routing.update_staff(ADMIN, "ankara.router", {"role": "unit"})
    assert list(refused.value.fields) == ["unit_id"]
    with pytest.raises(ValidationFailed):
        routing.update_staff(ADMIN, "ankara.router", {"role": "unit", "unit_id": "34-health"})
    account = routing.update_staff(ADMIN, "ankara.router", {"role": "unit", "unit_id": CANKAYA_HEALTH})

    assert (account["role"], account["unit_id"]) == ("unit", CANKAYA_HEALTH)


def test_unit_officer_moved_to_another_role_loses_the_unit(routing, routing_store, password_hash):
    add_account(routing_store, password_hash, "ankara.health")

    account = routing.update_staff(ADMIN, "ankara.health", {"role": "router"})

    assert (account["role"], account["unit_id"]) == ("router", None)
    with pytest.raises(ValidationFailed):
        routing.update_staff(ADMIN, "ankara.health", {"unit_id": CANKAYA_HEALTH})


def test_unit_officer_moves_to_another_unit(routing, routing_store, password_hash):
    add_account(routing_store, password_hash, "ankara.health")

    account = routing.update_staff(ADMIN, "ankara.health", {"unit_id": ANKARA_EDUCATION})

    assert (account["role"], account["unit_id"]) == ("unit", ANKARA_EDUCATION)


@pytest.mark.parametrize("username", ["istanbul.router", "nobody.here"])
def test_staff_of_another_province_or_unknown_is_not_found_for_changes(
        routing, routing_store, password_hash, username):
    add_account(routing_store, password_hash, "istanbul.router")

    with pytest.raises(NotFound):
        routing.update_staff(ADMIN, username, {"active": False})

    assert routing_store.find_staff("istanbul.router")["active"] is True


@pytest.mark.parametrize("body, field", [
    ({}, "body"), ({"password": "short"}, "password"), ({"role": "boss"}, "role"),
    ({"active": "no"}, "active"), ({"province": "34"}, "province"), ({"username": "x.y.z"}, "username"),
])
def test_staff_changes_are_validated(routing, routing_store, password_hash, body, field):
    add_account(routing_store, password_hash, "ankara.router")

    with pytest.raises(ValidationFailed) as refused:
        routing.update_staff(ADMIN, "ankara.router", body)

    assert field in refused.value.fields
    assert routing_store.find_staff("ankara.router")["password_hash"] == password_hash
