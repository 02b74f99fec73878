import re
from datetime import UTC, datetime, timedelta

import pytest

from common import clock
from common.errors import Conflict, ValidationFailed
from contracts.intake.requests import CITIZEN_CHANNELS, validate_application
from services.intake import domain

NUMBER_FORMAT = re.compile(r"^\d{4}-\d{6}$")
KEY_FIELD = "headers.Idempotency-Key"


@pytest.fixture
def valid_application(application_body):
    return validate_application(application_body(), allowed_channels=CITIZEN_CHANNELS)


def turkey_time(*args):
    return datetime(*args, tzinfo=clock.TURKEY)


# Application numbers

@pytest.mark.parametrize("sequence, expected", [
    (1, "2026-000001"),
    (123, "2026-000123"),
    (999999, "2026-999999"),
])
def test_application_number_is_year_then_six_digit_sequence(sequence, expected):
    number = domain.application_number(turkey_time(2026, 3, 2, 10, 15), sequence)

    assert number == expected
    assert NUMBER_FORMAT.match(number)


def test_application_number_takes_the_year_of_turkish_time_not_utc():
    new_year_in_istanbul = turkey_time(2027, 1, 1, 1, 30)  # still 2026 in UTC

    assert domain.application_number(new_year_in_istanbul, 1) == "2027-000001"
    assert domain.sequence_name(new_year_in_istanbul) == "application_no:2027"


def test_each_year_has_its_own_sequence():
    assert domain.sequence_name(turkey_time(2026, 12, 31, 23, 59)) != domain.sequence_name(
        turkey_time(2027, 1, 1, 0, 0))


# Tracking codes

def test_tracking_code_has_the_documented_length_and_alphabet():
    for _ in range(200):
        code = domain.new_tracking_code()
        assert len(code) == domain.TRACKING_CODE_LENGTH == 8
        assert set(code) <= set(domain.TRACKING_CODE_ALPHABET)


def test_tracking_code_letters_are_equally_likely_and_all_used():
    assert 256 % len(domain.TRACKING_CODE_ALPHABET) == 0  # a random byte maps onto it evenly
    letters = "".join(domain.new_tracking_code() for _ in range(500))
    assert set(letters) == set(domain.TRACKING_CODE_ALPHABET)


def test_tracking_code_alphabet_leaves_out_characters_misread_aloud():
    assert not set("0O1I") & set(domain.TRACKING_CODE_ALPHABET)


def test_tracking_codes_of_consecutive_numbers_all_differ(valid_application):
    received_at = turkey_time(2026, 3, 2, 10, 15)
    codes = [
        domain.new_application(valid_application, domain.application_number(received_at, sequence),
                               received_at, None, "fingerprint")["tracking_code"]
        for sequence in range(1, 101)
    ]

    assert len(set(codes)) == len(codes)


def test_tracking_code_is_not_a_function_of_the_number(valid_application):
    received_at = turkey_time(2026, 3, 2, 10, 15)

    first = domain.new_application(valid_application, "2026-000007", received_at, None, "f")
    second = domain.new_application(valid_application, "2026-000007", received_at, None, "f")

    assert first["tracking_code"] != second["tracking_code"]


# Fingerprints

def test_fingerprint_ignores_key_order_at_every_level():
    body = {"kind": "complaint", "applicant": {"first_name": "Ayşe", "last_name": "Yılmaz"}}
    reordered = {"applicant": {"last_name": "Yılmaz", "first_name": "Ayşe"}, "kind": "complaint"}

    assert domain.fingerprint(body) == domain.fingerprint(reordered)


@pytest.mark.parametrize("changed", [
    {"kind": "request", "applicant": {"first_name": "Ayşe"}},
    {"kind": "complaint", "applicant": {"first_name": "Ayse"}},
    {"kind": "complaint", "applicant": {"first_name": "Ayşe", "last_name": None}},
    {"kind": "complaint", "applicant": {}},
])
def test_fingerprint_changes_with_any_value(changed):
    body = {"kind": "complaint", "applicant": {"first_name": "Ayşe"}}

    assert domain.fingerprint(body) != domain.fingerprint(changed)


