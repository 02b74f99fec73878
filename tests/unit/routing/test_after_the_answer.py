"""Routing after issue 22: the applicant's objection reopens the application with the unit that
answered; past the statutory limit an application is escalated (once) and shows in the escalated
view; each answer is sealed (verification code, Ed25519 signature) and verifiable; the staff
history is a hash chain. RoutingService through its entrypoints on real stores (mongomock)."""
from datetime import timedelta

import pytest
from nameko.testing.services import worker_factory

from common import clock
from common.errors import NotFound, ValidationFailed
from contracts.events import new_event
from services.routing import deadlines
from services.routing.answer_keys import Keyring
from services.routing.answer_signing import new_signing_key
from services.routing.history_chain import chain_state
from services.routing.service import RoutingService
from tests.support.fake_relay import FakeRelay
from tests.support.samples import received_event, staff_principal

ROUTER, HEALTH, ADMIN = (staff_principal(name) for name in ("ankara.router", "ankara.health", "ankara.admin"))
CANKAYA_HEALTH = "06-cankaya-health"
NUMBER = "2026-000001"
ANSWER_TEXT = "Sağlık ocağının çalışma saatleri uzatıldı.\nBilginize sunarız."
OBJECTION = "Yanıt, başvurduğum sağlık ocağını değil başka bir ocağı anlatıyor."


@pytest.fixture
def keyring():
    return Keyring((new_signing_key("2026-12"), new_signing_key("2026-06")))


@pytest.fixture
def routing(routing_store, keyring):
    return worker_factory(RoutingService, applications=routing_store, accounts=routing_store,
                          publish_owed_events=FakeRelay(), watch_deadlines=lambda: None, reference_data=None,
                          answer_keys=keyring)


def receive(routing, number=NUMBER, statutory_in=timedelta(days=23), received_ago=timedelta(days=7)):
    now = clock.now()
    routing.handle_application_received(received_event(
        number, province="Ankara", province_code="06", district="Çankaya", category="health",
        received_at=clock.to_iso(now - received_ago, "milliseconds"), due_at=clock.to_iso(now + timedelta(days=1)),
        statutory_due_at=clock.to_iso(now + statutory_in)))


def answered(routing, number=NUMBER, text=ANSWER_TEXT):
    receive(routing, number)
    routing.route_application(ROUTER, number, {"unit_id": CANKAYA_HEALTH})
    return routing.answer_application(HEALTH, number, {"text": text, "outcome": "positive"})


def objection_event(number=NUMBER, filed_at=None):
    filed_at = filed_at or clock.now()
    return new_event("objection_filed", number, unit_id=CANKAYA_HEALTH, text=OBJECTION,
                     filed_at=clock.to_iso(filed_at, "milliseconds"),
                     due_at=clock.to_iso(filed_at + timedelta(days=7)),
                     statutory_due_at=clock.to_iso(filed_at + timedelta(days=30)))


def owed_names(routing_store, number=NUMBER):
    return [event["event_name"] for event in routing_store.find_application(number).get("outbox", [])]


# --- the objection ------------------------------------------------------------------------------

def test_an_objection_goes_back_to_the_unit_that_answered_flagged_with_its_own_deadline(routing, routing_store):
    first = answered(routing)
    event = objection_event()

    routing.handle_objection_filed(event)
    routing.handle_objection_filed(event)  # redelivered: nothing more

    record = routing.get_application(HEALTH, NUMBER)
    assert (record["status"], record["unit"]["unit_id"], record["objected"]) == ("routed", CANKAYA_HEALTH, True)
    assert record["objection"] == {"text": OBJECTION, "filed_at": clock.to_iso(clock.from_iso(event["filed_at"]))}
    assert record["first_answer"]["text"] == ANSWER_TEXT and record["answer"] is None
    assert record["first_answer"]["verification_code"] == first["answer"]["verification_code"]
    assert record["due_at"] == event["due_at"] and record["statutory_due_at"] == event["statutory_due_at"]
    assert [entry["action"] for entry in record["timeline"]] == ["received", "routed", "answered", "objected"]
    [page_entry] = routing.list_applications(HEALTH, {"status": "routed"})["items"]
    assert page_entry["objected"] is True


