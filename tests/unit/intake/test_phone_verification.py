"""The phone proven by a one-time code (issue 24), on intake's worker and store: the code leaves only
with the event, is kept as a digest, proves the phone in three tries within five minutes, and a
proof serves one submission for the same phone."""
from dataclasses import replace
from datetime import timedelta

import pytest

from common import clock
from common.errors import Conflict, NotFound, ValidationFailed
from services.intake import phone_verification, service
from services.intake.settings import settings

KEY = b"k" * 32
PHONE = "0532 123 45 67"
PHONE_E164 = "+905321234567"


@pytest.fixture(autouse=True)
def required(monkeypatch):
    monkeypatch.setattr(service, "verification_key", lambda: KEY)
    required_here = replace(settings(), phone_verification=phone_verification.REQUIRED)
    monkeypatch.setattr(service, "settings", lambda: required_here)


def ask(intake, phone=PHONE, language="tr"):
    """(the answer, the code the event carries)."""
    answer = intake.request_phone_verification({"phone": phone, "language": language})
    stored = intake.applications.find_verification(answer["verification_id"])
    [event] = stored["outbox"]
    return answer, event["code"]


def test_a_code_is_owed_to_notification_and_kept_only_as_a_digest(intake, store, kick_counter):
    answer, code = ask(intake, language="en")

    stored = store.find_verification(answer["verification_id"])
    [event] = stored["outbox"]
    assert event["event_name"] == "phone_verification_requested" and event["application_no"] is None
    assert (event["phone"], event["language"]) == (PHONE_E164, "en")
    assert event["verification_id"] == answer["verification_id"]
    assert len(code) == 6 and code.isdigit()
    assert code not in str({key: value for key, value in stored.items() if key != "outbox"})
    assert PHONE_E164 not in str({key: value for key, value in stored.items() if key != "outbox"})
    assert answer["attempts_left"] == 3
    assert clock.from_iso(answer["expires_at"]) - stored["created_at"] <= timedelta(minutes=5, seconds=1)
    assert kick_counter.count >= 1


def test_the_answer_is_the_same_for_any_phone(intake):
    first, _ = ask(intake, phone="0532 123 45 67")
    second, _ = ask(intake, phone="0555 987 65 43")
    assert set(first) == set(second) and first["attempts_left"] == second["attempts_left"]


def test_a_bad_phone_is_named(intake):
    with pytest.raises(ValidationFailed) as refused:
        intake.request_phone_verification({"phone": "0212 123 45 67"})
    assert set(refused.value.fields) == {"phone"}


def test_the_right_code_proves_it_and_proving_again_answers_the_same(intake):
    answer, code = ask(intake)

    proven = intake.prove_phone(answer["verification_id"], {"code": code})
    again = intake.prove_phone(answer["verification_id"], {"code": code})

    assert proven["verified"] is True and again == proven


def test_three_wrong_codes_lock_it_even_for_the_right_one(intake):
    answer, code = ask(intake)
    wrong = "000000" if code != "000000" else "111111"

    for left in (2, 1):
        with pytest.raises(ValidationFailed) as refused:
            intake.prove_phone(answer["verification_id"], {"code": wrong})
        assert "{} deneme".format(left) in refused.value.fields["code"]
    with pytest.raises(Conflict) as third:
        intake.prove_phone(answer["verification_id"], {"code": wrong})
    assert third.value.code == "verification_locked"
    with pytest.raises(Conflict) as after:
        intake.prove_phone(answer["verification_id"], {"code": code})
    assert after.value.code == "verification_locked"


def test_an_expired_code_is_refused(intake, store):
    answer, code = ask(intake)
    store.phone_verifications.update_one({"_id": answer["verification_id"]},
                                         {"$set": {"expires_at": clock.now() - timedelta(seconds=1)}})
    with pytest.raises(Conflict) as refused:
        intake.prove_phone(answer["verification_id"], {"code": code})
    assert refused.value.code == "verification_expired"


def test_an_unknown_or_malformed_id_is_not_found_and_a_malformed_code_named(intake):
    for verification_id in ("0" * 32, "../etc", ""):
        with pytest.raises(NotFound):
            intake.prove_phone(verification_id, {"code": "123456"})
    answer, _ = ask(intake)
    with pytest.raises(ValidationFailed) as refused:
        intake.prove_phone(answer["verification_id"], {"code": "12345"})
    assert set(refused.value.fields) == {"code"}


