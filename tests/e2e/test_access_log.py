"""Who looked at my data (issue 22, docs/api.md#access-log), over HTTP against the running system:
a router and the unit's officer open an application's record; its applicant, with the tracking
code, sees both reads — when, role, unit or office, purpose — and no officer's name or username, and
nothing of their own personal data; a wrong code is tracking's 404."""
import requests

from tests.support.samples import APPLICANT_PHONE_E164
from tests.support.staff_client import routed_application

CANKAYA_HEALTH_NAME = "Çankaya İlçe Sağlık Müdürlüğü"
OFFICERS = ("ankara.router", "ankara.health", "ankara.admin")


def _access_log(url, receipt, tracking_code=None, **params):
    return requests.get("{}/api/v1/applications/{}/access-log".format(url, receipt["application_no"]),
                        params=dict(params, tracking_code=tracking_code or receipt["tracking_code"]), timeout=15)


def test_the_applicant_sees_who_read_their_data_by_role_and_unit_never_by_name(staff, running_system):
    receipt = routed_application(staff)
    before = _access_log(running_system.url, receipt)
    reason = "Başvuru sahibini aramak için"
    assert staff.record("ankara.router", receipt["application_no"], reason=reason).status_code == 200
    assert staff.record("ankara.health", receipt["application_no"]).status_code == 200

    answer = _access_log(running_system.url, receipt)

    assert before.status_code == 200  # the test's own wait for the application read its record too
    assert answer.status_code == 200, answer.text
    log = answer.json()
    assert log["application_no"] == receipt["application_no"]
    assert log["reads"][:len(before.json()["reads"])] == before.json()["reads"]
    new = log["reads"][len(before.json()["reads"]):]
    assert [(read["role"], read["unit"], read["purpose"]) for read in new] == [
        ("router", "Valilik Açık Kapı bürosu", reason),
        ("unit", CANKAYA_HEALTH_NAME, "Başvurunun işlenmesi"),
    ]
    assert new[0]["at"] <= new[1]["at"]
    text = answer.text
    assert not [name for name in OFFICERS if name in text]
    assert APPLICANT_PHONE_E164 not in text and "10000000146" not in text

    english = _access_log(running_system.url, receipt, language="en").json()
    assert [read["role_text"] for read in english["reads"]][-2:] == ["Açık Kapı routing officer", "Officer of the unit"]


def test_a_wrong_code_is_the_same_404_as_tracking_and_a_missing_one_422(staff, running_system, api):
    receipt = routed_application(staff)

    wrong = _access_log(running_system.url, receipt, tracking_code="WRONGCODE")
    tracked = api.track(receipt["application_no"], "WRONGCODE")
    missing = requests.get("{}/api/v1/applications/{}/access-log".format(running_system.url, receipt["application_no"]),
                           timeout=15)

    assert (wrong.status_code, wrong.json()) == (404, tracked.json()) and tracked.status_code == 404
    assert missing.status_code == 422 and "tracking_code" in missing.json()["error"]["fields"]