def test_the_units_new_answer_concludes_it_and_says_it_answers_the_objection(routing, routing_store):
    answered(routing)
    routing.handle_objection_filed(objection_event())

    record = routing.answer_application(HEALTH, NUMBER, {"text": "Doğru ocak için ekip gönderildi.",
                                                         "outcome": "positive"})

    assert record["status"] == "answered" and record["answer"]["text"] == "Doğru ocak için ekip gönderildi."
    answers = [event for event in routing_store.find_application(NUMBER)["outbox"]
               if event["event_name"] == "application_answered"]
    assert [event["answers_objection"] for event in answers] == [False, True]
    assert answers[1]["verification_code"] == record["answer"]["verification_code"] != answers[0]["verification_code"]


def test_an_objection_event_for_an_application_routing_does_not_hold_is_dropped(routing, routing_store):
    routing.handle_objection_filed(objection_event("2026-999999"))

    assert routing_store.find_application("2026-999999") is None


# --- escalation ---------------------------------------------------------------------------------

def test_past_the_statutory_limit_unanswered_it_is_escalated_once(routing, routing_store):
    receive(routing, "2026-000001", statutory_in=timedelta(hours=-1))
    receive(routing, "2026-000002", statutory_in=timedelta(days=3))
    answered(routing, "2026-000003")
    routing_store.applications.update_one({"_id": "2026-000003"},
                                          {"$set": {"statutory_due_at": clock.now() - timedelta(days=1)}})

    deadlines.owe_deadline_events(routing_store, clock.now(), timedelta(hours=24))
    deadlines.owe_deadline_events(routing_store, clock.now(), timedelta(hours=24))

    assert owed_names(routing_store, "2026-000001").count("application_escalated") == 1
    assert "application_escalated" not in owed_names(routing_store, "2026-000002")
    assert "application_escalated" not in owed_names(routing_store, "2026-000003")
    escalated = routing.list_applications(ROUTER, {"escalated": "true"})
    assert [item["application_no"] for item in escalated["items"]] == ["2026-000001"]
    assert escalated["items"][0]["escalated"] is True and escalated["total"] == 1
    assert escalated["items"][0]["statutory_days_left"] == -1


def test_an_application_of_before_the_statutory_limit_existed_never_escalates(routing, routing_store):
    event = received_event(NUMBER, province="Ankara", province_code="06", district="Çankaya",
                           received_at=clock.to_iso(clock.now() - timedelta(days=90), "milliseconds"),
                           due_at=clock.to_iso(clock.now() - timedelta(days=83)))
    del event["statutory_due_at"]
    routing.handle_application_received(event)

    deadlines.owe_deadline_events(routing_store, clock.now(), timedelta(hours=24))

    assert "application_escalated" not in owed_names(routing_store)
    assert routing.list_applications(ROUTER, {})["items"][0]["statutory_due_at"] is None


def test_the_escalated_view_is_the_callers_scope(routing, routing_store):
    receive(routing, statutory_in=timedelta(hours=-1))
    deadlines.owe_deadline_events(routing_store, clock.now(), timedelta(hours=24))

    assert routing.list_applications(staff_principal("istanbul.router"), {"escalated": "true"})["total"] == 0
    assert routing.list_applications(HEALTH, {"escalated": "true"})["total"] == 0  # not routed to the unit
    assert routing.list_applications(ADMIN, {"escalated": "true"})["total"] == 1


# --- the answer's seal and the history chain ----------------------------------------------------

def test_an_answer_verifies_with_its_code_and_nothing_personal(routing):
    record = answered(routing)
    code = record["answer"]["verification_code"]

    seen = routing.verify_answer(code.lower().replace("-", " "))

    assert seen["signature_valid"] is True and seen["history"] == "intact" and seen["text_matches"] is None
    assert (seen["application_no"], seen["unit"], seen["answer_to"]) == (NUMBER, "Çankaya İlçe Sağlık Müdürlüğü",
                                                                         "application")
    assert seen["key_id"] == "2026-12"
    assert "ankara.health" not in str(seen) and ANSWER_TEXT not in str(seen)


def test_a_pasted_copy_matches_despite_line_ends_and_trailing_spaces_but_not_a_changed_word(routing):
    code = answered(routing)["answer"]["verification_code"]

    same = routing.verify_answer(code, {"text": ANSWER_TEXT.replace("\n", "  \r\n") + "\n"})
    changed = routing.verify_answer(code, {"text": ANSWER_TEXT.replace("uzatıldı", "kısaltıldı")})

    assert same["text_matches"] is True and changed["text_matches"] is False


@pytest.mark.parametrize("code", ["", "ABC", "UUUUU-UUUUU", "0000000000"])
def test_an_unknown_or_malformed_code_is_not_found(routing, code):
    answered(routing)

    with pytest.raises(NotFound):
        routing.verify_answer(code)


