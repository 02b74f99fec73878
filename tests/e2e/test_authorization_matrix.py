"""Who may do what, over HTTP: every staff endpoint × every kind of officer × own/other province.

The tables below are the specification, written out literally. Reading them:

- ``none``: no Authorization header. No (or a bad) token is 401 everywhere.
- ``ankara.health`` is the unit officer of the unit the target application is routed to
  (06-cankaya-health); ``ankara.education`` a unit officer of another unit of the same province.
- ``istanbul.*`` are the same roles in another province (34): for an Ankara target that is 404
  for a role allowed at the door, 403 for a role that is not.
- Roles at the door (403 otherwise): desk → desk applications, units; router → queue, record,
  route, contacts, units; unit → queue, record, contacts, return, answer, units; admin → queue,
  record, units, admin users and units, failed SMS, KVKK export (the person's applications in the
  admin's province: another province's admin finds nobody, 404); stats (``?province=ankara``) → router,
  unit (a unit officer's statistics are of their own unit), admin: another province is 404.
- Creating something for another province is refused on the body's ``province`` (422, as a desk
  application for another province is): ``desk_submit`` and ``admin_users_create`` by istanbul.*.
  An admin unit is always created in the admin's own province (201 for istanbul.admin too).
- ``auth_me`` answers every officer about themselves. ``queue_national_id`` searches the queue by an
  applicant's national id: routers and admins only (a unit officer's 403 has its own code);
  ``admin_password`` resets an account of the admin's province (another province's: 404);
  ``admin_sms_resend`` names a message that does not exist (admins: 404).
- The queue and the admin lists are always the officer's own: 200 in both provinces (what they
  hold is checked in ``test_queues_hold_only_what_the_officer_may_see``).

Applications: ``route`` targets an unrouted one, every other application endpoint one routed to
06-cankaya-health. A case whose success consumes the state (route, return, answer) gets a fresh
application; every other case shares one application per state.
"""
import random
import time
import uuid

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from gateway.auth import TOKEN_SALT
from tests.support.samples import PASSWORD, national_id
from tests.support.staff_client import (
    StaffApi,
    ankara_health_body,
    answered_application,
    received_application,
    returned_application,
    routed_application,
)

ACTORS = ("none", "ankara.desk", "ankara.router", "ankara.health", "ankara.education", "ankara.admin",
          "istanbul.desk", "istanbul.router", "istanbul.health", "istanbul.admin")

EXPECTED = {
    #                      none  a.desk a.router a.health a.educ a.admin  i.desk i.router i.health i.admin
    "desk_submit":        (401,  201,   403,     403,     403,   403,     422,   403,     403,     403),
    "queue":              (401,  403,   200,     200,     200,   200,     403,   200,     200,     200),
    "record":             (401,  403,   200,     200,     404,   200,     403,   404,     404,     404),
    "route":              (401,  403,   200,     403,     403,   403,     403,   404,     403,     403),
    "contacts":           (401,  403,   200,     200,     404,   403,     403,   404,     404,     403),
    "return":             (401,  403,   403,     200,     404,   403,     403,   403,     404,     403),
    "answer":             (401,  403,   403,     200,     404,   403,     403,   403,     404,     403),
    "units":              (401,  200,   200,     200,     200,   200,     404,   404,     404,     404),
    "admin_users_list":   (401,  403,   403,     403,     403,   200,     403,   403,     403,     200),
    "admin_users_create": (401,  403,   403,     403,     403,   201,     403,   403,     403,     422),
    "admin_users_update": (401,  403,   403,     403,     403,   200,     403,   403,     403,     404),
    "admin_units_create": (401,  403,   403,     403,     403,   201,     403,   403,     403,     201),
    "admin_units_update": (401,  403,   403,     403,     403,   200,     403,   403,     403,     404),
    "admin_sms_failed":   (401,  403,   403,     403,     403,   200,     403,   403,     403,     200),
    "admin_kvkk_export":  (401,  403,   403,     403,     403,   200,     403,   403,     403,     404),
    "stats":              (401,  403,   200,     200,     200,   200,     403,   404,     404,     404),
    "auth_me":            (401,  200,   200,     200,     200,   200,     200,   200,     200,     200),
    "queue_national_id":  (401,  403,   200,     403,     403,   200,     403,   200,     403,     200),
    "admin_password":     (401,  403,   403,     403,     403,   200,     403,   403,     403,     404),
    "admin_sms_resend":   (401,  403,   403,     403,     403,   404,     403,   403,     403,     404),
    "admin_kvkk_trail":   (401,  403,   403,     403,     403,   200,     403,   403,     403,     200),
}
# A unit officer may search the queue, but not by a national id: refused with its own code.
OWN_CODES = {("queue_national_id", unit_officer): "national_id_search_forbidden"
             for unit_officer in ("ankara.health", "ankara.education", "istanbul.health")}

