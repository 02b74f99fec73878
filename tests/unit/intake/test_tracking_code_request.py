"""A lost tracking code (issue 19, docs/api.md#lost-tracking-code): intake owes the SMS only when
the national ID is the applicant's, at most once an hour per application, in one conditional
write with the event; the answer is the same whatever happened. On mongomock and the embedded
store (the conditional write is a query each engine runs)."""
from datetime import timedelta

import pytest

from common import clock
from common.errors import ValidationFailed
from common.fields import NOT_A_STRING, REQUIRED, UNKNOWN_FIELD
from contracts.events import CATALOGUE, ENVELOPE_FIELDS
from contracts.intake.requests import NATIONAL_ID_FORMAT, NATIONAL_ID_INVALID
from services.intake import domain
from services.intake.store import IntakeStore
from tests.support.samples import national_id, staff_principal

NATIONAL_ID = "10000000146"  # the sample applicant's
SOMEONE_ELSE = national_id("123456789")
ISTANBUL_ADMIN = staff_principal("istanbul.admin")


@pytest.fixture
def store(database_on_each_engine):
    store = IntakeStore(database_on_each_engine)
    store.create_indexes()
    return store


@pytest.fixture
def number(intake, store, application_body):
    """An application of NATIONAL_ID whose received event is out already."""
    application_no = intake.submit_application(application_body())["application_no"]
    store.applications.update_many({}, {"$set": {"outbox": [], "outbox_pending": False}})
    return application_no


@pytest.fixture
def clock_at(monkeypatch):
    """``clock_at(moment)`` sets what clock.now() answers from then on."""
    def set_to(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)

    return set_to


def owed(store, application_no):
    return [event for event in store.applications.find_one({"_id": application_no})["outbox"]
            if event["event_name"] == "tracking_code_requested"]


def ask(intake, application_no, national_id=NATIONAL_ID):
    return intake.request_tracking_code(application_no, {"national_id": national_id})


# --- a match ----------------------------------------------------------------------------------

def test_the_right_national_id_owes_the_code_to_the_phone_on_record(intake, store, number, kick_counter):
    kick_counter.count = 0

    assert ask(intake, number) is None

    [event] = owed(store, number)
    document = store.applications.find_one({"_id": number})
    assert set(event) == set(ENVELOPE_FIELDS) | set(CATALOGUE["tracking_code_requested"].fields)
    assert (event["application_no"], event["tracking_code"]) == (number, document["tracking_code"])
    assert abs(clock.from_iso(event["requested_at"]) - document["tracking_code_sent_at"]) < timedelta(milliseconds=1)
    assert document["outbox_pending"] is True
    assert kick_counter.count == 1  # the relay is woken to publish it


def test_the_event_carries_nothing_personal(intake, store, number):
    ask(intake, number)

    [event] = owed(store, number)
    assert not {"phone", "national_id", "applicant"} & set(event)
    assert NATIONAL_ID not in str(event) and "5321234567" not in str(event)


def test_a_second_request_within_the_hour_owes_nothing_more(intake, store, number, clock_at, kick_counter):
    start = clock.now()
    clock_at(start)
    ask(intake, number)
    kick_counter.count = 0

    clock_at(start + timedelta(minutes=59))
    assert ask(intake, number) is None

    assert len(owed(store, number)) == 1
    assert kick_counter.count == 0


def test_an_hour_later_the_code_may_be_sent_again(intake, store, number, clock_at):
    start = clock.now()
    clock_at(start)
    ask(intake, number)

    clock_at(start + domain.TRACKING_CODE_INTERVAL + timedelta(seconds=1))
    ask(intake, number)

    first, second = owed(store, number)
    assert first["requested_at"] != second["requested_at"]  # two requests, two SMS (notification's key)


def test_two_requests_at_once_owe_one_sms(store, number):
    """Both read the application before either writes: the conditional write lets one through."""
    document = store.applications.find_one({"_id": number})
    now = clock.now()
    results = [store.owe_tracking_code(number, NATIONAL_ID, domain.reminded_before(now),
                                       domain.tracking_code_requested(document, now), now) for _ in range(2)]

    assert results == [True, False]
    assert len(owed(store, number)) == 1


