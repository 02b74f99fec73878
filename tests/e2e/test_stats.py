"""GET /api/v1/stats against the running system: applications submitted, routed to a unit made for
this test and answered by that unit's own officer show in tracking's statistics (they arrive by
event, so the test waits for them). The session's system is shared with other tests: counts are
read for the test's unit, or compared before and after."""
import uuid

import pytest

from common import clock
from tests.support.processes import wait_until
from tests.support.samples import PASSWORD
from tests.support.staff_client import received_application


@pytest.fixture(scope="module")
def unit_and_officer(staff):
    """A unit of Ankara made for this test, and the username of its unit officer."""
    unit = staff.request("POST", "/api/v1/admin/units", "ankara.admin",
                         json={"name": "İstatistik Test Birimi", "type": "governorship"})
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["unit_id"]
    username = "stats-" + uuid.uuid4().hex[:10]
    account = staff.request("POST", "/api/v1/admin/users", "ankara.admin",
                            json={"username": username, "password": PASSWORD, "role": "unit", "province": "06",
                                  "unit_id": unit_id})
    assert account.status_code == 201, account.text
    return unit_id, username


def stats(staff, who, **params):
    response = staff.request("GET", "/api/v1/stats", who, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_submitted_routed_and_answered_applications_show_in_the_statistics(staff, unit_and_officer):
    unit_id, officer = unit_and_officer
    before = stats(staff, "ankara.admin")["total"]
    answered, routed, unrouted = (received_application(staff)["application_no"] for _ in range(3))
    for application_no in (answered, routed):
        response = staff.route("ankara.router", application_no, unit_id)
        assert response.status_code == 200, response.text
    response = staff.answer(officer, answered)
    assert response.status_code == 200, response.text

    def settled():
        seen = stats(staff, "ankara.router", unit_id=unit_id)
        return seen if seen["by_status"]["answered"] == 1 and seen["total"] == 2 else None

    mine = wait_until(settled, 15, interval=0.2, what="the test unit's statistics")

    today = clock.now().date()
    assert (mine["province_code"], mine["unit_id"], mine["to"]) == ("06", unit_id, today.isoformat())
    assert mine["by_status"] == {"received": 0, "routed": 1, "returned": 0, "answered": 1, "objected": 0}
    assert mine["by_kind"] == {"request": 2} and mine["by_channel"] == {"web": 2}
    assert [(row["unit_id"], row["total"], row["answered"], row["overdue"]) for row in mine["by_unit"]] == [
        (unit_id, 2, 1, 0)]
    assert mine["answered"]["count"] == mine["answered"]["on_time"] == 1
    assert mine["answered"]["on_time_share"] == 1.0
    assert 0 <= mine["answered"]["median_hours"] == mine["answered"]["p90_hours"] < 1
    assert mine["overdue"] == {"count": 0, "items": []}

    # The unit's own officer sees the same, and only their unit.
    assert {key: value for key, value in stats(staff, officer).items() if key != "generated_at"} == {
        key: value for key, value in mine.items() if key != "generated_at"}
    # The whole province: at least the three new ones more (other tests may add their own).
    province = wait_until(lambda: (lambda seen: seen if seen["total"] >= before + 3 else None)(
        stats(staff, "ankara.admin", province="ankara")), 15, interval=0.2, what="the province's statistics")
    assert province["unit_id"] is None
    assert sum(province["by_status"].values()) == province["total"]
    assert unit_id in [row["unit_id"] for row in province["by_unit"]]
    assert unrouted not in [item["application_no"] for item in province["overdue"]["items"]]


def test_a_period_before_the_applications_holds_none_of_them(staff, unit_and_officer):
    unit_id, _ = unit_and_officer

    old = stats(staff, "ankara.router", unit_id=unit_id, **{"from": "2025-01-01", "to": "2025-01-31"})

    assert (old["from"], old["to"], old["total"]) == ("2025-01-01", "2025-01-31", 0)


def test_who_may_see_which_statistics(staff, unit_and_officer):
    unit_id, officer = unit_and_officer
    cases = [
        ("ankara.desk", {}, 403),
        ("istanbul.router", {"province": "ankara"}, 404),
        ("istanbul.admin", {"province": "06"}, 404),
        (officer, {"unit_id": "06-cankaya-health"}, 404),
        (officer, {"unit_id": unit_id}, 200),
        ("ankara.health", {}, 200),
        ("istanbul.router", {}, 200),
    ]
    for who, params, expected in cases:
        response = staff.request("GET", "/api/v1/stats", who, params=params)
        assert (who, params, response.status_code) == (who, params, expected), response.text
    assert stats(staff, "istanbul.router")["province_code"] == "34"


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-02-30"}, "from"),
    ({"to": "yarın"}, "to"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
    ({"from": "2020-01-01", "to": "2026-01-01"}, "from"),
    ({"province": "atlantis"}, "province"),
])
def test_bad_queries_are_422_naming_the_field(staff, params, field):
    response = staff.request("GET", "/api/v1/stats", "ankara.router", params=params)

    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"
    assert set(response.json()["error"]["fields"]) == {field}