# The transitions in other states (own scope): impossible ones are 409, unless the application is
# out of the officer's scope in that state (a unit sees only what is routed to it now): then 404.
EXPECTED_IN_STATE = {
    ("route", "routed", "ankara.router"): 409,
    ("route", "answered", "ankara.router"): 409,
    ("route", "returned", "ankara.router"): 200,
    ("return", "answered", "ankara.health"): 409,
    ("answer", "answered", "ankara.health"): 409,
    ("answer", "unrouted", "ankara.health"): 404,
    ("answer", "returned", "ankara.education"): 404,
    ("return", "returned", "ankara.education"): 404,
    ("record", "unrouted", "ankara.health"): 404,
    ("record", "answered", "ankara.health"): 200,
    ("record", "returned", "ankara.router"): 200,
    ("contacts", "answered", "ankara.health"): 200,
    ("contacts", "unrouted", "ankara.router"): 200,
    ("contacts", "unrouted", "ankara.health"): 404,
    ("queue", "answered", "ankara.health"): 200,
}

# What each endpoint acts on: the state of its target application (None: no application).
DEFAULT_STATE = {"route": "unrouted", "record": "routed", "contacts": "routed", "return": "routed",
                 "answer": "routed"}
CONSUMING = {"route", "return", "answer"}

CASES = [(endpoint, DEFAULT_STATE.get(endpoint), actor, status)
         for endpoint, statuses in EXPECTED.items() for actor, status in zip(ACTORS, statuses)]
CASES += [(endpoint, state, actor, status) for (endpoint, state, actor), status in EXPECTED_IN_STATE.items()]


def _case_id(case):
    endpoint, state, actor, status = case
    return "{}{}-{}-{}".format(endpoint, "@" + state if state and state != DEFAULT_STATE.get(endpoint) else "",
                               actor, status)


class Targets:
    """Applications in each state (shared, or fresh for a case that consumes one) and the admin
    endpoints' targets, all made once through the real flow."""

    def __init__(self, staff):
        self.staff = staff
        self._shared = {}
        self._admin_targets = None
        self._makers = {"unrouted": received_application, "routed": routed_application,
                        "returned": returned_application, "answered": answered_application}

    def application(self, state, fresh):
        if fresh:
            return self._makers[state](self.staff)["application_no"]
        if state not in self._shared:
            self._shared[state] = self._makers[state](self.staff)["application_no"]
        return self._shared[state]

    def admin(self):
        if self._admin_targets is None:
            user = self.staff.request("POST", "/api/v1/admin/users", "ankara.admin", json=_new_user_body())
            unit = self.staff.request("POST", "/api/v1/admin/units", "ankara.admin",
                                      json={"name": "Yetki Matrisi Hedef Birimi", "type": "governorship"})
            assert (user.status_code, unit.status_code) == (201, 201), (user.text, unit.text)
            person = national_id(str(random.randint(100_000_000, 999_999_999)))  # has one Ankara application
            applicant = dict(ankara_health_body()["applicant"], national_id=person)
            received_application(self.staff, ankara_health_body(applicant=applicant))
            self._admin_targets = {"username": user.json()["username"], "unit_id": unit.json()["unit_id"],
                                   "national_id": person}
        return self._admin_targets


def _new_user_body(province="06"):
    return {"username": "matrix-" + uuid.uuid4().hex[:10], "password": PASSWORD, "role": "desk",
            "province": province}