# --- no match: the same answer, nothing owed ------------------------------------------------------

@pytest.mark.parametrize("application_no, national_id", [
    ("number", SOMEONE_ELSE),  # the right number, another person
    ("2026-999999", NATIONAL_ID),  # a number nobody has
    ("not-a-number", NATIONAL_ID),  # not of our format at all
    ("2026-00000١", NATIONAL_ID),  # an Arabic-Indic digit: not ours either
])
def test_no_match_answers_the_same_and_owes_nothing(intake, store, number, kick_counter, application_no,
                                                     national_id):
    kick_counter.count = 0

    answer = intake.request_tracking_code(number if application_no == "number" else application_no,
                                          {"national_id": national_id})

    assert answer is None  # as for a match
    assert owed(store, number) == []
    assert "tracking_code_sent_at" not in store.applications.find_one({"_id": number})
    assert kick_counter.count == 0


def test_an_erased_applicant_never_matches(intake, store, number):
    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": "KVKK md. 7 silme talebi"})

    assert ask(intake, number) is None

    assert owed(store, number) == []


def test_an_erasure_between_the_read_and_the_write_wins(store, number):
    document = store.applications.find_one({"_id": number})
    store.applications.update_one({"_id": number}, {"$set": {"applicant": None}})
    now = clock.now()

    assert not store.owe_tracking_code(number, NATIONAL_ID, domain.reminded_before(now),
                                       domain.tracking_code_requested(document, now), now)
    assert owed(store, number) == []


@pytest.mark.parametrize("application_no, national_id", [
    ("number", NATIONAL_ID), ("number", SOMEONE_ELSE), ("2026-999999", NATIONAL_ID)])
def test_the_national_id_is_compared_once_whatever_the_outcome(monkeypatch, intake, number, application_no,
                                                                 national_id):
    """The same work for a hit and a miss: one constant-time comparison each (an unknown number is
    compared with a stand-in)."""
    compared = []

    def compare_digest(held, given):
        compared.append((len(held), len(given)))
        return held == given

    monkeypatch.setattr(domain.hmac, "compare_digest", compare_digest)

    intake.request_tracking_code(number if application_no == "number" else application_no, {"national_id": national_id})

    assert compared == [(11, 11)]


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("body, fields", [
    ({"national_id": "12345"}, {"national_id": NATIONAL_ID_FORMAT}),
    ({"national_id": "10000000147"}, {"national_id": NATIONAL_ID_INVALID}),
    ({"national_id": 10000000146}, {"national_id": NOT_A_STRING}),
    ({}, {"national_id": REQUIRED}),
    ({"national_id": NATIONAL_ID, "phone": "0532 123 45 67"}, {"phone": UNKNOWN_FIELD}),
])
def test_a_bad_body_is_refused_naming_the_field(intake, store, number, body, fields):
    with pytest.raises(ValidationFailed) as refused:
        intake.request_tracking_code(number, body)

    assert refused.value.fields == fields
    assert owed(store, number) == []


def test_a_body_that_is_not_an_object_is_refused(intake, number):
    with pytest.raises(ValidationFailed) as refused:
        intake.request_tracking_code(number, [NATIONAL_ID])

    assert set(refused.value.fields) == {"body"}


# --- the rules alone -------------------------------------------------------------------------------

def test_applicant_matches_only_the_held_national_id():
    document = {"applicant": {"national_id": NATIONAL_ID}}

    assert domain.applicant_matches(document, NATIONAL_ID)
    assert not domain.applicant_matches(document, SOMEONE_ELSE)
    assert not domain.applicant_matches({"applicant": None}, NATIONAL_ID)  # erased
    assert not domain.applicant_matches(None, NATIONAL_ID)  # unknown


def test_the_interval_is_one_hour():
    now = clock.now()

    assert domain.TRACKING_CODE_INTERVAL == timedelta(hours=1)
    assert domain.reminded_before(now) == now - timedelta(hours=1)
