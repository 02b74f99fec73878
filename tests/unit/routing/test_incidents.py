"""Incidents (issue 23, services/routing/incidents.py, incident_members.py): applications of one
province grouped by a router, routed and answered as one, each application with its own transition,
event and seal — exactly one answer each, whether the group grows during the answer or a crash
leaves the answer half-done. RoutingService through its entrypoints on real stores (mongomock)."""
from datetime import timedelta

import pytest
from nameko.testing.services import worker_factory

from common import clock
from common.errors import Conflict, NotFound, ValidationFailed
from services.routing import incident_members, incidents
from services.routing.service import RoutingService
from tests.support.fake_relay import FakeRelay
from tests.support.samples import answer_keyring, received_event, staff_principal

ROUTER, HEALTH, ADMIN = (staff_principal(name) for name in ("ankara.router", "ankara.health", "ankara.admin"))
EDUCATION = staff_principal("ankara.education")
CANKAYA_HEALTH = "06-cankaya-health"
ANSWER = {"text": "Sokak lambası 4 Aralık'ta onarılmıştır; bilginize sunarız.", "outcome": "positive"}


@pytest.fixture
def routing(routing_store):
    return worker_factory(RoutingService, applications=routing_store, accounts=routing_store,
                          publish_owed_events=FakeRelay(), watch_deadlines=lambda: None, reference_data=None,
                          answer_keys=answer_keyring())


def receive(routing, *numbers, province="Ankara", province_code="06"):
    now = clock.now()
    for number in numbers:
        routing.handle_application_received(received_event(
            number, province=province, province_code=province_code, district="Çankaya", category="health",
            received_at=clock.to_iso(now - timedelta(hours=1), "milliseconds"),
            due_at=clock.to_iso(now + timedelta(days=6))))
    return list(numbers)


def owed(routing_store, number, event_name):
    return [event for event in routing_store.find_application(number).get("outbox", [])
            if event["event_name"] == event_name]


def incident_events(routing_store, incident_id):
    return [event for event in routing_store.find_incident(incident_id).get("outbox", [])
            if event["event_name"] == "incident_changed"]


def test_a_router_groups_applications_and_each_knows_its_incident(routing, routing_store):
    numbers = receive(routing, "2026-000001", "2026-000002", "2026-000003")

    incident = routing.create_incident(ROUTER, {"title": "Sokak lambası", "application_nos": numbers})

    assert incident["application_count"] == 3 and incident["unit"] is None and incident["answer"] is None
    assert sorted(entry["application_no"] for entry in incident["applications"]) == numbers
    assert {entry["incident_id"] for entry in incident["applications"]} == {incident["incident_id"]}
    [changed] = incident_events(routing_store, incident["incident_id"])
    assert (changed["application_nos"], changed["version"], changed["application_no"]) == (numbers, 1, None)


def test_an_application_belongs_to_at_most_one_incident_and_a_refused_group_takes_none(routing, routing_store):
    receive(routing, "2026-000001", "2026-000002", "2026-000003")
    first = routing.create_incident(ROUTER, {"title": "Lamba", "application_nos": ["2026-000001"]})

    with pytest.raises(Conflict) as refused:
        routing.create_incident(ROUTER, {"title": "Yine lamba", "application_nos": ["2026-000002", "2026-000001"]})

    assert refused.value.code == "in_another_incident" and "2026-000001" in refused.value.message
    assert routing_store.find_application("2026-000002").get("incident_id") is None
    assert routing_store.incidents.count_documents({}) == 1
    with pytest.raises(Conflict):
        routing.add_to_incident(ROUTER, first["incident_id"], {"application_nos": ["2026-000404"]})


def test_another_provinces_application_is_refused_by_number(routing):
    receive(routing, "2026-000001")
    receive(routing, "2026-000009", province="İstanbul", province_code="34")

    with pytest.raises(Conflict) as refused:
        routing.create_incident(ROUTER, {"title": "Lamba", "application_nos": ["2026-000001", "2026-000009"]})

    assert refused.value.code == "not_in_province" and "2026-000009" in refused.value.message


@pytest.mark.parametrize("body, field", [
    ({"title": "x", "application_nos": ["2026-000001"]}, "title"),
    ({"title": "Lamba", "application_nos": []}, "application_nos"),
    ({"title": "Lamba", "application_nos": "2026-000001"}, "application_nos"),
    ({"title": "Lamba", "application_nos": ["not-a-number"]}, "application_nos"),
    ({"title": "Lamba", "application_nos": ["2026-000001"] * 501}, "application_nos"),
])
def test_a_bad_group_is_refused_naming_the_field(routing, body, field):
    with pytest.raises(ValidationFailed) as refused:
        routing.create_incident(ROUTER, body)

    assert field in refused.value.fields