def request_for(endpoint, application_no, targets):
    """(method, path, json body, query) of a valid request to ``endpoint``."""
    base = "/api/v1/staff/applications/{}".format(application_no)
    if endpoint == "desk_submit":
        return "POST", "/api/v1/desk/applications", ankara_health_body(channel="desk"), None
    if endpoint == "queue":
        return "GET", "/api/v1/staff/applications", None, {"page_size": "100"}
    if endpoint == "record":
        return "GET", base, None, None
    if endpoint == "route":
        return "POST", base + "/route", {"unit_id": "06-cankaya-health"}, None
    if endpoint == "contacts":
        return "POST", base + "/contacts", {"channel": "phone", "note": "Telefonla bilgi verildi."}, None
    if endpoint == "return":
        return "POST", base + "/return", {"reason": "Birimimizin görev alanında değil."}, None
    if endpoint == "answer":
        return "POST", base + "/answer", {"text": "Başvurunuz incelendi ve gereği yapıldı.",
                                          "outcome": "negative"}, None
    if endpoint == "units":
        return "GET", "/api/v1/units", None, {"province": "ankara"}
    if endpoint == "admin_users_list":
        return "GET", "/api/v1/admin/users", None, None
    if endpoint == "stats":
        return "GET", "/api/v1/stats", None, {"province": "ankara"}
    if endpoint == "admin_sms_failed":
        return "GET", "/api/v1/admin/sms/failed", None, None
    if endpoint == "admin_kvkk_export":
        return "POST", "/api/v1/admin/personal-data/export", {"national_id": targets.admin()["national_id"]}, None
    if endpoint == "admin_users_create":
        return "POST", "/api/v1/admin/users", _new_user_body("06"), None
    if endpoint == "admin_users_update":
        return "PATCH", "/api/v1/admin/users/" + targets.admin()["username"], {"active": True}, None
    if endpoint == "admin_units_create":
        return "POST", "/api/v1/admin/units", {"name": "Yetki Matrisi Birimi", "type": "governorship"}, None
    if endpoint == "auth_me":
        return "GET", "/api/v1/auth/me", None, None
    if endpoint == "queue_national_id":
        return "GET", "/api/v1/staff/applications", None, {"q": targets.admin()["national_id"]}
    if endpoint == "admin_password":
        return "POST", "/api/v1/admin/users/{}/password".format(targets.admin()["username"]), None, None
    if endpoint == "admin_sms_resend":
        return "POST", "/api/v1/admin/sms/{}/resend".format(uuid.uuid4().hex), None, None
    if endpoint == "admin_kvkk_trail":
        return "GET", "/api/v1/admin/personal-data/requests", None, None
    if endpoint == "admin_units_update":
        return "PATCH", "/api/v1/admin/units/" + targets.admin()["unit_id"], {"name_en": "Matrix test unit"}, None
    raise KeyError(endpoint)


@pytest.fixture(scope="module")
def staff(running_system):
    staff = StaffApi(running_system.url)
    for actor in ACTORS[1:]:
        staff.token(actor)  # one login per officer for the whole module
    return staff


@pytest.fixture(scope="module")
def targets(staff):
    return Targets(staff)


def test_the_tables_cover_every_endpoint_and_actor():
    assert len(EXPECTED) == 21 and all(len(statuses) == len(ACTORS) for statuses in EXPECTED.values())
    assert {status for statuses in EXPECTED.values() for status in statuses} <= {200, 201, 401, 403, 404, 409, 422}


@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_who_may_do_what(staff, targets, case):
    endpoint, state, actor, expected = case
    application_no = None
    if state is not None:
        fresh = endpoint in CONSUMING and 200 <= expected < 300
        application_no = targets.application(state, fresh)
    method, path, body, query = request_for(endpoint, application_no, targets)

    response = staff.request(method, path, None if actor == "none" else actor, json=body, params=query)

    assert response.status_code == expected, response.text
    error_codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 422: "validation_failed"}
    if expected in error_codes:
        assert response.json()["error"]["code"] == OWN_CODES.get((endpoint, actor), error_codes[expected])
    if expected == 409:
        assert response.json()["error"]["code"] == "invalid_transition"
    if expected == 422:
        assert set(response.json()["error"]["fields"]) == {"province"}
    if endpoint == "admin_units_create" and expected == 201:
        assert response.json()["province_code"] == actor_province(actor)


def actor_province(actor):
    return {"ankara": "06", "istanbul": "34"}[actor.split(".")[0]]


