"""Revocation with real processes: an officer an admin demotes, moves, deactivates or gives a new
password loses the old token's rights within TOKEN_CHECK_SECONDS (1 s here; at most 60 s), on
every gateway worker; the last active admin of a province cannot be demoted or deactivated."""
import time

import pytest

from tests.support.processes import system_of_its_own, wait_until
from tests.support.staff_client import StaffApi

CHECK_SECONDS = 1
QUEUE = "/api/v1/staff/applications"
NEW_PASSWORD = "yepyeni-parola-456"


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with system_of_its_own(tmp_path_factory, "revocation",
                           extra_env={"TOKEN_CHECK_SECONDS": str(CHECK_SECONDS), "GATEWAY_WORKERS": "2"}) as running:
        yield running


@pytest.fixture(scope="module")
def staff(system):
    return StaffApi(system.url)


def change(staff, username, body):
    return staff.request("PATCH", "/api/v1/admin/users/" + username, "ankara.admin", json=body)


def seconds_until_refused(staff, headers, path=QUEUE):
    """Seconds from now until the old token is refused; then it stays refused on every worker."""
    started = time.monotonic()
    wait_until(lambda: staff.request("GET", path, headers).status_code == 401, timeout=60,
               interval=0.1, what="the old token refused")
    elapsed = time.monotonic() - started
    time.sleep(CHECK_SECONDS + 0.5)  # every worker's remembered generation has expired by now
    assert {staff.request("GET", path, headers).status_code for _ in range(12)} == {401}
    return elapsed


@pytest.mark.parametrize("username, body", [
    ("ankara.router", {"role": "desk"}),  # demoted
    ("ankara.health", {"unit_id": "06-national_education"}),  # moved to another unit
    ("ankara.education", {"active": False}),  # deactivated
    ("istanbul.router", None),  # not of the admin's province: stays as it is (the control)
])
def test_a_changed_officers_old_token_is_refused_within_the_check_period(staff, username, body):
    headers = staff.headers(username)
    assert staff.request("GET", QUEUE, headers).status_code == 200

    if body is None:
        time.sleep(CHECK_SECONDS + 0.5)
        assert {staff.request("GET", QUEUE, headers).status_code for _ in range(6)} == {200}
        return
    assert change(staff, username, body).status_code == 200, body

    assert seconds_until_refused(staff, headers) <= CHECK_SECONDS + 2


def test_a_new_password_refuses_the_old_token_and_the_new_login_has_the_new_rights(staff):
    headers = staff.headers("ankara.desk")
    assert staff.request("GET", "/api/v1/units", headers).status_code == 200

    assert change(staff, "ankara.desk", {"password": NEW_PASSWORD}).status_code == 200

    assert seconds_until_refused(staff, headers, "/api/v1/units") <= CHECK_SECONDS + 2
    login = staff.login("ankara.desk", NEW_PASSWORD)
    assert login.status_code == 200
    fresh = {"Authorization": "Bearer " + login.json()["access_token"]}
    assert staff.request("GET", "/api/v1/units", fresh).status_code == 200


def test_the_demoted_officer_logs_in_again_with_the_new_role_only(staff):
    assert change(staff, "ankara.router", {"role": "desk"}).status_code == 200  # as above, if run alone
    login = staff.login("ankara.router")
    assert login.status_code == 200 and login.json()["role"] == "desk"
    fresh = {"Authorization": "Bearer " + login.json()["access_token"]}

    assert staff.request("GET", QUEUE, fresh).status_code == 403
    assert staff.request("GET", "/api/v1/units", fresh).status_code == 200


def test_a_deactivated_officer_cannot_log_in(staff):
    assert change(staff, "ankara.education", {"active": False}).status_code == 200
    assert staff.login("ankara.education").status_code == 401


@pytest.mark.parametrize("body", [{"active": False}, {"role": "router"}])
def test_the_last_active_admin_of_a_province_cannot_be_demoted_or_deactivated(staff, body):
    response = change(staff, "ankara.admin", body)

    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "last_admin"
    turkish, english = error["message"].split(" / ")
    assert turkish and "last active admin" in english
    admins = [account for account in staff.request("GET", "/api/v1/admin/users", "ankara.admin").json()
              if account["role"] == "admin" and account["active"]]
    assert [admin["username"] for admin in admins] == ["ankara.admin"]
    assert staff.request("GET", "/api/v1/admin/users", "ankara.admin").status_code == 200  # its token still works
