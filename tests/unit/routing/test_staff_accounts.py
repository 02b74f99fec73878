"""Staff accounts: services/routing/staff.py, the accounts file (reference_data), passwords.py."""
import json
from types import SimpleNamespace

import pytest

from common import clock
from common.errors import ValidationFailed
from services.routing import reference_data, staff
from services.routing.passwords import hash_password, needs_rehash, verify_password
from services.routing.reference_data import ReferenceData, load_accounts
from tests.support.routing_stores import RoutingStores
from tests.support.samples import PASSWORD, STAFF_ACCOUNTS, staff_accounts_file

NEW_PASSWORD = "dosyadaki-yeni-parola"
ROUTER_ENTRY = {"username": "ankara.router", "password": PASSWORD, "role": "router", "province": "06"}
UNIT_ENTRY = {"username": "ankara.health", "password": PASSWORD, "role": "unit", "province": "ankara",
              "unit_id": "06-cankaya-health"}


def write_accounts(tmp_path, entries, name="staff.json"):
    path = tmp_path / name
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


def load_file(store, path):
    load_accounts(store, store.find_unit, staff.read_accounts_file(path))


# --- passwords ---------------------------------------------------------------------------------

def test_right_password_verifies_and_wrong_does_not(password_hash):
    assert verify_password(password_hash, PASSWORD) is True
    assert verify_password(password_hash, PASSWORD + " ") is False
    assert verify_password(password_hash, "") is False


@pytest.mark.parametrize("stored", [None, "", "not-an-argon2-hash", "$argon2id$v=19$m=65536,t=3,p=4$broken"])
def test_missing_or_unreadable_hash_never_verifies(stored):
    assert verify_password(stored, PASSWORD) is False


def test_missing_hash_does_not_verify_the_dummy_password():
    """An unknown user is checked against a dummy hash for timing; that password must not log in."""
    assert verify_password(None, "not a real password; only here to spend the same time") is False


def test_hashes_are_salted_argon2id(password_hash):
    again = hash_password(PASSWORD)

    assert password_hash.startswith("$argon2id$") and again.startswith("$argon2id$")
    assert again != password_hash
    assert PASSWORD not in password_hash
    assert needs_rehash(password_hash) is False


# --- staff.py ----------------------------------------------------------------------------------

def test_principal_is_who_the_officer_is_and_nothing_more(password_hash):
    account = {"_id": "ankara.health", "role": "unit", "province_code": "06", "unit_id": "06-cankaya-health",
               "password_hash": password_hash, "active": True, "created_at": clock.now()}

    assert staff.principal(account) == {"username": "ankara.health", "role": "unit", "province_code": "06",
                                        "unit_id": "06-cankaya-health"}
    assert staff.account_view(account) == dict(staff.principal(account), active=True, display_name="ankara.health")


def test_new_account_stores_a_hash_never_the_password():
    account = staff.new_account({"username": "ankara.router", "password": PASSWORD, "role": "router",
                                 "province_code": "06", "unit_id": None}, clock.now())

    assert (account["_id"], account["role"], account["province_code"], account["unit_id"], account["active"]) == (
        "ankara.router", "router", "06", None, True)
    assert PASSWORD not in json.dumps(account, default=str)
    assert verify_password(account["password_hash"], PASSWORD)


ACTIVE_UNIT = {"unit_id": "06-health", "province_code": "06", "active": True}


@pytest.mark.parametrize("role, unit_id, unit", [
    ("unit", None, None),
    ("unit", "06-gone", None),
    ("unit", "34-health", dict(ACTIVE_UNIT, province_code="34")),
    ("unit", "06-health", dict(ACTIVE_UNIT, active=False)),
    ("router", "06-health", ACTIVE_UNIT),
    ("admin", "06-health", ACTIVE_UNIT),
])
def test_assignment_refused_names_unit_id(role, unit_id, unit):
    with pytest.raises(ValidationFailed) as refused:
        staff.check_assignment(role, "06", unit_id, unit)

    assert list(refused.value.fields) == ["unit_id"]


@pytest.mark.parametrize("role, unit_id, unit", [
    ("unit", "06-health", ACTIVE_UNIT), ("router", None, None), ("desk", None, None), ("admin", None, None)])
def test_assignment_accepted(role, unit_id, unit):
    staff.check_assignment(role, "06", unit_id, unit)


def test_own_province_only_names_province():
    with pytest.raises(ValidationFailed) as refused:
        staff.require_own_province({"province_code": "06"}, "34")

    assert list(refused.value.fields) == ["province"]
    staff.require_own_province({"province_code": "06"}, "06")


