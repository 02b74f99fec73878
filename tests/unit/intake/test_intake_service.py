import re
from datetime import timedelta

import pytest

from common import clock
from common.errors import Conflict, NotFound, ValidationFailed
from contracts.events import CATALOGUE, ENVELOPE_FIELDS
from contracts.intake.requests import CITIZEN_CHANNELS, validate_application
from services.intake.domain import new_application
from tests.support.samples import intake_worker

TURKISH_OFFSET = "+03:00"


@pytest.fixture
def relay_kick(store, kick_counter):
    """Counts kicks and notes how many applications were stored at each one."""
    kick_counter.on_kick = lambda: store.applications.count_documents({})
    return kick_counter


@pytest.fixture
def intake(store, relay_kick):
    return intake_worker(applications=store, publish_owed_events=relay_kick)


ISTANBUL_DESK = {"username": "istanbul.desk", "role": "desk", "province_code": "34", "unit_id": None}


def stored_documents(store):
    return list(store.applications.find().sort("application_no", 1))


def sequence_of(application_no):
    return int(application_no.split("-")[1])


def test_valid_submission_gets_a_received_receipt(intake, application_body):
    receipt = intake.submit_application(application_body())

    assert set(receipt) == {"application_no", "tracking_code", "status", "received_at", "due_at"}
    assert receipt["status"] == "received"
    assert re.fullmatch(r"{}-\d{{6}}".format(clock.now().year), receipt["application_no"])
    assert receipt["received_at"].endswith(TURKISH_OFFSET)
    assert receipt["due_at"].endswith(TURKISH_OFFSET)
    assert clock.from_iso(receipt["due_at"]) - clock.from_iso(receipt["received_at"]) == timedelta(days=7)


def test_submission_stores_the_applicant_and_owes_one_received_event(intake, store, application_body):
    receipt = intake.submit_application(application_body())

    [document] = stored_documents(store)
    assert document["application_no"] == receipt["application_no"]
    assert document["applicant"]["national_id"] == "10000000146"
    assert document["applicant"]["first_name"] == "Ayşe"
    assert document["applicant"]["last_name"] == "Yılmaz"
    assert document["applicant"]["phone"] == "+905321234567"
    assert document["outbox_pending"] is True
    [event] = document["outbox"]
    assert event["event_name"] == "application_received"
    assert event["application_no"] == receipt["application_no"]
    assert event["phone"] == "+905321234567"
    assert event["tracking_code"] == receipt["tracking_code"]
    assert set(event) == set(ENVELOPE_FIELDS) | set(CATALOGUE["application_received"].fields)


def test_the_law_s_limit_runs_from_the_receipt_beside_the_answer_target(intake, store, application_body):
    receipt = intake.submit_application(application_body())

    [document] = stored_documents(store)
    [event] = document["outbox"]
    received_at = clock.from_iso(receipt["received_at"])
    assert clock.from_iso(event["statutory_due_at"]) == received_at + timedelta(days=30)  # Law 3071, art. 7
    assert document["statutory_due_at"].replace(microsecond=0) == clock.from_iso(event["statutory_due_at"])
    assert clock.from_iso(event["due_at"]) == received_at + timedelta(days=7)


def test_same_key_and_same_body_gives_the_same_receipt_and_one_application(intake, store, application_body):
    first = intake.submit_application(application_body(), idempotency_key="retry-77")
    again = intake.submit_application(application_body(), idempotency_key="retry-77")

    assert again == first
    assert len(stored_documents(store)) == 1


def test_same_key_with_keys_reordered_is_still_the_same_body(intake, store, application_body):
    body = application_body()
    reordered = dict(reversed(list(body.items())))

    first = intake.submit_application(body, idempotency_key="retry-77")

    assert intake.submit_application(reordered, idempotency_key="retry-77") == first
    assert len(stored_documents(store)) == 1


def test_same_key_with_another_body_is_a_conflict(intake, store, application_body):
    intake.submit_application(application_body(), idempotency_key="retry-77")

    with pytest.raises(Conflict):
        intake.submit_application(application_body(subject="Başka bir konu"), idempotency_key="retry-77")
    assert len(stored_documents(store)) == 1


def test_same_key_at_another_entry_point_is_another_application(intake, store, application_body):
    intake.submit_application(application_body(), entry_point="citizen", idempotency_key="k-1")

    desk_receipt = intake.submit_application(application_body(channel="desk"), entry_point="desk",
                                             idempotency_key="k-1", officer=ISTANBUL_DESK)

    assert desk_receipt["status"] == "received"
    assert len(stored_documents(store)) == 2


