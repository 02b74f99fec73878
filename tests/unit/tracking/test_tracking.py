import json
from datetime import datetime

import pytest
from nameko.testing.services import worker_factory
from pymongo.errors import DuplicateKeyError

from common import clock
from common.errors import NotFound
from contracts.events import new_event
from services.tracking import domain, public_view
from services.tracking.service import TrackingService
from services.tracking.store import TrackingStore

NUMBER = "2026-000001"
CODE = "K7M2PQ9X"
PHONE = "+905321234567"
VIEW_FIELDS = {
    "application_no", "status", "kind", "category", "province", "district",
    "received_at", "due_at", "updated_at", "timeline", "deadlines",
}


@pytest.fixture
def tracking(store):
    return worker_factory(TrackingService, applications=store)


@pytest.fixture
def received(received_event):
    return received_event(NUMBER, tracking_code=CODE, phone=PHONE)


def sms_event(name, **extra):
    fields = dict(message_id="m1", template="application_received", provider="verimor", **extra)
    return new_event(name, NUMBER, **fields)


def test_received_application_shows_as_received_with_one_turkish_entry(tracking, received):
    tracking.handle_application_received(received)

    view = tracking.get_application_status(NUMBER, CODE)

    assert view["status"] == "received"
    assert view["application_no"] == NUMBER
    assert (view["kind"], view["province"], view["district"]) == ("complaint", "İstanbul", "Kadıköy")
    assert [(entry["status"], entry["text"]) for entry in view["timeline"]] == [
        ("received", "Başvurunuz alındı ve kayda geçti."),
    ]


def test_view_is_in_english_when_asked(tracking, received):
    tracking.handle_application_received(received)

    view = tracking.get_application_status(NUMBER, CODE, language="en")

    assert view["timeline"][0]["text"] == "Your application has been received and recorded."


def test_view_is_in_the_applicants_language_when_none_is_asked(tracking, received_event):
    tracking.handle_application_received(received_event(NUMBER, tracking_code=CODE, language="en"))

    assert tracking.get_application_status(NUMBER, CODE)["timeline"][0]["text"].startswith("Your application")
    assert tracking.get_application_status(NUMBER, CODE, language="tr")["timeline"][0]["text"].startswith(
        "Başvurunuz")


def test_unsupported_language_falls_back_to_the_applicants(tracking, received):
    tracking.handle_application_received(received)

    assert tracking.get_application_status(NUMBER, CODE, language="de")["timeline"][0]["text"].startswith(
        "Başvurunuz")


def test_view_timestamps_are_in_turkish_time(tracking, received):
    tracking.handle_application_received(received)

    view = tracking.get_application_status(NUMBER, CODE)

    assert view["received_at"] == "2026-03-02T10:15:00+03:00"
    assert view["due_at"] == "2026-03-09T10:15:00+03:00"
    assert view["updated_at"] == "2026-03-02T10:15:00+03:00"
    assert view["timeline"][0]["at"] == "2026-03-02T10:15:00+03:00"


def test_view_holds_nothing_personal(tracking, received):
    tracking.handle_application_received(received)

    view = tracking.get_application_status(NUMBER, CODE)

    assert set(view) == VIEW_FIELDS
    rendered = json.dumps(view, ensure_ascii=False)
    for personal in (PHONE, "5321234567", CODE, domain.tracking_code_digest(CODE), "10000000146", "Ayşe"):
        assert personal not in rendered
    for entry in view["timeline"]:
        assert set(entry) == {"at", "status", "text"}


def test_same_event_applied_twice_leaves_one_timeline_entry(tracking, store, received):
    tracking.handle_application_received(received)
    tracking.handle_application_received(received)

    assert len(tracking.get_application_status(NUMBER, CODE)["timeline"]) == 1
    assert len(store.find(NUMBER)["timeline"]) == 1


def test_a_batch_holding_an_event_twice_and_one_applied_before_applies_each_once(tracking, store, received,
                                                                                 received_event):
    other = received_event("2026-000002", tracking_code=CODE, phone=PHONE)
    tracking.handle_application_received(received)

    tracking.handle_application_received(received, other, other)

    assert len(store.find(NUMBER)["timeline"]) == 1
    assert len(store.find("2026-000002")["timeline"]) == 1
    assert store.find("2026-000002")["applied_events"] == [other["event_id"]]