QUEUE_SHOWS = {
    # Does the officer's queue list an application routed to 06-cankaya-health?
    "ankara.router": True, "ankara.health": True, "ankara.admin": True,
    "ankara.education": False, "istanbul.router": False, "istanbul.health": False, "istanbul.admin": False,
}


def test_queues_hold_only_what_the_officer_may_see(staff, targets):
    application_no = targets.application("routed", fresh=False)

    seen = {}
    for actor in QUEUE_SHOWS:
        queue = staff.queue(actor, page_size=100, status="routed")
        assert queue.status_code == 200, queue.text
        items = queue.json()["items"]
        seen[actor] = application_no in [item["application_no"] for item in items]
        assert {item["province_code"] for item in items} <= {actor_province(actor)}

    assert seen == QUEUE_SHOWS


def test_unit_list_and_admin_list_are_the_officers_province(staff):
    for actor in ("ankara.desk", "istanbul.desk"):
        units = staff.units(actor).json()
        assert units and {unit["province_code"] for unit in units} == {actor_province(actor)}
    for actor in ("ankara.admin", "istanbul.admin"):
        accounts = staff.request("GET", "/api/v1/admin/users", actor).json()
        assert {account["province_code"] for account in accounts} == {actor_province(actor)}
        assert not any("password" in key for account in accounts for key in account)


# --- bad tokens ----------------------------------------------------------------------------------

class _SignedLongAgo(TimestampSigner):
    def get_timestamp(self):
        return int(time.time()) - 2 * 3600  # tokens live an hour (TOKEN_LIFETIME_SECONDS default)


def _signing_key(running_system):
    return running_system.env.get("SECRET_KEY") or (running_system.data_dir / "secret_key").read_text().strip()


def _principal(role="admin"):
    return {"username": "ankara.admin", "role": role, "province_code": "06", "unit_id": None}


@pytest.fixture(scope="module")
def bad_tokens(staff, running_system):
    key = _signing_key(running_system)
    genuine = staff.token("ankara.desk")
    payload, timestamp, signature = genuine.rsplit(".", 2)
    promoted = URLSafeTimedSerializer("not-the-key", salt=TOKEN_SALT).dumps(_principal()).rsplit(".", 2)[0]
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    return {
        "missing": {},
        "not-bearer": {"Authorization": "Basic " + genuine},
        "empty-bearer": {"Authorization": "Bearer "},
        "garbage": {"Authorization": "Bearer not.a.token"},
        "tampered-signature": {"Authorization": "Bearer " + ".".join([payload, timestamp, flipped])},
        "desk-token-promoted-to-admin": {"Authorization": "Bearer " + ".".join([promoted, timestamp, signature])},
        "wrong-key": {"Authorization": "Bearer " + URLSafeTimedSerializer("not-the-key", salt=TOKEN_SALT)
                      .dumps(_principal())},
        "expired": {"Authorization": "Bearer " + URLSafeTimedSerializer(key, salt=TOKEN_SALT, signer=_SignedLongAgo)
                    .dumps(_principal())},
    }


def test_a_token_forged_with_the_real_key_is_accepted(staff, running_system):
    """The control for the expired case: the same principal, signed now, gets in."""
    token = URLSafeTimedSerializer(_signing_key(running_system), salt=TOKEN_SALT).dumps(_principal())

    response = staff.request("GET", "/api/v1/admin/users", {"Authorization": "Bearer " + token})

    assert response.status_code == 200, response.text


BAD_TOKEN_KINDS = ("not-bearer", "empty-bearer", "garbage", "tampered-signature", "desk-token-promoted-to-admin",
                   "wrong-key", "expired")


@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_bad_tokens_get_the_same_401_as_no_token(staff, targets, bad_tokens, endpoint):
    application_no = targets.application("routed", fresh=False) if endpoint in DEFAULT_STATE else None
    method, path, body, query = request_for(endpoint, application_no, targets)

    missing = staff.request(method, path, bad_tokens["missing"], json=body, params=query)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    for kind in BAD_TOKEN_KINDS:
        response = staff.request(method, path, bad_tokens[kind], json=body, params=query)
        assert (kind, response.status_code, response.content) == (kind, 401, missing.content)
        assert response.headers["WWW-Authenticate"] == missing.headers["WWW-Authenticate"]
