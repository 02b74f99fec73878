"""Tracking's part of what the applicant does after the answer: object once within OBJECTION_DAYS
(services/tracking/objections.py), rate each answer once (feedback.py), and the KVKK erasure of
their words. Real stores (mongomock and the embedded engine), the outbox's events as owed."""
from datetime import datetime, timedelta

import pytest
from nameko.testing.services import worker_factory

from common import clock
from common.errors import Conflict, NotFound, ValidationFailed
from contracts.events import CATALOGUE, new_event
from services.tracking import statistics
from services.tracking.service import TrackingService
from services.tracking.settings import settings as tracking_settings
from services.tracking.store import TrackingStore
from tests.support.fake_relay import FakeRelay

NUMBER, CODE = "2026-000001", "K7M2PQ9X"
UNIT = {"unit_id": "34-health", "name": "İstanbul İl Sağlık Müdürlüğü"}
ANSWERED_AT = datetime(2026, 3, 5, 14, 0, tzinfo=clock.TURKEY)
OBJECTION_TEXT = "Yanıt, başvurduğum sokağı değil başka bir sokağı anlatıyor."


@pytest.fixture
def store(database_on_each_engine):
    store = TrackingStore(database_on_each_engine)
    store.create_indexes()
    return store


@pytest.fixture
def relay():
    return FakeRelay()


@pytest.fixture
def tracking(store, relay):
    return worker_factory(TrackingService, applications=store, publish_owed_events=relay)


@pytest.fixture
def now(monkeypatch):
    """The time the services read, settable: ``now.at(moment)``; a day after the answer to start."""

    class Now:
        moment = ANSWERED_AT + timedelta(days=1)

        def at(self, moment):
            self.moment = moment

    current = Now()
    monkeypatch.setattr(clock, "now", lambda: current.moment)
    return current


def answered(tracking, received_event, answered_at=ANSWERED_AT):
    tracking.handle_application_received(received_event(NUMBER, tracking_code=CODE))
    routed = new_event("application_routed", NUMBER, unit_id=UNIT["unit_id"], unit_name=UNIT["name"],
                       routed_by="istanbul.router", due_at="2026-03-09T10:15:00+03:00", step=1)
    routed["occurred_at"] = clock.to_iso(answered_at - timedelta(days=1), "milliseconds")
    tracking.handle_application_routed(routed)
    tracking.handle_application_answered(answer_event(answered_at, step=2))


def answer_event(answered_at, step, answers_objection=False, text="Gereği yapıldı, teşekkür ederiz."):
    return new_event("application_answered", NUMBER, unit_id=UNIT["unit_id"], outcome="positive", answer_text=text,
                     answered_at=clock.to_iso(answered_at, "milliseconds"), step=step,
                     answers_objection=answers_objection, verification_code="7KQ2M-9XH4T")


def owed_events(store):
    return [event for event in store.find(NUMBER).get("outbox", [])]


# --- objection ----------------------------------------------------------------------------------

def test_an_objection_within_the_window_reopens_the_application_and_owes_its_event(tracking, store, relay,
                                                                                   received_event, now):
    answered(tracking, received_event)

    view = tracking.file_objection(NUMBER, {"tracking_code": CODE.lower(), "text": OBJECTION_TEXT}, language="en")

    assert view["status"] == "objected"
    assert view["objection"] == {"text": OBJECTION_TEXT, "filed_at": clock.to_iso(now.moment), "answer": None}
    assert view["timeline"][-1]["text"].startswith("Your objection to the answer was received")
    assert "objection_until" not in view
    # the objection's own clocks: seven days for the answer, the law's thirty at the latest
    assert view["deadlines"]["answer"] == {"due_at": clock.to_iso(now.moment + timedelta(days=7)), "days_left": 7}
    assert view["deadlines"]["statutory"]["days_left"] == 30
    [event] = owed_events(store)
    assert event["event_name"] == "objection_filed" and set(CATALOGUE["objection_filed"].fields) <= set(event)
    assert event["unit_id"] == UNIT["unit_id"] and event["text"] == OBJECTION_TEXT
    assert clock.from_iso(event["due_at"]) == now.moment + timedelta(days=7)
    assert clock.from_iso(event["statutory_due_at"]) == now.moment + timedelta(days=30)
    assert relay.count == 1


def test_the_tracking_view_says_until_when_an_objection_may_be_filed(tracking, received_event, now):
    answered(tracking, received_event)

    view = tracking.get_application_status(NUMBER, CODE)

    assert view["objection_until"] == clock.to_iso(ANSWERED_AT + timedelta(days=15))
    now.at(ANSWERED_AT + timedelta(days=15, seconds=1))
    assert "objection_until" not in tracking.get_application_status(NUMBER, CODE)