def test_desk_application_records_the_officer(intake, store, application_body):
    receipt = intake.submit_application(application_body(channel="desk"), entry_point="desk",
                                        officer=ISTANBUL_DESK)

    assert store.find_application(receipt["application_no"])["entered_by"] == "istanbul.desk"


def test_desk_takes_applications_for_its_own_province_only(intake, store, application_body):
    ankara_desk = dict(ISTANBUL_DESK, username="ankara.desk", province_code="06")

    with pytest.raises(ValidationFailed) as refused:
        intake.submit_application(application_body(channel="desk"), entry_point="desk", officer=ankara_desk)

    assert set(refused.value.fields) == {"province"}
    assert stored_documents(store) == []


def test_staff_record_read_is_audited_and_scoped(intake, store, application_body):
    receipt = intake.submit_application(application_body())
    number = receipt["application_no"]
    ankara_router = dict(ISTANBUL_DESK, username="ankara.router", role="router", province_code="06")

    with pytest.raises(NotFound):
        intake.get_application_record(ankara_router, number)
    record = intake.get_application_record(dict(ISTANBUL_DESK, role="router"), number, purpose="telefonla arama")

    assert record["applicant"]["phone"] == "+905321234567"
    assert [(entry["reader"], entry["purpose"]) for entry in store.audit_log.find()] == [
        ("istanbul.desk", "telefonla arama")]


def test_submissions_without_a_key_are_separate_applications_numbered_consecutively(
        intake, store, application_body):
    first = intake.submit_application(application_body())
    second = intake.submit_application(application_body())

    assert first["application_no"] != second["application_no"]
    assert first["tracking_code"] != second["tracking_code"]
    assert sequence_of(second["application_no"]) == sequence_of(first["application_no"]) + 1
    assert len(stored_documents(store)) == 2


def test_invalid_body_is_refused_and_stores_nothing_nor_uses_a_number(
        intake, store, relay_kick, application_body):
    with pytest.raises(ValidationFailed) as refused:
        intake.submit_application(application_body(kind="lawsuit", district=""))

    assert set(refused.value.fields) == {"kind", "district"}
    assert stored_documents(store) == []
    assert relay_kick.count == 0
    assert sequence_of(intake.submit_application(application_body())["application_no"]) == 1


def test_channel_of_another_entry_point_is_refused(intake, store, application_body):
    with pytest.raises(ValidationFailed) as refused:
        intake.submit_application(application_body(channel="desk"), entry_point="citizen")

    assert list(refused.value.fields) == ["channel"]
    assert stored_documents(store) == []


def test_invalid_idempotency_key_is_refused_before_anything_is_stored(intake, store, application_body):
    with pytest.raises(ValidationFailed) as refused:
        intake.submit_application(application_body(), idempotency_key="ş" * 3)

    assert list(refused.value.fields) == ["headers.Idempotency-Key"]
    assert stored_documents(store) == []


def test_relay_is_kicked_once_after_the_application_is_stored(intake, relay_kick, application_body):
    intake.submit_application(application_body())

    assert relay_kick.count == 1
    assert relay_kick.observed == [1]


def test_the_new_application_is_stored_leased_to_the_relay_and_handed_to_it(intake, store, relay_kick,
                                                                            application_body):
    receipt = intake.submit_application(application_body(), idempotency_key="k-1")
    intake.submit_application(application_body(), idempotency_key="k-1")  # a replay hands nothing over

    [stored] = stored_documents(store)
    assert stored["outbox_claim"] == relay_kick.claim and stored["outbox_lease"] > clock.now()
    assert [document["application_no"] for document in relay_kick.handed] == [receipt["application_no"]]
    assert [event["event_name"] for event in relay_kick.handed[0]["outbox"]] == ["application_received"]


def test_catalogue_offers_kinds_categories_and_provinces(intake):
    catalogue = intake.get_catalog()

    assert "complaint" in [kind["code"] for kind in catalogue["kinds"]]
    assert "general" in [category["code"] for category in catalogue["categories"]]
    assert len(catalogue["provinces"]) == 81


def test_insert_that_loses_a_key_race_returns_the_winning_application(store, application_body):
    application = validate_application(application_body(), allowed_channels=CITIZEN_CHANNELS)
    winner = new_application(application, "2026-000001", clock.now(), "citizen:k", "fp")
    loser = new_application(application, "2026-000002", clock.now(), "citizen:k", "fp")
    store.insert_application(winner)

    answer = store.insert_application(loser)

    assert answer["application_no"] == "2026-000001"
    assert [document["application_no"] for document in stored_documents(store)] == ["2026-000001"]


def test_sequences_count_independently_per_name(store):
    assert [store.next_sequence("application_no:2026") for _ in range(3)] == [1, 2, 3]
    assert store.next_sequence("application_no:2027") == 1