def test_account_changes_leaving_the_unit_role_drop_the_unit():
    account = {"role": "unit", "province_code": "06", "unit_id": "06-health"}

    assert staff.account_changes(account, {"role": "router"}, {}.get) == {"role": "router", "unit_id": None}


def test_account_changes_hash_a_new_password_and_keep_the_rest():
    account = {"role": "unit", "province_code": "06", "unit_id": "06-health"}

    changes = staff.account_changes(account, {"password": NEW_PASSWORD, "active": False},
                                    {"06-health": ACTIVE_UNIT}.get)

    assert (changes["role"], changes["unit_id"], changes["active"]) == ("unit", "06-health", False)
    assert verify_password(changes["password_hash"], NEW_PASSWORD)
    assert "password" not in changes


# --- the accounts file ---------------------------------------------------------------------------

def test_sample_accounts_file_reads_with_province_codes(tmp_path):
    accounts = staff.read_accounts_file(staff_accounts_file(tmp_path / "staff.json"))

    assert [account["username"] for account in accounts] == [account["username"] for account in STAFF_ACCOUNTS]
    assert {account["province_code"] for account in accounts} == {"06", "34"}
    [health] = [account for account in accounts if account["username"] == "ankara.health"]
    assert (health["role"], health["unit_id"]) == ("unit", "06-cankaya-health")


@pytest.mark.parametrize("content, names", [
    ('{"username": "ankara.router"}', "JSON list"),
    ("[", None),
])
def test_file_that_is_not_a_json_list_stops_the_start(tmp_path, content, names):
    path = tmp_path / "staff.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ValueError) as refused:
        staff.read_accounts_file(path)

    if names:
        assert names in str(refused.value)


def test_missing_file_stops_the_start(tmp_path):
    with pytest.raises(OSError):
        staff.read_accounts_file(tmp_path / "missing.json")


@pytest.mark.parametrize("entry, field", [
    (dict(ROUTER_ENTRY, role="boss"), "role"),
    (dict(ROUTER_ENTRY, password="kısa-ama"), "password"),
    (dict(ROUTER_ENTRY, province="Narnia"), "province"),
    ({key: value for key, value in ROUTER_ENTRY.items() if key != "username"}, "username"),
    (dict(ROUTER_ENTRY, email="a@b.c"), "email"),
    ("ankara.router", "body"),
])
def test_bad_entry_is_named_by_position_and_field_never_by_its_password(tmp_path, entry, field):
    path = write_accounts(tmp_path, [UNIT_ENTRY, dict(ROUTER_ENTRY, username="ankara.desk"), entry])

    with pytest.raises(ValueError) as refused:
        staff.read_accounts_file(path)

    message = str(refused.value)
    assert "entry 2" in message
    assert field in message
    assert PASSWORD not in message and "kısa-ama" not in message


def test_loading_creates_the_accounts_and_they_verify(routing_store, tmp_path):
    load_file(routing_store, write_accounts(tmp_path, [ROUTER_ENTRY, UNIT_ENTRY]))

    router, health = routing_store.find_staff("ankara.router"), routing_store.find_staff("ankara.health")
    assert staff.principal(router) == {"username": "ankara.router", "role": "router", "province_code": "06",
                                       "unit_id": None}
    assert staff.principal(health) == {"username": "ankara.health", "role": "unit", "province_code": "06",
                                       "unit_id": "06-cankaya-health"}
    assert router["active"] is health["active"] is True
    assert verify_password(health["password_hash"], PASSWORD)
    assert PASSWORD not in json.dumps(routing_store.staff_in_province("06"), default=str)


def test_reloading_the_same_file_keeps_the_hashes(routing_store, tmp_path):
    path = write_accounts(tmp_path, [ROUTER_ENTRY, UNIT_ENTRY])
    load_file(routing_store, path)
    before = {account["_id"]: account for account in routing_store.staff_in_province("06")}

    load_file(routing_store, path)

    after = {account["_id"]: account for account in routing_store.staff_in_province("06")}
    assert after == before


def test_changed_password_in_the_file_is_applied(routing_store, tmp_path):
    load_file(routing_store, write_accounts(tmp_path, [ROUTER_ENTRY]))
    created_at = routing_store.find_staff("ankara.router")["created_at"]

    load_file(routing_store, write_accounts(tmp_path, [dict(ROUTER_ENTRY, password=NEW_PASSWORD)], "v2.json"))

    account = routing_store.find_staff("ankara.router")
    assert verify_password(account["password_hash"], NEW_PASSWORD)
    assert not verify_password(account["password_hash"], PASSWORD)
    assert account["created_at"] == created_at