def test_sms_state_arriving_before_the_application_still_gives_a_complete_view(tracking, store, received):
    tracking.handle_sms_sent(sms_event("sms_sent"))
    tracking.handle_application_received(received)

    view = tracking.get_application_status(NUMBER, CODE)

    assert view["status"] == "received"
    assert set(view) == VIEW_FIELDS
    assert len(view["timeline"]) == 1
    assert set(store.find(NUMBER)["sms"]) == {"application_received"}
    assert set(store.find(NUMBER)["sms"]["application_received"]) == {"sent"}


def test_sms_failure_is_kept_for_staff_but_stays_off_the_public_timeline(tracking, store, received):
    tracking.handle_application_received(received)
    failed = sms_event("sms_failed", reason="number unreachable")
    tracking.handle_sms_failed(failed)

    assert store.find(NUMBER)["sms"] == {"application_received": {"failed": clock.from_iso(failed["occurred_at"])}}
    assert [entry["status"] for entry in tracking.get_application_status(NUMBER, CODE)["timeline"]] == [
        "received"]


def sms_at(name, moment, template="application_received", **extra):
    """An SMS event of ``template`` that occurred at ``moment``."""
    event = new_event(name, NUMBER, message_id="m-" + template, template=template, provider="verimor", **extra)
    event["occurred_at"] = moment
    return event


def test_every_sms_state_is_kept_with_when_it_was_reached(tracking, store, received):
    tracking.handle_application_received(received)
    tracking.handle_sms_sent(sms_at("sms_sent", "2026-03-02T10:15:05.000+03:00"))
    tracking.handle_sms_delivered(sms_at("sms_delivered", "2026-03-02T10:15:09.000+03:00"))

    assert store.find(NUMBER)["sms"] == {"application_received": {
        "sent": clock.from_iso("2026-03-02T10:15:05.000+03:00"),
        "delivered": clock.from_iso("2026-03-02T10:15:09.000+03:00"),
    }}


def test_a_late_sent_after_delivered_overwrites_nothing(tracking, store, received):
    tracking.handle_application_received(received)
    tracking.handle_sms_delivered(sms_at("sms_delivered", "2026-03-02T10:15:09.000+03:00"))
    tracking.handle_sms_sent(sms_at("sms_sent", "2026-03-02T10:15:05.000+03:00"))

    states = store.find(NUMBER)["sms"]["application_received"]
    assert states == {"sent": clock.from_iso("2026-03-02T10:15:05.000+03:00"),
                      "delivered": clock.from_iso("2026-03-02T10:15:09.000+03:00")}


def test_a_replayed_sms_event_changes_nothing(tracking, store, received):
    tracking.handle_application_received(received)
    delivered = sms_at("sms_delivered", "2026-03-02T10:15:09.000+03:00")
    tracking.handle_sms_delivered(delivered)
    before = store.find(NUMBER)

    tracking.handle_sms_delivered(dict(delivered))

    assert store.find(NUMBER) == before


def test_states_of_the_two_sms_are_kept_apart(tracking, store, received):
    tracking.handle_application_received(received)
    tracking.handle_sms_delivered(sms_at("sms_delivered", "2026-03-02T10:15:09.000+03:00"))
    tracking.handle_sms_failed(sms_at("sms_failed", "2026-03-06T10:00:00.000+03:00",
                                      template="application_answered", reason="EXPIRED"))

    assert store.find(NUMBER)["sms"] == {
        "application_received": {"delivered": clock.from_iso("2026-03-02T10:15:09.000+03:00")},
        "application_answered": {"failed": clock.from_iso("2026-03-06T10:00:00.000+03:00")},
    }


@pytest.mark.parametrize("language", ["tr", "en"])
def test_a_failed_sms_gives_the_citizen_a_notice_of_where_to_read_the_result(tracking, received, language):
    tracking.handle_application_received(received)
    tracking.handle_sms_failed(sms_event("sms_failed", reason="EXPIRED"))

    view = tracking.get_application_status(NUMBER, CODE, language=language)

    assert view["notice"] == public_view.SMS_FAILED_NOTICE[language]
    assert [entry["status"] for entry in view["timeline"]] == ["received"]


def test_the_notice_says_desk_web_and_app_in_both_languages():
    turkish, english = public_view.SMS_FAILED_NOTICE["tr"], public_view.SMS_FAILED_NOTICE["en"]

    assert "SMS" in turkish and "masa" in turkish and "web" in turkish and "mobil uygulama" in turkish
    assert "SMS" in english and "desk" in english and "web" in english and "app" in english


