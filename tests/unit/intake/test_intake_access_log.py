"""Who looked at my data (issue 22, docs/api.md#access-log): intake's side — every audited read of
an application, by role and unit, never by name, for whoever holds its tracking code."""
from datetime import timedelta

import pytest

from common import clock
from common.errors import NotFound
from services.intake import domain
from tests.support.samples import staff_principal

ROUTER = staff_principal("istanbul.router")
HEALTH = staff_principal("istanbul.health")
ADMIN = staff_principal("istanbul.admin")


def test_the_applicant_sees_each_read_by_role_unit_and_purpose_never_by_name(intake, application_body):
    receipt = intake.submit_application(application_body())
    number, code = receipt["application_no"], receipt["tracking_code"]
    intake.get_application_record(ROUTER, number, purpose="telefonla arama")
    intake.get_application_record(HEALTH, number)

    log = intake.get_access_log(number, code)

    assert log["application_no"] == number and log["language"] == "tr"
    assert [{key: read[key] for key in read if key != "at"} for read in log["reads"]] == [
        {"role": "router", "role_text": "Açık Kapı yönlendirme görevlisi", "unit": "Valilik Açık Kapı bürosu",
         "purpose": "telefonla arama"},
        {"role": "unit", "role_text": "Birim görevlisi", "unit_id": "34-health",
         "purpose": "Başvurunun işlenmesi"},
    ]
    assert "istanbul" not in repr(log)  # no username, nothing of the applicant
    assert application_body()["applicant"]["phone"] not in repr(log)


def test_english_on_request_and_a_search_and_a_kvkk_copy_are_named(intake, store, application_body):
    receipt = intake.submit_application(application_body())
    number = receipt["application_no"]
    now = clock.now()
    store.record_reads([domain.audit_entry(ADMIN, number, "kvkk_export", now),
                        domain.audit_entry(ROUTER, number, domain.SEARCH_PURPOSE, now - timedelta(minutes=1))])

    log = intake.get_access_log(number, receipt["tracking_code"], language="en")

    assert [(read["role_text"], read["unit"], read["purpose"]) for read in log["reads"]] == [
        ("Açık Kapı routing officer", "The governorship's Açık Kapı office", "A staff search for applications"),
        ("Açık Kapı administrator", "The governorship's Açık Kapı office", "A copy of your data under KVKK"),
    ]


def test_a_unit_read_audited_before_units_were_kept_names_a_unit(intake, store, application_body):
    receipt = intake.submit_application(application_body())
    entry = domain.audit_entry(HEALTH, receipt["application_no"], "application_handling", clock.now())
    del entry["unit_id"]
    store.record_read(entry)

    [read] = intake.get_access_log(receipt["application_no"], receipt["tracking_code"])["reads"]

    assert read["unit"] == "Bir birim" and "unit_id" not in read


@pytest.mark.parametrize("code", ["WRONG123", "", None, 42, "ğ" * 8])
def test_a_wrong_code_is_not_found_as_an_unknown_number(intake, application_body, code):
    receipt = intake.submit_application(application_body())

    with pytest.raises(NotFound):
        intake.get_access_log(receipt["application_no"], code)
    with pytest.raises(NotFound):
        intake.get_access_log("2026-999999", receipt["tracking_code"])


def test_the_code_is_compared_whole_and_trimmed():
    document = {"tracking_code": "K7M2PQ9X"}

    assert domain.code_matches(document, " K7M2PQ9X ")
    assert not domain.code_matches(document, "K7M2PQ9")
    assert not domain.code_matches(None, "K7M2PQ9X")