# Idempotency keys

def test_no_key_means_no_scoped_key():
    assert domain.scoped_idempotency_key("citizen", None) is None


def test_key_is_scoped_to_its_entry_point():
    citizen = domain.scoped_idempotency_key("citizen", "retry-1f3a")
    desk = domain.scoped_idempotency_key("desk", "retry-1f3a")

    assert citizen != desk
    assert "retry-1f3a" in citizen and "retry-1f3a" in desk


def test_key_of_100_printable_ascii_characters_is_accepted():
    assert domain.scoped_idempotency_key("citizen", "~" * 100).endswith("~" * 100)


@pytest.mark.parametrize("key", [
    "",
    "k" * 101,
    "anahtar-ş",
    "key with spaces",
    "tab\tinside",
    12345,
], ids=["empty", "too-long", "non-ascii", "space", "control", "not-a-string"])
def test_invalid_key_is_refused_under_the_header_field(key):
    with pytest.raises(ValidationFailed) as refused:
        domain.scoped_idempotency_key("citizen", key)

    assert list(refused.value.fields) == [KEY_FIELD]


# The stored record and its receipt

def test_due_date_is_seven_days_after_receipt_for_a_complaint():
    received_at = turkey_time(2026, 3, 2, 10, 15)

    assert domain.due_at(received_at, "complaint") - received_at == timedelta(days=7)


def test_new_application_keeps_the_applicant_apart_and_owes_one_received_event(valid_application):
    received_at = turkey_time(2026, 3, 2, 10, 15)

    document = domain.new_application(valid_application, "2026-000042", received_at, "citizen:k", "fp")

    assert document["_id"] == document["application_no"] == "2026-000042"
    assert document["applicant"] == {
        "national_id": "10000000146", "first_name": "Ayşe", "last_name": "Yılmaz",
        "phone": "+905321234567", "email": None,
    }
    assert not {"national_id", "first_name", "last_name", "phone"} & set(document)
    assert document["outbox_pending"] is True
    [event] = document["outbox"]
    assert event["event_name"] == "application_received"
    assert event["application_no"] == "2026-000042"
    assert event["tracking_code"] == document["tracking_code"]


def test_application_without_key_gets_a_key_unique_to_its_number(valid_application):
    received_at = turkey_time(2026, 3, 2, 10, 15)

    first = domain.new_application(valid_application, "2026-000001", received_at, None, "fp")
    second = domain.new_application(valid_application, "2026-000002", received_at, None, "fp")

    assert first["idempotency_key"] != second["idempotency_key"]


def test_receipt_shows_turkish_time_of_a_datetime_read_back_in_utc():
    document = {
        "application_no": "2026-000042", "tracking_code": "K7M2PQ9X",
        "received_at": datetime(2026, 3, 2, 7, 15, 30, 250000, tzinfo=UTC),
        "due_at": datetime(2026, 3, 9, 7, 15, 30, tzinfo=UTC),
    }

    assert domain.receipt(document) == {
        "application_no": "2026-000042",
        "tracking_code": "K7M2PQ9X",
        "status": "received",
        "received_at": "2026-03-02T10:15:30+03:00",
        "due_at": "2026-03-09T10:15:30+03:00",
    }


def test_replay_with_the_same_body_gives_the_first_receipt(valid_application):
    document = domain.new_application(valid_application, "2026-000042", turkey_time(2026, 3, 2, 10, 15),
                                      "citizen:k", domain.fingerprint({"a": 1, "b": 2}))

    assert domain.replay(document, domain.fingerprint({"b": 2, "a": 1})) == domain.receipt(document)


def test_replay_with_another_body_is_a_conflict(valid_application):
    document = domain.new_application(valid_application, "2026-000042", turkey_time(2026, 3, 2, 10, 15),
                                      "citizen:k", domain.fingerprint({"a": 1}))

    with pytest.raises(Conflict):
        domain.replay(document, domain.fingerprint({"a": 2}))