def test_the_notice_follows_the_applicants_language_when_none_is_asked(tracking, received_event):
    tracking.handle_application_received(received_event(NUMBER, tracking_code=CODE, language="en"))
    tracking.handle_sms_failed(sms_event("sms_failed", reason="EXPIRED"))

    assert tracking.get_application_status(NUMBER, CODE)["notice"] == public_view.SMS_FAILED_NOTICE["en"]


def test_a_failed_concluded_sms_gives_the_notice_even_if_the_first_was_delivered(tracking, received):
    tracking.handle_application_received(received)
    tracking.handle_sms_delivered(sms_event("sms_delivered"))
    tracking.handle_sms_failed(sms_at("sms_failed", "2026-03-06T10:00:00.000+03:00",
                                      template="application_answered", reason="EXPIRED"))

    assert tracking.get_application_status(NUMBER, CODE)["notice"] == public_view.SMS_FAILED_NOTICE["tr"]


def test_a_failed_tracking_code_reminder_gives_no_notice(tracking, received):
    """The reminder was asked for on the tracking page; the applicant's own notices went through."""
    tracking.handle_application_received(received)
    tracking.handle_sms_delivered(sms_event("sms_delivered"))
    tracking.handle_sms_failed(sms_at("sms_failed", "2026-03-06T10:00:00.000+03:00",
                                      template="tracking_code_reminder", reason="EXPIRED"))

    assert "notice" not in tracking.get_application_status(NUMBER, CODE)


@pytest.mark.parametrize("handlers", [(), ("handle_sms_sent",), ("handle_sms_sent", "handle_sms_delivered")])
def test_sms_that_did_not_fail_leave_the_public_view_as_it_was(tracking, received, handlers):
    tracking.handle_application_received(received)
    for handler in handlers:
        getattr(tracking, handler)(sms_event(handler.replace("handle_", "")))

    assert set(tracking.get_application_status(NUMBER, CODE)) == VIEW_FIELDS


def test_nothing_else_about_sms_reaches_the_public_view(tracking, received):
    tracking.handle_application_received(received)
    tracking.handle_sms_sent(sms_event("sms_sent"))
    tracking.handle_sms_failed(sms_event("sms_failed", reason="NOT_DELIVERED gsm_error=27"))

    view = tracking.get_application_status(NUMBER, CODE)

    assert set(view) == VIEW_FIELDS | {"notice"}
    rendered = json.dumps(view, ensure_ascii=False)
    for private in ("verimor", "gsm_error", "NOT_DELIVERED", "m1", "application_received", "sent", "failed"):
        assert private not in rendered


def test_a_failed_sms_before_the_application_still_gives_the_notice(tracking, received):
    tracking.handle_sms_failed(sms_event("sms_failed", reason="EXPIRED"))
    tracking.handle_application_received(received)

    view = tracking.get_application_status(NUMBER, CODE)

    assert view["notice"] == public_view.SMS_FAILED_NOTICE["tr"]
    assert view["status"] == "received"


def test_application_known_only_from_an_sms_event_is_not_found(tracking):
    tracking.handle_sms_sent(sms_event("sms_sent"))

    with pytest.raises(NotFound):
        tracking.get_application_status(NUMBER, CODE)


@pytest.mark.parametrize("typed", ["k7m2pq9x", " K7M2 PQ9X ", "K7M2-PQ9X", "k7m2-pq9x"])
def test_tracking_code_is_matched_as_a_citizen_may_type_it(tracking, received, typed):
    tracking.handle_application_received(received)

    assert tracking.get_application_status(NUMBER, typed)["application_no"] == NUMBER


def test_wrong_code_and_unknown_number_raise_the_same_not_found(tracking, received):
    tracking.handle_application_received(received)

    with pytest.raises(NotFound) as wrong_code:
        tracking.get_application_status(NUMBER, "K7M2PQ9Y")
    with pytest.raises(NotFound) as unknown_number:
        tracking.get_application_status("2026-999999", CODE)

    assert wrong_code.value.args == unknown_number.value.args


def test_stored_read_model_keeps_only_a_digest_of_the_code_and_no_phone(tracking, store, received):
    tracking.handle_application_received(received)

    document = json.dumps(store.find(NUMBER), default=str, ensure_ascii=False)

    assert CODE not in document
    assert PHONE not in document
    assert domain.tracking_code_digest(CODE) in document


