"""Units and the officers who work at them: a suggestion only among staffed units (kept in step with
staff changes made by any process), each unit's active officers, and a unit with open applications
that cannot be deactivated."""
import pytest

from common import clock
from common.errors import Conflict
from services.routing.accounts_store import AccountsStore
from tests.unit.routing.test_routing import (  # noqa: F401  (routing, relay_kick: fixtures)
    ADMIN,
    ANSWER,
    CANKAYA_HEALTH,
    HEALTH,
    REASON,
    ROUTER,
    receive,
    relay_kick,
    routing,
    staff_units,
)

POLATLI = "Polatlı"  # no district catalogue: its health applications go to the province's unit


def suggested(routing, number):
    unit = routing.get_application(ROUTER, number)["suggested_unit"]
    return unit and unit["unit_id"]


def test_no_unit_without_an_active_officer_is_suggested(routing):
    receive(routing, "2026-000001")

    assert suggested(routing, "2026-000001") is None


def test_the_district_unit_without_an_officer_gives_way_to_the_staffed_province_unit(routing, routing_store):
    staff_units(routing_store, "06-health")

    receive(routing, "2026-000001")

    assert suggested(routing, "2026-000001") == "06-health"


def test_an_inactive_officer_does_not_staff_a_unit(routing, routing_store):
    staff_units(routing_store, CANKAYA_HEALTH, active=False)
    staff_units(routing_store, "06-health")

    receive(routing, "2026-000001")

    assert suggested(routing, "2026-000001") == "06-health"


def test_an_officer_added_by_another_process_makes_the_unit_suggested_at_once(routing, routing_store, mongo_db):
    """Each process keeps the staffed units per staff version (AccountsStore.staffed_unit_ids): an
    officer created through another process's store must reach this one's next suggestion."""
    staff_units(routing_store, "06-health")
    receive(routing, "2026-000001")  # this process's copy now says only the province unit is staffed

    AccountsStore(mongo_db).insert_staff({"_id": "cankaya.saglik", "role": "unit", "province_code": "06",
                                          "unit_id": CANKAYA_HEALTH, "active": True, "created_at": clock.now()})
    receive(routing, "2026-000002")

    assert (suggested(routing, "2026-000001"), suggested(routing, "2026-000002")) == ("06-health", CANKAYA_HEALTH)


@pytest.mark.parametrize("change", [{"active": False}, {"role": "router"}, {"unit_id": "06-health"}])
def test_an_officer_deactivated_or_moved_by_an_admin_unstaffs_the_unit(routing, routing_store, change):
    [officer] = staff_units(routing_store, CANKAYA_HEALTH)
    staff_units(routing_store, "06-health")
    receive(routing, "2026-000001")

    routing.update_staff(ADMIN, officer, change)
    receive(routing, "2026-000002")

    assert (suggested(routing, "2026-000001"), suggested(routing, "2026-000002")) == (CANKAYA_HEALTH, "06-health")


def test_units_list_their_active_unit_officers(routing, routing_store):
    staff_units(routing_store, CANKAYA_HEALTH, CANKAYA_HEALTH.replace("health", "municipality"))
    routing_store.insert_staff({"_id": "second.officer", "role": "unit", "province_code": "06",
                                "unit_id": CANKAYA_HEALTH, "active": True})
    routing_store.insert_staff({"_id": "gone.officer", "role": "unit", "province_code": "06",
                                "unit_id": CANKAYA_HEALTH, "active": False})
    routing_store.insert_staff({"_id": "ankara.router", "role": "router", "province_code": "06", "unit_id": None,
                                "active": True})

    officers = {unit["unit_id"]: unit["active_officers"] for unit in routing.list_units(ROUTER)}

    assert officers[CANKAYA_HEALTH] == 2
    assert officers["06-cankaya-municipality"] == 1
    assert officers["06-health"] == 0
    assert routing.update_unit(ADMIN, CANKAYA_HEALTH, {"name": "Çankaya Sağlık"})["active_officers"] == 2
    assert routing.create_unit(ADMIN, {"name": "Şehir Hastanesi", "type": "health"})["active_officers"] == 0


# --- deactivating a unit --------------------------------------------------------------------------

@pytest.fixture
def at_cankaya_health(routing, routing_store):
    """Three applications routed to Çankaya's health unit; it has an officer."""
    staff_units(routing_store, CANKAYA_HEALTH)
    for number in ("2026-000001", "2026-000002", "2026-000003"):
        receive(routing, number)
        routing.route_application(ROUTER, number, {"unit_id": CANKAYA_HEALTH})


def test_a_unit_with_routed_applications_is_not_deactivated_and_says_how_many(routing, routing_store,
                                                                              at_cankaya_health):
    with pytest.raises(Conflict) as refused:
        routing.update_unit(ADMIN, CANKAYA_HEALTH, {"active": False, "name": "Kapanan Birim"})

    assert refused.value.code == "unit_has_open_applications"
    turkish, english = refused.value.message.split(" / ")
    assert "3" in turkish and "3" in english
    unit = routing_store.find_unit(CANKAYA_HEALTH)
    assert (unit["active"], unit["name"]) == (True, "Çankaya İlçe Sağlık Müdürlüğü")


def test_a_unit_is_deactivated_once_its_applications_are_answered_or_returned(routing, at_cankaya_health):
    routing.answer_application(HEALTH, "2026-000001", ANSWER)
    routing.return_application(HEALTH, "2026-000002", REASON)
    with pytest.raises(Conflict) as refused:
        routing.update_unit(ADMIN, CANKAYA_HEALTH, {"active": False})
    assert "1" in refused.value.message

    routing.answer_application(HEALTH, "2026-000003", ANSWER)

    assert routing.update_unit(ADMIN, CANKAYA_HEALTH, {"active": False})["active"] is False


def test_a_unit_with_open_applications_may_still_be_renamed(routing, at_cankaya_health):
    renamed = routing.update_unit(ADMIN, CANKAYA_HEALTH, {"name": "Çankaya Sağlık", "name_en": "Cankaya Health"})

    assert (renamed["name"], renamed["name_en"], renamed["active"]) == ("Çankaya Sağlık", "Cankaya Health", True)


def test_an_unrouted_application_suggested_to_a_unit_does_not_keep_it_open(routing, routing_store):
    staff_units(routing_store, CANKAYA_HEALTH)
    receive(routing, "2026-000001")
    assert suggested(routing, "2026-000001") == CANKAYA_HEALTH

    assert routing.update_unit(ADMIN, CANKAYA_HEALTH, {"active": False})["active"] is False