def test_account_an_admin_deactivated_stays_deactivated_after_a_reload(routing_store, tmp_path):
    path = write_accounts(tmp_path, [ROUTER_ENTRY])
    load_file(routing_store, path)
    routing_store.update_staff("ankara.router", {"active": False})

    load_file(routing_store, path)

    assert routing_store.find_staff("ankara.router")["active"] is False


def test_admins_deactivation_survives_a_restart_with_the_unchanged_file(routing_store, tmp_path):
    path = write_accounts(tmp_path, [ROUTER_ENTRY])
    load_file(routing_store, path)
    routing_store.update_staff("ankara.router", staff.account_changes(
        routing_store.find_staff("ankara.router"), {"active": False, "password": NEW_PASSWORD},
        routing_store.find_unit))

    load_file(routing_store, path)

    assert routing_store.find_staff("ankara.router")["active"] is False


@pytest.mark.parametrize("entry", [
    {key: value for key, value in UNIT_ENTRY.items() if key != "unit_id"},
    dict(UNIT_ENTRY, unit_id="34-health"),
    dict(ROUTER_ENTRY, unit_id="06-cankaya-health"),
], ids=["unit-without-unit", "unit-of-another-province", "router-with-unit"])
def test_entry_with_an_impossible_assignment_is_refused(routing_store, tmp_path, entry):
    with pytest.raises(ValueError) as refused:
        load_file(routing_store, write_accounts(tmp_path, [dict(ROUTER_ENTRY, username="ankara.desk"), entry]))

    message = str(refused.value)
    assert "entry 1" in message and "unit_id" in message
    assert PASSWORD not in message
    assert routing_store.staff.count_documents({}) == 0  # nothing of a refused file is loaded


def test_unit_officer_of_a_deactivated_unit_is_refused_when_new(routing_store, tmp_path):
    routing_store.update_unit("06-cankaya-health", {"active": False})

    with pytest.raises(ValueError) as refused:
        load_file(routing_store, write_accounts(tmp_path, [UNIT_ENTRY]))

    assert "entry 0" in str(refused.value)
    assert routing_store.find_staff("ankara.health") is None


@pytest.mark.parametrize("second", ["ankara.router", "Ankara.Router", " ankara.router "])
def test_an_account_named_twice_stops_the_start(tmp_path, second):
    path = write_accounts(tmp_path, [ROUTER_ENTRY, UNIT_ENTRY,
                                     dict(ROUTER_ENTRY, username=second, password=NEW_PASSWORD, role="desk")])

    with pytest.raises(ValueError) as refused:
        staff.read_accounts_file(path)

    message = str(refused.value)
    assert "ankara.router" in message and "ankara.health" not in message
    assert PASSWORD not in message and NEW_PASSWORD not in message


def test_admins_new_role_and_unit_survive_a_restart_with_the_file(routing_store, tmp_path):
    path = write_accounts(tmp_path, [ROUTER_ENTRY, UNIT_ENTRY])
    load_file(routing_store, path)
    routing_store.update_staff("ankara.health", staff.account_changes(
        routing_store.find_staff("ankara.health"), {"unit_id": "06-health"}, routing_store.find_unit))
    routing_store.update_staff("ankara.router", staff.account_changes(
        routing_store.find_staff("ankara.router"), {"role": "admin"}, routing_store.find_unit))

    load_file(routing_store, path)

    assert staff.principal(routing_store.find_staff("ankara.health"))["unit_id"] == "06-health"
    assert staff.principal(routing_store.find_staff("ankara.router"))["role"] == "admin"


def test_file_with_a_changed_password_resets_only_the_password(routing_store, tmp_path):
    load_file(routing_store, write_accounts(tmp_path, [UNIT_ENTRY]))
    routing_store.update_staff("ankara.health", staff.account_changes(
        routing_store.find_staff("ankara.health"), {"unit_id": "06-health", "active": False}, routing_store.find_unit))
    before = routing_store.find_staff("ankara.health")

    load_file(routing_store, write_accounts(tmp_path, [dict(UNIT_ENTRY, password=NEW_PASSWORD)], "v2.json"))

    after = routing_store.find_staff("ankara.health")
    assert verify_password(after["password_hash"], NEW_PASSWORD)
    assert verify_password(after["file_password_hash"], NEW_PASSWORD)
    password_fields = {"password_hash", "file_password_hash", "token_generation"}
    assert {key: value for key, value in after.items() if key not in password_fields} == {
        key: value for key, value in before.items() if key not in password_fields}
    assert staff.token_generation(dict(after, active=True)) == before.get("token_generation", 0) + 1


