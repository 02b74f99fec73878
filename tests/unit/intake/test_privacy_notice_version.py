"""The privacy notice version an application records (issue 19): optional on both submission
routes, stored with the application, shown in the staff record (null when not given), refused
by name when it is not 1–32 characters of ``[A-Za-z0-9._-]``."""
import pytest

from common.errors import ValidationFailed
from common.fields import NOT_A_STRING
from contracts.intake.requests import PRIVACY_NOTICE_VERSION_FORMAT
from tests.support.samples import staff_principal

ISTANBUL_DESK = staff_principal("istanbul.desk")
ISTANBUL_ROUTER = staff_principal("istanbul.router")
ISTANBUL_ADMIN = staff_principal("istanbul.admin")


def record_of(intake, receipt):
    return intake.get_application_record(ISTANBUL_ROUTER, receipt["application_no"])


@pytest.mark.parametrize("version", ["2026-12", "v1", "2026.12_tr-1", "A" * 32, " 2026-12 "])
def test_an_acknowledged_version_is_stored_and_shown_in_the_staff_record(intake, application_body, version):
    receipt = intake.submit_application(application_body(privacy_notice_version=version))

    assert record_of(intake, receipt)["privacy_notice_version"] == version.strip()


def test_a_desk_application_records_the_version_too(intake, application_body):
    body = application_body(privacy_notice_version="2026-12", channel="desk")

    receipt = intake.submit_application(body, entry_point="desk", officer=ISTANBUL_DESK)

    assert record_of(intake, receipt)["privacy_notice_version"] == "2026-12"


@pytest.mark.parametrize("given", ["absent", None, "", "   "])
def test_without_a_version_the_record_says_null(intake, application_body, given):
    body = application_body() if given == "absent" else application_body(privacy_notice_version=given)

    receipt = intake.submit_application(body)

    assert record_of(intake, receipt)["privacy_notice_version"] is None


@pytest.mark.parametrize("version, reason", [
    ("A" * 33, PRIVACY_NOTICE_VERSION_FORMAT),
    ("2026 12", PRIVACY_NOTICE_VERSION_FORMAT),
    ("sürüm-1", PRIVACY_NOTICE_VERSION_FORMAT),
    ("2026/12", PRIVACY_NOTICE_VERSION_FORMAT),
    ("<b>1</b>", PRIVACY_NOTICE_VERSION_FORMAT),
    (2026, NOT_A_STRING),
    (["2026-12"], NOT_A_STRING),
])
def test_a_bad_version_is_refused_naming_the_field(intake, store, application_body, version, reason):
    with pytest.raises(ValidationFailed) as refused:
        intake.submit_application(application_body(privacy_notice_version=version))

    assert refused.value.fields == {"privacy_notice_version": reason}
    assert store.applications.count_documents({}) == 0


def test_the_version_is_no_personal_data_and_outlives_an_erasure(intake, application_body):
    receipt = intake.submit_application(application_body(privacy_notice_version="2026-12"))
    exported = intake.export_personal_data(ISTANBUL_ADMIN, {"national_id": "10000000146"})

    intake.erase_personal_data(ISTANBUL_ADMIN, {"national_id": "10000000146", "reason": "KVKK md. 7 silme talebi"})

    assert exported["applications"][0]["privacy_notice_version"] == "2026-12"  # the applicant sees it too
    record = record_of(intake, receipt)
    assert record["applicant"] is None and record["privacy_notice_version"] == "2026-12"
