"""Revocation of staff tokens and the last admin of a province: routing's token generation
(services/routing/staff.py, service.py) and the gateway's check of it (gateway/auth.py)."""
import pytest
from nameko.testing.services import worker_factory

from common.errors import Conflict
from gateway import auth
from gateway.rpc import ServiceUnavailable
from gateway.settings import Settings
from services.routing import staff
from services.routing.service import RoutingService
from tests.support.fake_rpc import FakeRpcPool
from tests.support.samples import PASSWORD, staff_principal
from tests.unit.gateway.test_gateway import error_of
from tests.unit.gateway.test_gateway_staff import PRINCIPALS, RECORD, staff_app
from tests.unit.routing.test_routing import add_account

ADMIN = staff_principal("ankara.admin")
NEW_PASSWORD = "yepyeni-parola-456"
QUEUE = "/api/v1/staff/applications"
EMPTY_PAGE = {"items": [], "total": 0, "page": 1, "page_size": 20}


# --- routing: the generation --------------------------------------------------------------------

def test_generation_is_none_for_no_account_or_a_deactivated_one_else_a_number():
    assert staff.token_generation(None) is None
    assert staff.token_generation({"active": False, "token_generation": 3}) is None
    assert staff.token_generation({"active": True}) == 0
    assert staff.token_generation({"active": True, "token_generation": 3}) == 3


ACCOUNT = {"_id": "ankara.health", "role": "unit", "province_code": "06", "unit_id": "06-cankaya-health",
           "password_hash": "$argon2id$old", "active": True}


@pytest.mark.parametrize("stored, revokes", [
    ({"role": "router", "unit_id": None}, True),  # demoted, or simply another role
    ({"role": "unit", "unit_id": "06-national_education"}, True),  # moved
    ({"role": "unit", "unit_id": "06-cankaya-health", "active": False}, True),
    ({"role": "unit", "unit_id": "06-cankaya-health", "password_hash": "$argon2id$new"}, True),
    ({"role": "unit", "unit_id": "06-cankaya-health"}, False),  # the same as before
    ({"role": "unit", "unit_id": "06-cankaya-health", "active": True}, False),
])
def test_a_change_of_role_unit_activity_or_password_revokes_tokens(stored, revokes):
    assert staff.revokes_tokens(ACCOUNT, stored) is revokes


@pytest.fixture
def routing(routing_store):
    return worker_factory(RoutingService, applications=routing_store, accounts=routing_store,
                          publish_owed_events=lambda: None, watch_deadlines=lambda: None, reference_data=None)


@pytest.fixture
def ankara(routing_store, password_hash):
    for username in ("ankara.admin", "ankara.router", "ankara.health"):
        add_account(routing_store, password_hash, username)


@pytest.mark.parametrize("change", [{"role": "desk"}, {"active": False}, {"password": NEW_PASSWORD},
                                    {"role": "unit", "unit_id": "06-cankaya-health"}])
def test_every_revoking_change_increments_the_generation(routing, ankara, change):
    assert routing.token_generation("ankara.router") == 0

    routing.update_staff(ADMIN, "ankara.router", change)

    expected = None if change.get("active") is False else 1
    assert routing.token_generation(" ANKARA.ROUTER ") == expected


def test_a_change_that_changes_nothing_keeps_the_tokens(routing, ankara):
    routing.update_staff(ADMIN, "ankara.router", {"role": "router"})

    assert routing.token_generation("ankara.router") == 0


def test_an_unknown_officer_has_no_generation(routing, ankara):
    assert routing.token_generation("nobody.here") is None


# --- routing: the last admin --------------------------------------------------------------------

@pytest.mark.parametrize("change", [{"role": "router"}, {"active": False}])
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(routing, routing_store, ankara, change):
    with pytest.raises(Conflict) as refused:
        routing.update_staff(ADMIN, "ankara.admin", change)

    assert refused.value.code == "last_admin"
    turkish, english = refused.value.message.split(" / ")
    assert "son etkin yönetici" in turkish and "last active admin" in english
    kept = routing_store.find_staff("ankara.admin")
    assert (kept["role"], kept["active"], kept.get("token_generation", 0)) == ("admin", True, 0)