def test_a_second_objection_is_refused(tracking, received_event, now):
    answered(tracking, received_event)
    tracking.file_objection(NUMBER, {"tracking_code": CODE, "text": OBJECTION_TEXT})

    with pytest.raises(Conflict) as refused:
        tracking.file_objection(NUMBER, {"tracking_code": CODE, "text": OBJECTION_TEXT + " Yine."})

    assert refused.value.code == "already_objected"


def test_a_second_objection_racing_the_first_is_refused_by_the_store(tracking, store, received_event, now):
    """Both read the application before either wrote: the conditional write lets one through."""
    answered(tracking, received_event)
    document = store.find(NUMBER)
    from services.tracking import objections
    assert store.file_objection(NUMBER, *objections.objection(document, OBJECTION_TEXT, now.moment))

    assert not store.file_objection(NUMBER, *objections.objection(document, OBJECTION_TEXT, now.moment))
    assert len(owed_events(store)) == 1


@pytest.mark.parametrize("days, allowed", [(15, True), (15.0001, False), (40, False)])
def test_the_window_is_fifteen_days_after_the_answer(tracking, received_event, now, days, allowed):
    answered(tracking, received_event)
    now.at(ANSWERED_AT + timedelta(days=days))

    if allowed:
        assert tracking.file_objection(NUMBER, {"tracking_code": CODE, "text": OBJECTION_TEXT})["status"] == "objected"
        return
    with pytest.raises(Conflict) as refused:
        tracking.file_objection(NUMBER, {"tracking_code": CODE, "text": OBJECTION_TEXT})
    assert refused.value.code == "objection_window_closed"
    assert "15" in refused.value.message


@pytest.fixture
def objection_days(monkeypatch):
    """Sets OBJECTION_DAYS for the test, read afresh (the service reads it once per process)."""
    def set_to(value):
        monkeypatch.setenv("OBJECTION_DAYS", value)
        tracking_settings.cache_clear()

    yield set_to
    monkeypatch.delenv("OBJECTION_DAYS", raising=False)
    tracking_settings.cache_clear()


def test_objection_days_sets_the_window(tracking, received_event, now, objection_days):
    objection_days("3")
    answered(tracking, received_event)
    now.at(ANSWERED_AT + timedelta(days=4))

    with pytest.raises(Conflict):
        tracking.file_objection(NUMBER, {"tracking_code": CODE, "text": OBJECTION_TEXT})


@pytest.mark.parametrize("value", ["0", "-2", "fifteen", "367"])
def test_a_bad_objection_days_setting_stops_the_service(objection_days, value):
    objection_days(value)

    with pytest.raises(ValueError, match="OBJECTION_DAYS"):
        tracking_settings()


def test_no_objection_before_an_answer(tracking, received_event, now):
    tracking.handle_application_received(received_event(NUMBER, tracking_code=CODE))

    with pytest.raises(Conflict) as refused:
        tracking.file_objection(NUMBER, {"tracking_code": CODE, "text": OBJECTION_TEXT})

    assert refused.value.code == "not_answered"


@pytest.mark.parametrize("number, code", [(NUMBER, "WRONG123"), ("2026-999999", CODE)])
def test_a_wrong_code_or_number_is_not_found(tracking, received_event, now, number, code):
    answered(tracking, received_event)

    with pytest.raises(NotFound):
        tracking.file_objection(number, {"tracking_code": code, "text": OBJECTION_TEXT})


@pytest.mark.parametrize("body, field", [
    ({"tracking_code": CODE}, "text"),
    ({"tracking_code": CODE, "text": "kısa"}, "text"),
    ({"tracking_code": CODE, "text": "x" * 2001}, "text"),
    ({"tracking_code": CODE, "text": 12345678901}, "text"),
    ({"text": OBJECTION_TEXT}, "tracking_code"),
])
def test_a_bad_objection_is_refused_naming_the_field(tracking, received_event, now, body, field):
    answered(tracking, received_event)

    with pytest.raises(ValidationFailed) as refused:
        tracking.file_objection(NUMBER, body)

    assert field in refused.value.fields


def test_the_answer_to_the_objection_is_the_objections_own(tracking, received_event, now):
    answered(tracking, received_event)
    tracking.file_objection(NUMBER, {"tracking_code": CODE, "text": OBJECTION_TEXT})
    later = now.moment + timedelta(days=2)
    tracking.handle_application_answered(answer_event(later, step=4, answers_objection=True,
                                                      text="Doğru sokak için ekip gönderildi."))

    view = tracking.get_application_status(NUMBER, CODE)

    assert view["status"] == "answered"
    assert view["answer"]["text"] == "Gereği yapıldı, teşekkür ederiz."  # the first answer stays
    assert view["objection"]["answer"]["text"] == "Doğru sokak için ekip gönderildi."
    assert view["deadlines"]["answer"]["days_left"] is None
    assert [entry["status"] for entry in view["timeline"]] == ["received", "routed", "answered", "objected",
                                                               "answered"]


# --- rating -------------------------------------------------------------------------------------

