"""Officers as people read them: display names (accounts file, admin API, the record's staff_names),
who is logged in (staff_profile), and an admin's password reset."""
import json
import re

import pytest

from common import clock
from common.errors import NotFound, Unauthorized
from services.routing import staff
from services.routing.passwords import verify_password
from tests.support.samples import PASSWORD
from tests.unit.routing.test_routing import (  # noqa: F401  (routing, relay_kick: fixtures)
    ADMIN,
    ANSWER,
    CANKAYA_HEALTH,
    HEALTH,
    ISTANBUL_ADMIN,
    ROUTER,
    add_account,
    receive,
    relay_kick,
    routing,
)
from tests.unit.routing.test_staff_accounts import ROUTER_ENTRY, UNIT_ENTRY, load_file, write_accounts

NEW_PASSWORD = "yepyeni-parola-456"


@pytest.fixture
def ankara(routing_store, password_hash):
    for username in ("ankara.router", "ankara.health", "ankara.admin", "istanbul.router"):
        add_account(routing_store, password_hash, username)
    routing_store.update_staff("ankara.router", {"display_name": "Ayşe Demir"})
    routing_store.update_staff("ankara.health", {"display_name": "Mehmet Kaya"})


# --- display names ---------------------------------------------------------------------------------

def test_admin_gives_a_new_officer_a_display_name_or_it_is_the_username(routing):
    named = routing.create_staff(ADMIN, {"username": "zeynep.ak", "password": NEW_PASSWORD, "role": "router",
                                         "province": "06", "display_name": "Zeynep Ak"})
    unnamed = routing.create_staff(ADMIN, {"username": "can.er", "password": NEW_PASSWORD, "role": "router",
                                           "province": "06"})

    assert (named["display_name"], unnamed["display_name"]) == ("Zeynep Ak", "can.er")
    assert {account["username"]: account["display_name"] for account in routing.list_staff(ADMIN)} == {
        "zeynep.ak": "Zeynep Ak", "can.er": "can.er"}


def test_a_new_display_name_keeps_the_officers_tokens(routing, routing_store, ankara):
    generation = routing.token_generation("ankara.router")

    changed = routing.update_staff(ADMIN, "ankara.router", {"display_name": "Ayşe Demir Yılmaz"})

    assert changed["display_name"] == "Ayşe Demir Yılmaz"
    assert routing.token_generation("ankara.router") == generation


def test_accounts_file_gives_display_names_and_keeps_an_admins(routing_store, tmp_path):
    path = write_accounts(tmp_path, [dict(ROUTER_ENTRY, display_name="Ayşe Demir"), UNIT_ENTRY])
    load_file(routing_store, path)
    assert routing_store.find_staff("ankara.router")["display_name"] == "Ayşe Demir"
    assert routing_store.find_staff("ankara.health")["display_name"] == "ankara.health"

    routing_store.update_staff("ankara.router", {"display_name": "Ayşe D."})
    load_file(routing_store, path)

    assert routing_store.find_staff("ankara.router")["display_name"] == "Ayşe D."


def test_an_account_made_before_display_names_takes_the_files(routing_store, tmp_path, password_hash):
    add_account(routing_store, password_hash, "ankara.router")
    assert "display_name" not in routing_store.find_staff("ankara.router")

    load_file(routing_store, write_accounts(tmp_path, [dict(ROUTER_ENTRY, display_name="Ayşe Demir")]))

    assert routing_store.find_staff("ankara.router")["display_name"] == "Ayşe Demir"


def test_the_example_accounts_file_names_every_officer(routing_store):
    from pathlib import Path

    entries = staff.read_accounts_file(Path(__file__).resolve().parents[3] / "deploy" / "staff-accounts.example.json")

    assert all(entry["display_name"] and entry["display_name"] != entry["username"] for entry in entries)


def test_the_record_names_every_officer_in_it(routing, routing_store, ankara):
    receive(routing, "2026-000001")
    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})
    routing.record_contact(HEALTH, "2026-000001", {"channel": "phone", "note": "Arandı."})
    answered = routing.answer_application(HEALTH, "2026-000001", ANSWER)
    routing_store.applications.update_one({"_id": "2026-000001"}, {"$push": {"timeline": {
        "at": clock.now(), "action": "contacted", "by": "eski.memur"}}})

    record = routing.get_application(ROUTER, "2026-000001")

    assert answered["staff_names"] == {"ankara.router": "Ayşe Demir", "ankara.health": "Mehmet Kaya"}
    assert record["staff_names"] == {"ankara.router": "Ayşe Demir", "ankara.health": "Mehmet Kaya",
                                     "eski.memur": "eski.memur"}


def test_display_names_of_the_admins_province_only(routing, ankara):
    names = routing.staff_display_names(ADMIN, ["ankara.router", "ankara.health", "istanbul.router", "nobody"])

    assert names == {"ankara.router": "Ayşe Demir", "ankara.health": "Mehmet Kaya"}
    assert routing.staff_display_names(ISTANBUL_ADMIN, ["ankara.router"]) == {}


# --- who is logged in -------------------------------------------------------------------------------

def test_profile_of_a_unit_officer_names_the_province_and_the_unit(routing, ankara):
    assert routing.staff_profile(HEALTH) == {
        "username": "ankara.health", "display_name": "Mehmet Kaya", "role": "unit", "province_code": "06",
        "province_name": "Ankara", "unit_id": CANKAYA_HEALTH, "unit_name": "Çankaya İlçe Sağlık Müdürlüğü"}


def test_profile_of_a_router_has_no_unit(routing, ankara):
    profile = routing.staff_profile(ROUTER)

    assert (profile["display_name"], profile["province_name"], profile["unit_id"], profile["unit_name"]) == (
        "Ayşe Demir", "Ankara", None, None)


def test_profile_of_an_account_that_is_gone_is_unauthorized(routing):
    with pytest.raises(Unauthorized):
        routing.staff_profile(ROUTER)


# --- password reset -----------------------------------------------------------------------------------

def test_reset_gives_a_new_password_once_and_the_old_one_stops_working(routing, routing_store, ankara):
    generation = routing.token_generation("ankara.router")

    reset = routing.reset_password(ADMIN, " Ankara.Router ")

    assert reset["username"] == "ankara.router"
    assert re.fullmatch(r"[a-km-zA-HJ-NP-Z2-9]{4}(-[a-km-zA-HJ-NP-Z2-9]{4}){3}", reset["password"])
    assert routing.authenticate("ankara.router", reset["password"]) == ROUTER
    with pytest.raises(Unauthorized):
        routing.authenticate("ankara.router", PASSWORD)
    assert routing.token_generation("ankara.router") == generation + 1
    stored = routing_store.find_staff("ankara.router")
    assert reset["password"] not in json.dumps(stored, default=str)
    assert verify_password(stored["password_hash"], reset["password"])


def test_each_reset_is_a_new_password(routing, ankara):
    passwords = {routing.reset_password(ADMIN, "ankara.router")["password"] for _ in range(3)}

    assert len(passwords) == 3


@pytest.mark.parametrize("username", ["istanbul.router", "nobody.here"])
def test_reset_of_another_provinces_or_an_unknown_account_is_not_found(routing, routing_store, ankara, username):
    before = routing_store.find_staff("istanbul.router")["password_hash"]

    with pytest.raises(NotFound):
        routing.reset_password(ADMIN, username)

    assert routing_store.find_staff("istanbul.router")["password_hash"] == before


def test_new_passwords_are_long_enough_for_the_password_rule():
    from contracts.routing.requests import PASSWORD_LENGTH

    assert len(staff.new_password()) in PASSWORD_LENGTH