def with_proof(application_body, verification_id, code=None, phone=PHONE):
    body = application_body(phone_verification={"id": verification_id, "code": code})
    body["applicant"]["phone"] = phone
    return body


def test_without_a_proof_a_submission_is_refused_naming_the_field(intake, store, application_body):
    with pytest.raises(ValidationFailed) as refused:
        intake.submit_application(application_body())
    assert set(refused.value.fields) == {"phone_verification"}
    assert store.applications.count_documents({}) == 0


def test_a_proven_phone_serves_one_submission_and_is_not_kept(intake, store, application_body):
    answer, code = ask(intake)
    intake.prove_phone(answer["verification_id"], {"code": code})

    receipt = intake.submit_application(with_proof(application_body, answer["verification_id"]),
                                        idempotency_key="first")
    replayed = intake.submit_application(with_proof(application_body, answer["verification_id"]),
                                         idempotency_key="first")
    with pytest.raises(ValidationFailed) as reused:
        intake.submit_application(with_proof(application_body, answer["verification_id"]), idempotency_key="second")

    assert replayed == receipt
    assert "kullanıldı" in reused.value.fields["phone_verification"]
    stored = store.find_application(receipt["application_no"])
    assert stored["phone_verified"] is True and "phone_verification" not in stored
    assert store.applications.count_documents({}) == 1


def test_the_code_may_come_with_the_submission(intake, store, application_body):
    answer, code = ask(intake)
    receipt = intake.submit_application(with_proof(application_body, answer["verification_id"], code))
    assert store.find_application(receipt["application_no"])["phone_verified"] is True


def test_a_wrong_code_with_the_submission_counts_as_a_try_named_under_the_proof(intake, store, application_body):
    answer, code = ask(intake)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationFailed) as refused:
        intake.submit_application(with_proof(application_body, answer["verification_id"], wrong))
    assert set(refused.value.fields) == {"phone_verification.code"}
    assert store.find_verification(answer["verification_id"])["attempts"] == 1
    assert store.applications.count_documents({}) == 0


def test_a_proof_of_another_phone_is_refused(intake, application_body):
    answer, code = ask(intake, phone="0555 987 65 43")
    with pytest.raises(ValidationFailed) as refused:
        intake.submit_application(with_proof(application_body, answer["verification_id"], code))
    assert "başka bir telefon" in refused.value.fields["phone_verification"]


def test_a_proof_past_its_half_hour_is_refused(intake, store, application_body):
    answer, code = ask(intake)
    intake.prove_phone(answer["verification_id"], {"code": code})
    store.phone_verifications.update_one({"_id": answer["verification_id"]},
                                         {"$set": {"proven_at": clock.now() - timedelta(minutes=31)}})
    with pytest.raises(ValidationFailed) as refused:
        intake.submit_application(with_proof(application_body, answer["verification_id"]))
    assert "süresi doldu" in refused.value.fields["phone_verification"]


def test_the_desk_needs_no_proof(intake, store, application_body):
    desk = {"username": "istanbul.desk", "role": "desk", "province_code": "34", "unit_id": None}
    receipt = intake.submit_application(application_body(channel="desk"), entry_point="desk", officer=desk)
    stored = store.find_application(receipt["application_no"])
    assert stored["phone_verified"] is False
    assert stored["identity"]["checked_by"] == "desk_officer" and stored["identity"]["officer"] == "istanbul.desk"


def test_verifications_past_a_day_are_deleted_when_another_is_asked_for(intake, store):
    old, _ = ask(intake)
    store.phone_verifications.update_one({"_id": old["verification_id"]},
                                         {"$set": {"discard_at": clock.now() - timedelta(seconds=1)}})
    ask(intake)
    assert store.find_verification(old["verification_id"]) is None


def test_the_catalogue_tells_forms_what_to_ask_for(intake):
    requirements = intake.get_catalog()["requirements"]
    assert requirements == {"identity_registry": False, "phone_verification": True, "code_length": 6,
                            "code_lifetime_seconds": 300, "max_attempts": 3}
