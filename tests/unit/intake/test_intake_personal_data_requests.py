"""The record of KVKK requests (issue 18): each export and erasure is one item of the admin's list,
newest first, the province's only, the national ID masked; requests made before the record existed
are rebuilt from their audit entries."""
from datetime import timedelta

import pytest

from common import clock
from common.errors import NotFound
from services.intake import domain
from tests.support.samples import staff_principal

NATIONAL_ID = "10000000146"
OTHER_NATIONAL_ID = "10000000078"
ISTANBUL_ADMIN = staff_principal("istanbul.admin")
ANKARA_ADMIN = staff_principal("ankara.admin")
REASON = "KVKK md. 7 silme başvurusu, masada kimlik doğrulandı."


def submit(intake, application_body, national_id=NATIONAL_ID, **overrides):
    body = application_body(**overrides)
    body["applicant"]["national_id"] = national_id
    return intake.submit_application(body)["application_no"]


@pytest.fixture
def moments(monkeypatch):
    """``clock.now()`` a minute later at each call, so the order of requests is certain."""
    start = clock.now()
    ticks = iter(range(1000))
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=next(ticks)))


def test_each_request_is_one_item_newest_first(intake, application_body, moments):
    for _ in range(2):
        submit(intake, application_body)
    submit(intake, application_body, national_id=OTHER_NATIONAL_ID)

    intake.export_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID})
    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})
    intake.export_personal_data(ISTANBUL_ADMIN, {"national_id": OTHER_NATIONAL_ID})

    listed = intake.list_personal_data_requests(ISTANBUL_ADMIN)

    assert [(item["action"], item["national_id_masked"], item["applications"], item["reason"]) for item in listed] == [
        ("kvkk_export", "100******78", 1, None),
        ("kvkk_erasure", "100******46", 2, REASON),
        ("kvkk_export", "100******46", 2, None),
    ]
    assert {item["by"] for item in listed} == {"istanbul.admin"}
    assert clock.from_iso(listed[0]["at"]) > clock.from_iso(listed[1]["at"]) > clock.from_iso(listed[2]["at"])
    assert NATIONAL_ID not in str(listed) and OTHER_NATIONAL_ID not in str(listed)


def test_the_list_is_the_provinces_own(intake, application_body):
    submit(intake, application_body)
    intake.export_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID})

    assert intake.list_personal_data_requests(ANKARA_ADMIN) == []
    assert len(intake.list_personal_data_requests(ISTANBUL_ADMIN)) == 1


def test_a_request_finding_nobody_is_not_recorded(intake):
    with pytest.raises(NotFound):
        intake.export_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID})

    assert intake.list_personal_data_requests(ISTANBUL_ADMIN) == []


def test_at_most_a_hundred_are_listed(intake, store, application_body, monkeypatch):
    monkeypatch.setattr(domain, "PERSONAL_DATA_REQUESTS_SHOWN", 2)
    submit(intake, application_body)
    for _ in range(3):
        intake.export_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID})

    assert len(intake.list_personal_data_requests(ISTANBUL_ADMIN)) == 2


def test_the_audit_entries_of_a_request_name_its_record(intake, store, application_body):
    submit(intake, application_body)
    submit(intake, application_body)

    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": NATIONAL_ID, "reason": REASON})

    [record] = store.personal_data_requests.find()
    entries = list(store.audit_log.find())
    assert len(entries) == 2 and {entry["request_id"] for entry in entries} == {record["_id"]}
    assert NATIONAL_ID not in str(record)


@pytest.mark.parametrize("national_id, masked", [("10000000146", "100******46"), ("98765432108", "987******08")])
def test_a_national_id_is_masked_to_its_first_three_and_last_two_digits(national_id, masked):
    assert domain.mask_national_id(national_id) == masked


def test_requests_made_before_their_record_existed_are_rebuilt_once_from_the_audit_log(store, intake):
    """Audit entries as intake wrote them before: one per application, no request id."""
    now = clock.now()
    earlier = domain.kvkk_audit_entries(ISTANBUL_ADMIN, ["2026-000001", "2026-000002"], domain.KVKK_ERASURE, now,
                                        REASON)
    earlier += domain.kvkk_audit_entries(ISTANBUL_ADMIN, ["2026-000003"], domain.KVKK_EXPORT,
                                         now - timedelta(days=1))
    earlier.append(domain.audit_entry(ISTANBUL_ADMIN, "2026-000004", "application_handling", now))
    store.record_reads(earlier)

    store.create_indexes()
    store.create_indexes()  # a second start, or a second process: nothing twice

    listed = intake.list_personal_data_requests(ISTANBUL_ADMIN)
    assert [(item["action"], item["applications"], item["reason"], item["national_id_masked"]) for item in listed] == [
        ("kvkk_erasure", 2, REASON, None), ("kvkk_export", 1, None, None)]