class InsertRaceLost:
    """The applications collection as two tracking workers see it when both upsert a new document
    at once: the other worker's event lands first, and this worker's upsert then fails with
    DuplicateKeyError (what MongoDB answers; it retries by itself only for pure equality filters)."""

    def __init__(self, collection, other_worker):
        self.collection = collection
        self.other_worker = other_worker

    def update_one(self, filter, update, upsert=False):
        if self.other_worker is not None and upsert:
            other_worker, self.other_worker = self.other_worker, None
            other_worker()
            raise DuplicateKeyError("E11000 duplicate key error collection: applications index: _id_")
        return self.collection.update_one(filter, update, upsert=upsert)

    def __getattr__(self, name):
        return getattr(self.collection, name)


def test_event_that_loses_an_insert_race_is_still_applied(mongo_db, received):
    competitor = TrackingStore(mongo_db)
    store = TrackingStore(mongo_db)
    store.applications = InsertRaceLost(
        mongo_db.get_collection("applications"),
        other_worker=lambda: competitor.apply(NUMBER, *_sms_sent_change()))
    tracking = worker_factory(TrackingService, applications=store)

    tracking.handle_application_received(received)

    assert tracking.get_application_status(NUMBER, CODE)["status"] == "received"


def _sms_sent_change():
    event = sms_event("sms_sent")
    return (event["event_id"],) + domain.sms_state(event, "sent")


# Routing's events in the public view

UNIT_ID, UNIT_NAME = "34-health", "İstanbul İl Sağlık Müdürlüğü"
RETURN_REASON = "Yanlış birime gönderilmiş, iç not."
ANSWER_TEXT = "Kaldırım onarımı için ekip yönlendirildi."


def at(event, moment):
    """``event`` as if it had occurred at ``moment`` (ISO with offset)."""
    event["occurred_at"] = moment
    return event


# step: routing's count of the application's transitions (1 for the first); the defaults tell
# the plain story routed (1), then answered (2) or returned (2).

def routed_event(moment="2026-03-03T09:00:00.000+03:00", unit_id=UNIT_ID, unit_name=UNIT_NAME, step=1):
    return at(new_event("application_routed", NUMBER, unit_id=unit_id, unit_name=unit_name,
                        routed_by="istanbul.router", due_at="2026-03-09T10:15:00+03:00", step=step), moment)


def returned_event(moment="2026-03-04T09:00:00.000+03:00", step=2):
    return at(new_event("application_returned", NUMBER, unit_id=UNIT_ID, reason=RETURN_REASON, step=step),
              moment)


def answered_event(moment="2026-03-05T14:00:00.000+03:00", step=2):
    return at(new_event("application_answered", NUMBER, unit_id=UNIT_ID, outcome="positive",
                        answer_text=ANSWER_TEXT, answered_at=moment, step=step,
                        answers_objection=False, verification_code="7KQ2M-9XH4T"), moment)


def statuses(view):
    return [entry["status"] for entry in view["timeline"]]


def test_routed_application_shows_the_unit_by_name(tracking, received):
    tracking.handle_application_received(received)
    tracking.handle_application_routed(routed_event())

    view = tracking.get_application_status(NUMBER, CODE)

    assert view["status"] == "routed"
    assert view["unit"] == {"name": UNIT_NAME}
    assert set(view) == VIEW_FIELDS | {"unit"}
    assert statuses(view) == ["received", "routed"]
    assert view["timeline"][1] == {"at": "2026-03-03T09:00:00+03:00", "status": "routed",
                                   "text": "Başvurunuz çözüm için ilgili birime iletildi."}
    assert view["updated_at"] == "2026-03-03T09:00:00+03:00"
    assert "istanbul.router" not in json.dumps(view, ensure_ascii=False)


def test_returned_application_shows_no_unit_and_keeps_the_reason_from_the_public(tracking, received):
    tracking.handle_application_received(received)
    tracking.handle_application_routed(routed_event())
    tracking.handle_application_returned(returned_event())

    view = tracking.get_application_status(NUMBER, CODE)

    assert view["status"] == "returned"
    assert "unit" not in view
    assert statuses(view) == ["received", "routed", "returned"]
    rendered = json.dumps(view, ensure_ascii=False)
    assert RETURN_REASON not in rendered and "iç not" not in rendered


def test_routed_again_shows_the_new_unit(tracking, received):
    tracking.handle_application_received(received)
    tracking.handle_application_routed(routed_event())
    tracking.handle_application_returned(returned_event())
    tracking.handle_application_routed(routed_event("2026-03-04T11:00:00.000+03:00", "34-police",
                                                    "İstanbul İl Emniyet Müdürlüğü", step=3))

    view = tracking.get_application_status(NUMBER, CODE)

    assert (view["status"], view["unit"]) == ("routed", {"name": "İstanbul İl Emniyet Müdürlüğü"})
    assert statuses(view) == ["received", "routed", "returned", "routed"]


