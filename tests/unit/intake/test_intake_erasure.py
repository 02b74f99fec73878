"""KVKK at intake: an admin exports or erases one applicant's personal data, found by national ID
within the admin's province; every export and erasure is audited; an erasure owes
``applicant_data_erased`` in the same write."""
import pytest

from common.errors import Conflict, NotFound, ValidationFailed
from contracts.events import CATALOGUE, ENVELOPE_FIELDS
from contracts.intake.requests import NATIONAL_ID_INVALID
from docstore import EmbeddedClient
from services.intake.store import IntakeStore
from tests.support.files_on_disk import holding
from tests.support.samples import intake_worker, staff_principal

NATIONAL_ID = "10000000146"
OTHER_NATIONAL_ID = "10000000078"
ISTANBUL_ADMIN = staff_principal("istanbul.admin")
ANKARA_ADMIN = staff_principal("ankara.admin")
REASON = "KVKK md. 7 silme başvurusu, masada kimlik doğrulandı."
PERSONAL_VALUES = (NATIONAL_ID, "Ayşe", "Yılmaz", "+905321234567", "ayse@example.com", "Yoldaki çukur",
                   "Sokağımızdaki")


def submit(intake, application_body, national_id=NATIONAL_ID, **overrides):
    body = application_body(**overrides)
    body["applicant"].update(national_id=national_id, email="ayse@example.com")
    return intake.submit_application(body)


def publish_all(store):
    """As the relay does once the broker confirms: nothing owed any more."""
    store.applications.update_many({}, {"$set": {"outbox": [], "outbox_pending": False}})


@pytest.fixture
def two_of_hers_and_one_other(intake, store, application_body):
    """Two İstanbul applications of NATIONAL_ID, one of someone else, one of hers in Ankara."""
    mine = [submit(intake, application_body)["application_no"],
            submit(intake, application_body, kind="request")["application_no"]]
    other = submit(intake, application_body, national_id=OTHER_NATIONAL_ID)["application_no"]
    ankara = submit(intake, application_body, province="ankara", district="çankaya")["application_no"]
    publish_all(store)
    return mine, other, ankara


# --- export ----------------------------------------------------------------------------------

def test_export_gives_every_application_of_the_applicant_in_the_admins_province(intake, two_of_hers_and_one_other):
    mine, _, _ = two_of_hers_and_one_other

    exported = intake.export_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID})

    assert exported["national_id"] == NATIONAL_ID
    assert [application["application_no"] for application in exported["applications"]] == mine
    first = exported["applications"][0]
    assert first["applicant"] == {"national_id": NATIONAL_ID, "first_name": "Ayşe", "last_name": "Yılmaz",
                                  "phone": "+905321234567", "email": "ayse@example.com"}
    assert first["subject"] == "Yoldaki çukur" and first["description"].startswith("Sokağımızdaki")
    assert (first["province"], first["district"], first["kind"]) == ("İstanbul", "Kadıköy", "complaint")


def test_export_is_audited_per_application_without_the_national_id(intake, store, two_of_hers_and_one_other):
    mine, _, _ = two_of_hers_and_one_other

    intake.export_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID})

    entries = list(store.audit_log.find({}, {"_id": 0}))
    assert sorted(entry["application_no"] for entry in entries) == mine
    for entry in entries:
        assert (entry["reader"], entry["role"], entry["province_code"], entry["purpose"]) == (
            "istanbul.admin", "admin", "34", "kvkk_export")
        assert entry["at"] is not None
        assert NATIONAL_ID not in str(entry)


def test_another_provinces_applications_are_invisible(intake, two_of_hers_and_one_other):
    _, _, ankara = two_of_hers_and_one_other

    exported = intake.export_personal_data(ANKARA_ADMIN, {"national_id": NATIONAL_ID})

    assert [application["application_no"] for application in exported["applications"]] == [ankara]