def test_file_role_or_unit_changes_do_not_override_an_existing_account(routing_store, tmp_path):
    load_file(routing_store, write_accounts(tmp_path, [UNIT_ENTRY]))

    load_file(routing_store, write_accounts(tmp_path, [dict(UNIT_ENTRY, unit_id="06-health")], "v2.json"))

    assert routing_store.find_staff("ankara.health")["unit_id"] == "06-cankaya-health"


def test_an_entry_added_to_the_file_is_created_beside_the_existing_accounts(routing_store, tmp_path):
    load_file(routing_store, write_accounts(tmp_path, [ROUTER_ENTRY]))
    routing_store.update_staff("ankara.router", {"active": False})

    load_file(routing_store, write_accounts(tmp_path, [ROUTER_ENTRY, UNIT_ENTRY], "v2.json"))

    assert routing_store.find_staff("ankara.router")["active"] is False
    health = routing_store.find_staff("ankara.health")
    assert (health["active"], health["unit_id"]) == (True, "06-cankaya-health")
    assert verify_password(health["password_hash"], PASSWORD)


def test_admins_new_password_survives_a_restart_with_the_unchanged_file(routing_store, tmp_path):
    path = write_accounts(tmp_path, [ROUTER_ENTRY])
    load_file(routing_store, path)
    routing_store.update_staff("ankara.router", staff.account_changes(
        routing_store.find_staff("ankara.router"), {"password": NEW_PASSWORD}, routing_store.find_unit))

    load_file(routing_store, path)

    account = routing_store.find_staff("ankara.router")
    assert verify_password(account["password_hash"], NEW_PASSWORD)
    assert not verify_password(account["password_hash"], PASSWORD)


def test_restart_after_an_admin_deactivated_a_file_accounts_unit(routing_store, tmp_path):
    path = write_accounts(tmp_path, [ROUTER_ENTRY, UNIT_ENTRY])
    load_file(routing_store, path)
    routing_store.update_staff("ankara.health", staff.account_changes(
        routing_store.find_staff("ankara.health"), {"unit_id": "06-health"}, routing_store.find_unit))
    routing_store.update_unit("06-cankaya-health", {"active": False})

    load_file(routing_store, path)

    assert routing_store.find_staff("ankara.health")["unit_id"] == "06-health"


# --- ReferenceData at start-up -----------------------------------------------------------------

def started_reference_data(store):
    provider = ReferenceData(units_store="applications", accounts_store="accounts")
    provider.container = SimpleNamespace(dependencies=[SimpleNamespace(attr_name="applications", store=store),
                                                       SimpleNamespace(attr_name="accounts", store=store)])
    provider.start()
    return provider


@pytest.fixture
def bare_store(mongo_db, seeded_units, monkeypatch):
    """An empty routing store; start-up seeds it with the test subset of the catalogue (speed)."""
    monkeypatch.setattr(reference_data, "seed_units", lambda places: [dict(unit) for unit in seeded_units])
    store = RoutingStores(mongo_db)
    store.create_indexes()
    return store


def test_start_seeds_units_and_loads_the_accounts_file(bare_store, tmp_path, monkeypatch, seeded_units):
    monkeypatch.setenv("STAFF_ACCOUNTS_FILE", str(write_accounts(tmp_path, [UNIT_ENTRY])))

    provider = started_reference_data(bare_store)

    assert bare_store.units.count_documents({}) == len(seeded_units)
    assert bare_store.find_staff("ankara.health")["unit_id"] == "06-cankaya-health"
    assert provider.get_dependency(None) is None


def test_start_without_an_accounts_file_creates_no_accounts(bare_store, monkeypatch):
    monkeypatch.delenv("STAFF_ACCOUNTS_FILE", raising=False)

    started_reference_data(bare_store)

    assert bare_store.staff.count_documents({}) == 0
    assert bare_store.find_unit("06-cankaya-health")["active"] is True


def test_restart_keeps_an_admins_unit_changes(bare_store, monkeypatch):
    monkeypatch.delenv("STAFF_ACCOUNTS_FILE", raising=False)
    started_reference_data(bare_store)
    bare_store.update_unit("06-cankaya-health", {"name": "Çankaya Sağlık", "active": False})

    started_reference_data(bare_store)

    unit = bare_store.find_unit("06-cankaya-health")
    assert (unit["name"], unit["active"]) == ("Çankaya Sağlık", False)