def test_answered_application_shows_the_answer(tracking, received):
    tracking.handle_application_received(received)
    tracking.handle_application_routed(routed_event())
    tracking.handle_application_answered(answered_event())

    view = tracking.get_application_status(NUMBER, CODE, language="en")

    assert view["status"] == "answered"
    assert view["answer"] == {"text": ANSWER_TEXT, "outcome": "positive",
                              "answered_at": "2026-03-05T14:00:00+03:00", "verification_code": "7KQ2M-9XH4T",
                              "feedback": None}
    assert view["timeline"][-1]["text"] == "Your application has been concluded; you can read the answer below."
    assert view["updated_at"] == "2026-03-05T14:00:00+03:00"
    assert set(view) == VIEW_FIELDS | {"unit", "answer"}


def test_routing_events_applied_twice_leave_one_entry_each(tracking, received):
    routed, answered = routed_event(), answered_event()
    tracking.handle_application_received(received)
    for event in (routed, routed, answered, answered):
        getattr(tracking, "handle_" + event["event_name"])(event)

    assert statuses(tracking.get_application_status(NUMBER, CODE)) == ["received", "routed", "answered"]


@pytest.mark.parametrize("order", [
    ("received", "routed", "answered"),
    ("answered", "routed", "received"),
    ("routed", "answered", "received"),
], ids="-".join)
def test_timeline_is_in_order_whatever_order_events_arrive_in(tracking, received, order):
    events = {"received": received, "routed": routed_event(), "answered": answered_event()}
    for name in order:
        getattr(tracking, "handle_" + events[name]["event_name"])(events[name])

    view = tracking.get_application_status(NUMBER, CODE)

    assert statuses(view) == ["received", "routed", "answered"]
    assert view["status"] == "answered"


SAME_MILLISECOND = "2026-03-02T10:15:00.000+03:00"


def test_timeline_is_in_order_when_events_share_a_millisecond_and_arrive_in_order(tracking, received_event):
    tracking.handle_application_received(received_event(NUMBER, tracking_code=CODE, received_at=SAME_MILLISECOND))
    tracking.handle_application_routed(routed_event(SAME_MILLISECOND))
    tracking.handle_application_answered(answered_event(SAME_MILLISECOND))

    view = tracking.get_application_status(NUMBER, CODE)

    assert (statuses(view), view["status"]) == (["received", "routed", "answered"], "answered")


def test_timeline_is_in_order_when_events_share_a_millisecond_and_arrive_out_of_order(tracking, received_event):
    tracking.handle_application_answered(answered_event(SAME_MILLISECOND))
    tracking.handle_application_routed(routed_event(SAME_MILLISECOND))
    tracking.handle_application_received(received_event(NUMBER, tracking_code=CODE, received_at=SAME_MILLISECOND))

    view = tracking.get_application_status(NUMBER, CODE)

    assert (statuses(view), view["status"]) == (["received", "routed", "answered"], "answered")



@pytest.mark.parametrize("order", [
    ("routed", "returned", "routed again"),
    ("routed again", "returned", "routed"),
    ("returned", "routed again", "routed"),
], ids="-".join)
def test_reroute_within_one_millisecond_shows_the_last_unit_whatever_order_events_arrive_in(
        tracking, received_event, order):
    events = {
        "routed": routed_event(SAME_MILLISECOND, step=1),
        "returned": returned_event(SAME_MILLISECOND, step=2),
        "routed again": routed_event(SAME_MILLISECOND, "34-police", "İstanbul İl Emniyet Müdürlüğü", step=3),
    }
    tracking.handle_application_received(received_event(NUMBER, tracking_code=CODE, received_at=SAME_MILLISECOND))
    for name in order:
        getattr(tracking, "handle_" + events[name]["event_name"])(events[name])

    view = tracking.get_application_status(NUMBER, CODE)

    assert statuses(view) == ["received", "routed", "returned", "routed"]
    assert (view["status"], view["unit"]) == ("routed", {"name": "İstanbul İl Emniyet Müdürlüğü"})