def test_nobody_found_is_not_found_and_not_audited(intake, store, two_of_hers_and_one_other):
    with pytest.raises(NotFound):
        intake.export_personal_data(ISTANBUL_ADMIN, {"national_id": "10000000528"})
    with pytest.raises(NotFound):
        intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": "10000000528", "reason": REASON})

    assert store.audit_log.count_documents({}) == 0


@pytest.mark.parametrize("body, fields", [
    ({"national_id": "10000000147"}, {"national_id": NATIONAL_ID_INVALID}),
    ({"national_id": "01234567890"}, {"national_id"}),
    ({"national_id": 10000000146}, {"national_id"}),
    ({}, {"national_id"}),
    ({"national_id": NATIONAL_ID, "phone": "+905321234567"}, {"phone"}),
    (["10000000146"], {"body"}),
])
def test_export_request_is_validated_naming_the_field(intake, body, fields):
    with pytest.raises(ValidationFailed) as refused:
        intake.export_personal_data(ISTANBUL_ADMIN, body)

    if isinstance(fields, dict):
        assert refused.value.fields == fields
    else:
        assert set(refused.value.fields) == fields
    assert NATIONAL_ID[:-1] not in str(refused.value.fields)


@pytest.mark.parametrize("body, fields", [
    ({"national_id": NATIONAL_ID}, {"reason"}),
    ({"national_id": NATIONAL_ID, "reason": "yok"}, {"reason"}),
    ({"national_id": "10000000147", "reason": REASON}, {"national_id"}),
    ({"reason": REASON}, {"national_id"}),
])
def test_erasure_request_is_validated_naming_the_field(intake, store, body, fields):
    with pytest.raises(ValidationFailed) as refused:
        intake.erase_personal_data(ISTANBUL_ADMIN, body)

    assert set(refused.value.fields) == fields


# --- erasure ---------------------------------------------------------------------------------

def test_erasure_removes_the_personal_fields_and_keeps_the_record(intake, store, two_of_hers_and_one_other):
    mine, other, ankara = two_of_hers_and_one_other

    receipt = intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})

    assert receipt["erased"] == mine and receipt["erased_at"].endswith("+03:00")
    for number in mine:
        document = store.find_application(number)
        assert document["applicant"] is None and document["subject"] is None and document["description"] is None
        assert document["fingerprint"] is None
        assert document["personal_data_erased"]["by"] == "istanbul.admin"
        assert (document["application_no"], document["province"], document["district"]) == (
            number, "İstanbul", "Kadıköy")
        assert document["tracking_code"] and document["kind"] and document["category"]
        stored = str({key: value for key, value in document.items() if key != "outbox"})
        assert not [value for value in PERSONAL_VALUES if value in stored]
    assert store.find_application(other)["applicant"]["national_id"] == OTHER_NATIONAL_ID
    assert store.find_application(ankara)["applicant"]["national_id"] == NATIONAL_ID


def test_erasure_owes_the_event_in_the_same_write_with_nothing_personal(intake, store, kick_counter,
                                                                          two_of_hers_and_one_other):
    mine, _, _ = two_of_hers_and_one_other
    kicks = kick_counter.count

    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})

    for number in mine:
        document = store.find_application(number)
        [event] = document["outbox"]
        assert document["outbox_pending"] is True
        assert event["event_name"] == "applicant_data_erased" and event["application_no"] == number
        assert set(event) == set(ENVELOPE_FIELDS) | set(CATALOGUE["applicant_data_erased"].fields)
        assert not [value for value in PERSONAL_VALUES if value in str(event)]
    assert kick_counter.count == kicks + 1


def test_an_event_still_owed_loses_its_phone(intake, store, application_body):
    number = submit(intake, application_body)["application_no"]  # the relay has not published yet

    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})

    received, erased = store.find_application(number)["outbox"]
    assert (received["event_name"], received["phone"]) == ("application_received", None)
    assert erased["event_name"] == "applicant_data_erased"
    assert "+905321234567" not in str(store.find_application(number))