def test_a_pasted_text_too_long_is_refused_naming_the_field(routing):
    code = answered(routing)["answer"]["verification_code"]

    with pytest.raises(ValidationFailed) as refused:
        routing.verify_answer(code, {"text": "x" * 10001})

    assert "text" in refused.value.fields


def test_an_answer_altered_in_the_store_or_a_forged_signature_fails(routing, routing_store):
    code = answered(routing)["answer"]["verification_code"]

    routing_store.applications.update_one({"_id": NUMBER}, {"$set": {"answer.text": "Başvurunuz reddedildi."}})
    altered = routing.verify_answer(code)
    routing_store.applications.update_one({"_id": NUMBER}, {"$set": {"answer.text": ANSWER_TEXT,
                                                                     "answer.unit_name": "Başka Birim"}})
    forged = routing.verify_answer(code)

    assert altered["signature_valid"] is False and forged["signature_valid"] is False


def test_an_answer_signed_before_a_key_rotation_still_verifies(routing_store, keyring):
    before = worker_factory(RoutingService, applications=routing_store, accounts=routing_store,
                            publish_owed_events=FakeRelay(), watch_deadlines=lambda: None, reference_data=None,
                            answer_keys=Keyring((keyring.keys[1],)))
    code = answered(before)["answer"]["verification_code"]
    after = worker_factory(RoutingService, applications=routing_store, accounts=routing_store,
                           publish_owed_events=FakeRelay(), watch_deadlines=lambda: None, reference_data=None,
                           answer_keys=keyring)
    retired = worker_factory(RoutingService, applications=routing_store, accounts=routing_store,
                             publish_owed_events=FakeRelay(), watch_deadlines=lambda: None, reference_data=None,
                             answer_keys=Keyring((keyring.keys[0],)))

    assert after.verify_answer(code)["signature_valid"] is True
    assert after.verify_answer(code)["key_id"] == "2026-06"
    assert retired.verify_answer(code)["signature_valid"] is False  # its key no longer published
    assert [key["key_id"] for key in after.answer_verification_keys()] == ["2026-12", "2026-06"]


def test_the_first_answer_still_verifies_after_the_objection_and_says_what_it_answered(routing):
    first_code = answered(routing)["answer"]["verification_code"]
    routing.handle_objection_filed(objection_event())
    second_code = routing.answer_application(HEALTH, NUMBER, {"text": "Doğru ocak için ekip gönderildi.",
                                                              "outcome": "positive"})["answer"]["verification_code"]

    first, second = routing.verify_answer(first_code), routing.verify_answer(second_code)

    assert (first["answer_to"], first["signature_valid"]) == ("application", True)
    assert (second["answer_to"], second["signature_valid"]) == ("objection", True)
    assert first["history"] == second["history"] == "intact"


def test_every_step_extends_the_history_chain_and_a_tampered_entry_shows(routing, routing_store):
    code = answered(routing)["answer"]["verification_code"]
    routing.record_contact(HEALTH, NUMBER, {"channel": "phone", "note": "Arandı."})
    timeline = routing_store.find_application(NUMBER)["timeline"]
    assert chain_state(timeline) == "intact" and len(timeline) == 4
    assert all(entry["prev_hash"] == before["hash"] for before, entry in zip(timeline, timeline[1:]))

    routing_store.applications.update_one({"_id": NUMBER}, {"$set": {"timeline.1.unit_id": "06-health"}})

    seen = routing.verify_answer(code)
    assert seen["history"] == "broken" and seen["signature_valid"] is True


def test_two_steps_decided_on_the_same_history_cannot_both_be_written(routing, routing_store):
    """Two contacts at once both read the same last entry: the chain takes one, the other is told."""
    from services.routing import domain

    answered(routing)
    application = routing_store.find_application(NUMBER)
    first = domain.linked(domain.contact(application, HEALTH, "phone", None, clock.now()), application)
    second = domain.linked(domain.contact(application, HEALTH, "sms", None, clock.now()), application)

    assert routing_store.apply(NUMBER, first) is True
    assert routing_store.apply(NUMBER, second) is False
    assert chain_state(routing_store.find_application(NUMBER)["timeline"]) == "intact"


def test_erasure_takes_the_objections_text_and_keeps_its_date(routing, routing_store):
    answered(routing)
    routing.handle_objection_filed(objection_event())

    routing.handle_applicant_data_erased(new_event("applicant_data_erased", NUMBER))

    record = routing.get_application(ROUTER, NUMBER)
    assert record["objection"]["text"] is None and record["objection"]["filed_at"]
    assert OBJECTION not in str(routing_store.find_application(NUMBER))