def test_an_admin_with_another_active_admin_beside_can_step_down(routing, routing_store, ankara):
    routing.update_staff(ADMIN, "ankara.router", {"role": "admin"})

    assert routing.update_staff(ADMIN, "ankara.admin", {"role": "router"})["role"] == "router"
    # Now ankara.router is the last one.
    with pytest.raises(Conflict):
        routing.update_staff(staff_principal("ankara.admin"), "ankara.router", {"active": False})


def test_a_deactivated_admin_does_not_count_as_the_one_left(routing, routing_store, ankara, password_hash):
    add_account(routing_store, password_hash, "istanbul.admin")  # another province's admin does not count
    routing.update_staff(ADMIN, "ankara.router", {"role": "admin"})
    routing.update_staff(ADMIN, "ankara.router", {"active": False})

    with pytest.raises(Conflict):
        routing.update_staff(ADMIN, "ankara.admin", {"role": "desk"})


def test_the_last_admin_may_still_change_their_password(routing, ankara):
    routing.update_staff(ADMIN, "ankara.admin", {"password": NEW_PASSWORD})

    assert routing.authenticate("ankara.admin", NEW_PASSWORD) == ADMIN


def test_last_admin_conflict_is_409_with_its_code(rpc_with):
    app = staff_app(rpc_with(**{"routing.update_staff": Conflict("last_admin", "Son. / Last.")}))

    response = app.test_client().patch("/api/v1/admin/users/ankara.admin", json={"active": False},
                                       headers=bearer_of(app, PRINCIPALS["admin"]))

    assert error_of(response, 409, "last_admin")["message"] == "Son. / Last."


# --- the gateway: the token's generation against routing's ----------------------------------------

@pytest.fixture
def rpc_with():
    def build(**answers):
        return FakeRpcPool(**dict({"routing.list_applications": EMPTY_PAGE, "routing.get_application": RECORD,
                                   "routing.authenticate": PRINCIPALS["router"]}, **answers))

    return build


def bearer_of(app, principal, generation=0):
    return {"Authorization": "Bearer " + app.extensions["token_signer"].issue(principal, generation)}


def test_login_signs_the_generation_routing_had_before_checking_the_password(rpc_with):
    rpc = rpc_with(**{"routing.token_generation": 4})
    app = staff_app(rpc, {"ankara.router": 4})

    token = app.test_client().post("/api/v1/auth/token", json={"username": "ankara.router", "password": PASSWORD}
                                   ).get_json()["access_token"]

    assert app.extensions["token_signer"].verified(token) == (PRINCIPALS["router"], 4)


def test_token_generations_are_asked_of_routing_in_production(rpc_with):
    rpc = rpc_with(**{"routing.token_generation": 2})
    app = staff_app(rpc)
    app.extensions["token_generations"] = auth.TokenGenerations(30)  # the production fetch

    with app.test_request_context():
        assert app.extensions["token_generations"].current("ankara.router") == 2
    assert rpc.calls == [("routing", "token_generation", ("ankara.router",), {})]


def test_a_stale_token_is_401_and_the_services_are_never_asked(rpc_with):
    rpc = rpc_with()
    app = staff_app(rpc, {"ankara.router": 1})

    stale = app.test_client().get(QUEUE, headers=bearer_of(app, PRINCIPALS["router"], generation=0))
    current = app.test_client().get(QUEUE, headers=bearer_of(app, PRINCIPALS["router"], generation=1))

    error_of(stale, 401, "unauthorized")
    assert current.status_code == 200
    assert [call[1] for call in rpc.calls] == ["list_applications"]


def test_a_deactivated_officers_token_is_401(rpc_with):
    app = staff_app(rpc_with(), {"ankara.router": None})

    error_of(app.test_client().get(QUEUE, headers=bearer_of(app, PRINCIPALS["router"])), 401, "unauthorized")


class Routing:
    """A fake routing's ``token_generation`` that counts how often it is asked."""

    def __init__(self, generation=0):
        self.generation, self.asked = generation, 0

    def __call__(self, username):
        self.asked += 1
        return self.generation


def test_the_generation_is_remembered_for_the_check_seconds_then_asked_again(rpc_with, monkeypatch):
    routing = Routing()
    app = staff_app(rpc_with())
    generations = app.extensions["token_generations"] = auth.TokenGenerations(30, fetch=routing)
    headers = bearer_of(app, PRINCIPALS["router"])
    now = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: now[0])
    client = app.test_client()

    assert [client.get(QUEUE, headers=headers).status_code for _ in range(3)] == [200] * 3
    assert routing.asked == 1
    routing.generation = 1  # an admin demoted the officer
    now[0] += 29
    assert client.get(QUEUE, headers=headers).status_code == 200  # still within the check period
    now[0] += 2
    assert client.get(QUEUE, headers=headers).status_code == 401
    assert routing.asked == 2 and generations.check_seconds == 30