def test_each_answer_is_rated_once(tracking, received_event, now):
    answered(tracking, received_event)

    rating = tracking.give_feedback(NUMBER, {"tracking_code": CODE, "score": 4, "comment": "Hızlıydı."})
    with pytest.raises(Conflict) as refused:
        tracking.give_feedback(NUMBER, {"tracking_code": CODE, "score": 1})

    assert rating == {"score": 4, "comment": "Hızlıydı.", "given_at": clock.to_iso(now.moment)}
    assert refused.value.code == "already_rated"
    assert tracking.get_application_status(NUMBER, CODE)["answer"]["feedback"] == rating


def test_the_answer_to_an_objection_is_rated_on_its_own(tracking, received_event, now):
    answered(tracking, received_event)
    tracking.give_feedback(NUMBER, {"tracking_code": CODE, "score": 1})
    tracking.file_objection(NUMBER, {"tracking_code": CODE, "text": OBJECTION_TEXT})
    with pytest.raises(Conflict) as waiting:
        tracking.give_feedback(NUMBER, {"tracking_code": CODE, "score": 5})
    tracking.handle_application_answered(answer_event(now.moment + timedelta(days=1), step=4, answers_objection=True))

    tracking.give_feedback(NUMBER, {"tracking_code": CODE, "score": 5})

    view = tracking.get_application_status(NUMBER, CODE)
    assert waiting.value.code == "not_answered"
    assert view["answer"]["feedback"]["score"] == 1
    assert view["objection"]["answer"]["feedback"]["score"] == 5


def test_no_rating_before_an_answer(tracking, received_event, now):
    tracking.handle_application_received(received_event(NUMBER, tracking_code=CODE))

    with pytest.raises(Conflict) as refused:
        tracking.give_feedback(NUMBER, {"tracking_code": CODE, "score": 3})

    assert refused.value.code == "not_answered"


@pytest.mark.parametrize("body, field", [
    ({"tracking_code": CODE}, "score"),
    ({"tracking_code": CODE, "score": 0}, "score"),
    ({"tracking_code": CODE, "score": 6}, "score"),
    ({"tracking_code": CODE, "score": "4"}, "score"),
    ({"tracking_code": CODE, "score": 4.5}, "score"),
    ({"tracking_code": CODE, "score": True}, "score"),
    ({"tracking_code": CODE, "score": 3, "comment": "x" * 1001}, "comment"),
])
def test_a_bad_rating_is_refused_naming_the_field(tracking, received_event, now, body, field):
    answered(tracking, received_event)

    with pytest.raises(ValidationFailed) as refused:
        tracking.give_feedback(NUMBER, body)

    assert field in refused.value.fields


def test_a_wrong_code_rates_nothing(tracking, received_event, now):
    answered(tracking, received_event)

    with pytest.raises(NotFound):
        tracking.give_feedback(NUMBER, {"tracking_code": "WRONG123", "score": 5})

    assert tracking.get_application_status(NUMBER, CODE)["answer"]["feedback"] is None


def test_statistics_count_satisfaction_per_unit(tracking, store, received_event, now):
    answered(tracking, received_event)
    tracking.give_feedback(NUMBER, {"tracking_code": CODE, "score": 4})

    documents = store.received_in("34", ANSWERED_AT - timedelta(days=30), ANSWERED_AT, statistics.STATS_FIELDS)
    stats = statistics.statistics(documents, now.moment)

    distribution = {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}
    assert stats["satisfaction"] == {"count": 1, "mean": 4.0, "distribution": distribution}
    assert stats["satisfaction_by_unit"] == [dict(UNIT, count=1, mean=4.0, distribution=distribution)]


# --- KVKK ---------------------------------------------------------------------------------------

def test_erasure_takes_the_applicants_words_and_keeps_the_rest(tracking, store, received_event, now):
    answered(tracking, received_event)
    tracking.give_feedback(NUMBER, {"tracking_code": CODE, "score": 2, "comment": "Ayşe Yılmaz olarak memnun değilim."})
    tracking.file_objection(NUMBER, {"tracking_code": CODE, "text": "Ben Ayşe Yılmaz, yanıt yanlış sokağı anlatıyor."})

    tracking.handle_applicant_data_erased(new_event("applicant_data_erased", NUMBER))
    tracking.handle_applicant_data_erased(new_event("applicant_data_erased", NUMBER))  # redelivered

    document = store.find(NUMBER)
    assert "Ayşe" not in str({key: value for key, value in document.items() if key != "outbox"})
    view = tracking.get_application_status(NUMBER, CODE)
    assert view["objection"]["text"] is None and view["objection"]["filed_at"]
    assert view["answer"]["feedback"] == {"score": 2, "comment": None, "given_at": clock.to_iso(now.moment)}


def test_erasure_of_an_application_with_neither_adds_nothing(tracking, store, received_event, now):
    answered(tracking, received_event)

    tracking.handle_applicant_data_erased(new_event("applicant_data_erased", NUMBER))

    document = store.find(NUMBER)
    assert "objection" not in document and "feedback" not in document