def test_routing_and_answering_the_incident_gives_each_application_its_own_steps(routing, routing_store):
    numbers = receive(routing, "2026-000001", "2026-000002", "2026-000003")
    incident_id = routing.create_incident(ROUTER, {"title": "Lamba", "application_nos": numbers})["incident_id"]

    routed = routing.route_incident(ROUTER, incident_id, {"unit_id": CANKAYA_HEALTH})
    answered = routing.answer_incident(HEALTH, incident_id, ANSWER)

    assert routed["unit"]["unit_id"] == CANKAYA_HEALTH
    assert {entry["status"] for entry in answered["applications"]} == {"answered"}
    codes = set()
    for number in numbers:
        assert len(owed(routing_store, number, "application_routed")) == 1
        [event] = owed(routing_store, number, "application_answered")
        assert event["answer_text"] == ANSWER["text"]
        codes.add(event["verification_code"])
        assert [entry["action"] for entry in routing_store.find_application(number)["timeline"]] == [
            "received", "routed", "answered"]
    assert len(codes) == 3  # each answer sealed on its own
    with pytest.raises(Conflict) as again:
        routing.answer_incident(HEALTH, incident_id, ANSWER)
    assert again.value.code == "incident_already_answered"
    with pytest.raises(Conflict):
        routing.route_incident(ROUTER, incident_id, {"unit_id": CANKAYA_HEALTH})


def test_only_the_officer_of_the_unit_it_is_routed_to_answers_or_sees_it(routing):
    numbers = receive(routing, "2026-000001")
    incident_id = routing.create_incident(ROUTER, {"title": "Lamba", "application_nos": numbers})["incident_id"]

    with pytest.raises(NotFound):
        routing.get_incident(HEALTH, incident_id)  # not routed to the unit yet
    routing.route_incident(ROUTER, incident_id, {"unit_id": CANKAYA_HEALTH})
    with pytest.raises(NotFound):
        routing.answer_incident(EDUCATION, incident_id, ANSWER)
    with pytest.raises(NotFound):
        routing.get_incident(staff_principal("istanbul.router"), incident_id)
    assert routing.get_incident(HEALTH, incident_id)["application_count"] == 1
    assert routing.get_incident(ADMIN, incident_id)["application_count"] == 1


def test_an_application_added_after_the_answer_is_routed_and_answered_at_once(routing, routing_store):
    numbers = receive(routing, "2026-000001", "2026-000002")
    incident_id = routing.create_incident(ROUTER, {"title": "Lamba", "application_nos": numbers[:1]})["incident_id"]
    routing.route_incident(ROUTER, incident_id, {"unit_id": CANKAYA_HEALTH})
    routing.answer_incident(HEALTH, incident_id, ANSWER)

    grown = routing.add_to_incident(ROUTER, incident_id, {"application_nos": ["2026-000002"]})

    assert [entry["status"] for entry in grown["applications"]] == ["answered", "answered"]
    assert len(owed(routing_store, "2026-000002", "application_answered")) == 1
    assert [event["version"] for event in incident_events(routing_store, incident_id)] == [1, 2]


def test_a_group_growing_while_the_answer_goes_out_gives_each_application_one_answer(routing, routing_store):
    """The answer is written, then a router adds an application before the answering call reads the
    members: the adding call sees the answer and answers it; the answering call, reading the members
    after, finds it answered. One application_answered each."""
    numbers = receive(routing, "2026-000001", "2026-000002", "2026-000003")
    incident_id = routing.create_incident(ROUTER, {"title": "Lamba", "application_nos": numbers[:2]})["incident_id"]
    routing.route_incident(ROUTER, incident_id, {"unit_id": CANKAYA_HEALTH})
    assert routing_store.answer_incident(incident_id, CANKAYA_HEALTH,
                                         incidents.incident_answer(ANSWER["text"], "positive", HEALTH, clock.now()))

    routing.add_to_incident(ROUTER, incident_id, {"application_nos": ["2026-000003"]})
    incident_members.bring_up(routing_store, routing_store.find_incident(incident_id), answer_keyring())
    incident_members.bring_up(routing_store, routing_store.find_incident(incident_id), answer_keyring())

    for number in numbers:
        assert len(owed(routing_store, number, "application_answered")) == 1, number


def test_an_answer_a_crash_left_half_done_is_completed_by_the_watcher(routing, routing_store):
    numbers = receive(routing, "2026-000001", "2026-000002")
    incident_id = routing.create_incident(ROUTER, {"title": "Lamba", "application_nos": numbers})["incident_id"]
    routing.route_incident(ROUTER, incident_id, {"unit_id": CANKAYA_HEALTH})
    routing_store.answer_incident(incident_id, CANKAYA_HEALTH,
                                  incidents.incident_answer(ANSWER["text"], "positive", HEALTH, clock.now()))

    written = incident_members.complete_answers(routing_store, answer_keyring())
    again = incident_members.complete_answers(routing_store, answer_keyring())

    assert (written, again) == (2, 0)
    assert all(len(owed(routing_store, number, "application_answered")) == 1 for number in numbers)
    assert routing_store.find_incident(incident_id)["answer_complete"] is True


def test_visible_among_keeps_what_the_officer_may_see(routing):
    receive(routing, "2026-000001", "2026-000002")
    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})

    assert set(routing.visible_among(ROUTER, ["2026-000001", "2026-000002", "2026-000404"])) == {
        "2026-000001", "2026-000002"}
    assert set(routing.visible_among(HEALTH, ["2026-000001", "2026-000002"])) == {"2026-000001"}