def test_a_newer_token_than_the_remembered_generation_asks_again(rpc_with):
    """The officer was changed and logged in again: their new token must not wait for the cache."""
    routing = Routing()
    app = staff_app(rpc_with())
    app.extensions["token_generations"] = auth.TokenGenerations(30, fetch=routing)
    client = app.test_client()
    assert client.get(QUEUE, headers=bearer_of(app, PRINCIPALS["router"], 0)).status_code == 200

    routing.generation = 1
    assert client.get(QUEUE, headers=bearer_of(app, PRINCIPALS["router"], 1)).status_code == 200
    assert client.get(QUEUE, headers=bearer_of(app, PRINCIPALS["router"], 0)).status_code == 401


def test_routing_unreachable_is_503_not_a_token_honoured_unchecked(rpc_with):
    app = staff_app(rpc_with(**{"routing.token_generation": ServiceUnavailable("routing")}))
    app.extensions["token_generations"] = auth.TokenGenerations(30)

    response = app.test_client().get(QUEUE, headers=bearer_of(app, PRINCIPALS["router"]))

    error_of(response, 503, "service_unavailable")


def test_a_token_without_a_generation_is_of_generation_zero(rpc_with):
    """Tokens signed before generations existed: honoured only while the account is unchanged."""
    app = staff_app(rpc_with(), {"ankara.router": 1})
    old = app.extensions["token_signer"].serializer.dumps(PRINCIPALS["router"])

    assert app.extensions["token_signer"].verified(old) == (PRINCIPALS["router"], 0)
    error_of(app.test_client().get(QUEUE, headers={"Authorization": "Bearer " + old}), 401, "unauthorized")


@pytest.mark.parametrize("seconds", [-1, 61])
def test_a_check_period_beyond_a_minute_is_refused_at_start(seconds):
    with pytest.raises(ValueError, match="TOKEN_CHECK_SECONDS"):
        staff_app(FakeRpcPool(), token_check_seconds=seconds)


def test_check_seconds_from_the_environment(monkeypatch):
    monkeypatch.delenv("TOKEN_CHECK_SECONDS", raising=False)
    assert Settings.from_environment().token_check_seconds == 30
    monkeypatch.setenv("TOKEN_CHECK_SECONDS", "1")

    assert Settings.from_environment().token_check_seconds == 1.0


def test_the_principal_passed_to_services_never_carries_the_generation(rpc_with):
    rpc = rpc_with()
    app = staff_app(rpc, {"ankara.router": 5})

    app.test_client().get(QUEUE, headers=bearer_of(app, PRINCIPALS["router"], 5))

    assert rpc.calls[-1][2][0] == PRINCIPALS["router"]


def test_an_admin_stepping_down_while_the_other_one_does_is_undone_not_leaving_none(routing, routing_store, ankara):
    """The interleaving a lock would prevent: each saw the other active before either wrote."""
    routing.update_staff(ADMIN, "ankara.router", {"role": "admin"})
    count_before_the_write = routing_store.count_active_admins

    def the_other_steps_down_meanwhile(province_code, besides=None):
        seen = count_before_the_write(province_code, besides)
        if besides == "ankara.admin":
            routing_store.update_staff("ankara.router", {"role": "router"})
            routing_store.count_active_admins = count_before_the_write
        return seen

    routing_store.count_active_admins = the_other_steps_down_meanwhile
    with pytest.raises(Conflict) as refused:
        routing.update_staff(ADMIN, "ankara.admin", {"active": False, "password": NEW_PASSWORD})

    assert refused.value.code == "last_admin"
    kept = routing_store.find_staff("ankara.admin")
    assert (kept["role"], kept["active"]) == ("admin", True)
    assert routing.authenticate("ankara.admin", PASSWORD) == ADMIN  # the whole change was undone


def test_a_token_issued_while_the_account_had_no_generation_is_never_honoured(rpc_with):
    app = staff_app(rpc_with(), {"ankara.router": 0})

    response = app.test_client().get(QUEUE, headers=bearer_of(app, PRINCIPALS["router"], generation=None))

    error_of(response, 401, "unauthorized")