def test_erasure_is_audited_with_the_reason(intake, store, two_of_hers_and_one_other):
    mine, _, _ = two_of_hers_and_one_other

    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})

    entries = list(store.audit_log.find({"purpose": "kvkk_erasure"}))
    assert sorted(entry["application_no"] for entry in entries) == mine
    assert {(entry["reader"], entry["reason"]) for entry in entries} == {("istanbul.admin", REASON)}
    assert NATIONAL_ID not in str(entries)


def test_erasing_twice_changes_nothing_and_finds_nothing(intake, store, two_of_hers_and_one_other):
    mine, _, _ = two_of_hers_and_one_other
    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})
    before = [store.find_application(number) for number in mine]

    with pytest.raises(NotFound):
        intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})

    assert [store.find_application(number) for number in mine] == before


def test_after_erasure_export_finds_nothing_personal(intake, two_of_hers_and_one_other):
    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})

    with pytest.raises(NotFound):
        intake.export_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID})


def test_staff_record_shows_the_applicant_as_erased(intake, two_of_hers_and_one_other):
    mine, _, _ = two_of_hers_and_one_other
    before = intake.get_application_record(ISTANBUL_ADMIN, mine[0])
    assert before["personal_data_erased"] is None

    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})
    record = intake.get_application_record(ISTANBUL_ADMIN, mine[0])

    assert record["applicant"] is None and record["subject"] is None and record["description"] is None
    assert record["personal_data_erased"]["by"] == "istanbul.admin"
    assert record["personal_data_erased"]["at"].endswith("+03:00")
    assert set(record) == set(before)


def test_a_retried_submission_after_erasure_is_refused_not_answered(intake, store, application_body):
    body = application_body()
    intake.submit_application(body, idempotency_key="retry-1")
    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})

    with pytest.raises(Conflict):  # the body's fingerprint is gone with the data it was made of
        intake.submit_application(body, idempotency_key="retry-1")
    assert store.applications.count_documents({}) == 1


# --- on disk (issue 16) ------------------------------------------------------------------------

def test_an_erasure_leaves_no_copy_in_the_embedded_stores_files(tmp_path, application_body, kick_counter):
    """The RPC's 200 means the erased values are in no file of intake's store (the embedded
    engine's log too), while another applicant's are still there."""
    client = EmbeddedClient(str(tmp_path / "intake.db"))
    embedded = IntakeStore(client.get_database("intake"))
    embedded.create_indexes()
    intake = intake_worker(applications=embedded, publish_owed_events=kick_counter)
    submit(intake, application_body)
    other = application_body()
    other["applicant"].update(national_id=OTHER_NATIONAL_ID, phone="0533 765 43 21")
    intake.submit_application(other)
    publish_all(embedded)

    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})

    for value in (NATIONAL_ID, "+905321234567"):
        assert holding(tmp_path, value) == set(), value
    assert holding(tmp_path, OTHER_NATIONAL_ID) == {"intake.db"}
    assert holding(tmp_path, "+905337654321") == {"intake.db"}
    client.close()


def test_an_erasure_leaves_no_search_word_of_the_applicant_in_the_embedded_stores_files(
        tmp_path, application_body, kick_counter):
    """The words the search finds an application by are folded copies of its text (issue 18):
    they go with it, index rows included."""
    client = EmbeddedClient(str(tmp_path / "intake.db"))
    embedded = IntakeStore(client.get_database("intake"))
    embedded.create_indexes()
    intake = intake_worker(applications=embedded, publish_owed_events=kick_counter)
    submit(intake, application_body, subject="Komşum Zeytinoğulları",
           description="Komşum Zeytinoğulları gürültü yapıyor.")
    other = application_body(subject="Komşum Kestanecioğlu", description="Komşum Kestanecioğlu gürültü yapıyor.")
    other["applicant"].update(national_id=OTHER_NATIONAL_ID)
    intake.submit_application(other)
    publish_all(embedded)
    assert holding(tmp_path, "zeytinogullari") != set()

    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})

    assert holding(tmp_path, "zeytinogullari") == set() and holding(tmp_path, "Zeytino") == set()
    assert holding(tmp_path, "kestaneciog") != set()
    client.close()