def test_later_moment_orders_before_step_when_events_arrive_out_of_order(tracking, received):
    tracking.handle_application_received(received)
    tracking.handle_application_answered(answered_event(step=4))
    tracking.handle_application_routed(routed_event("2026-03-04T11:00:00.000+03:00", "34-police",
                                                    "İstanbul İl Emniyet Müdürlüğü", step=3))
    tracking.handle_application_returned(returned_event(step=2))
    tracking.handle_application_routed(routed_event(step=1))

    view = tracking.get_application_status(NUMBER, CODE)

    assert statuses(view) == ["received", "routed", "returned", "routed", "answered"]
    assert (view["status"], view["unit"]) == ("answered", {"name": "İstanbul İl Emniyet Müdürlüğü"})


def contacted_event(step=2):
    return new_event("applicant_contacted", NUMBER, channel="phone", contacted_by="istanbul.router", step=step)


def deadline_event(name):
    return new_event(name, NUMBER, unit_id=UNIT_ID, due_at="2026-03-09T10:15:00+03:00")


def test_contacts_and_deadlines_change_no_public_status(tracking, store, received):
    tracking.handle_application_received(received)
    tracking.handle_application_routed(routed_event())
    before = tracking.get_application_status(NUMBER, CODE)

    tracking.handle_applicant_contacted(contacted_event())
    tracking.handle_deadline_approaching(deadline_event("deadline_approaching"))
    tracking.handle_deadline_missed(deadline_event("deadline_missed"))

    assert tracking.get_application_status(NUMBER, CODE) == before
    document = store.find(NUMBER)
    assert {"last_contacted_at", "deadline_approaching_at", "deadline_missed_at"} <= set(document)
    assert "istanbul.router" not in json.dumps(before, ensure_ascii=False)


def test_contact_or_deadline_before_the_application_leaves_it_unknown_until_received(tracking, received):
    tracking.handle_applicant_contacted(contacted_event(step=1))
    tracking.handle_deadline_missed(deadline_event("deadline_missed"))
    with pytest.raises(NotFound):
        tracking.get_application_status(NUMBER, CODE)

    tracking.handle_application_received(received)

    view = tracking.get_application_status(NUMBER, CODE)
    assert (view["status"], statuses(view)) == ("received", ["received"])


def test_no_notice_once_a_failed_sms_was_delivered_after_all(tracking, received):
    from contracts.events import new_event

    about = dict(message_id="m1", template="application_received", provider="verimor")
    tracking.handle_application_received(received)
    tracking.handle_sms_failed(new_event("sms_failed", NUMBER, reason="gave up", **about))
    assert "notice" in tracking.get_application_status(NUMBER, CODE)

    tracking.handle_sms_delivered(new_event("sms_delivered", NUMBER, **about))

    assert "notice" not in tracking.get_application_status(NUMBER, CODE)


# --- the legal clock (issue 22) ---------------------------------------------------------------------

def test_both_deadlines_count_the_days_left_from_turkeys_date(tracking, received, monkeypatch):
    # received 2 March 10:15, due 9 March, statutory 1 April
    tracking.handle_application_received(dict(received, statutory_due_at="2026-04-01T10:15:00+03:00"))
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 9, 23, 30, tzinfo=clock.TURKEY))

    deadlines = tracking.get_application_status(NUMBER, CODE)["deadlines"]

    assert deadlines == {"answer": {"due_at": "2026-03-09T10:15:00+03:00", "days_left": 0},
                         "statutory": {"due_at": "2026-04-01T10:15:00+03:00", "days_left": 23}}
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 11, 0, 5, tzinfo=clock.TURKEY))
    assert tracking.get_application_status(NUMBER, CODE)["deadlines"]["answer"]["days_left"] == -2


def test_once_answered_no_days_are_left_to_count(tracking, received):
    tracking.handle_application_received(received)
    tracking.handle_application_answered(new_event(
        "application_answered", NUMBER, unit_id="34-health", outcome="positive", answer_text="Yapıldı.",
        answered_at="2026-03-05T10:00:00+03:00", step=2, answers_objection=False, verification_code="7KQ2M-9XH4T"))

    deadlines = tracking.get_application_status(NUMBER, CODE)["deadlines"]

    assert {name: deadline["days_left"] for name, deadline in deadlines.items()} == {"answer": None, "statutory": None}


def test_an_application_received_before_the_statutory_clock_shows_only_the_answer_target(tracking, received):
    event = dict(received)
    del event["statutory_due_at"]
    tracking.handle_application_received(event)

    assert set(tracking.get_application_status(NUMBER, CODE)["deadlines"]) == {"answer"}
