"""Staff routes (bearer token): who is logged in, desk intake, the queue and its search, the record,
transitions, units, admin.

Roles are checked here, at the door; scope (province, unit) by the service that owns the data.
"""
from flask import Blueprint, current_app, g, jsonify, request

from common import clock
from common.fields import is_absent
from gateway.auth import bearer_token, credentials, staff_only
from gateway.body import json_body
from gateway.limits import LOGINS, rate_limited
from gateway.rpc import RpcTimedOut, ServiceUnavailable, services

staff = Blueprint("staff", __name__)

ALL_STAFF = ("desk", "router", "unit", "admin")
CASE_WORKERS = ("router", "unit", "admin")


@staff.post("/api/v1/auth/token")
@rate_limited(LOGINS)
def issue_token():
    username, password = credentials(json_body())
    generation = current_app.extensions["token_generations"].current(username)
    principal = services().call("routing", "authenticate", username, password)
    signer = current_app.extensions["token_signer"]
    return jsonify(access_token=signer.issue(principal, generation), token_type="Bearer",
                   expires_in=signer.lifetime_seconds, role=principal["role"],
                   province=principal["province_code"], unit_id=principal["unit_id"])


@staff.get("/api/v1/auth/me")
@staff_only(*ALL_STAFF)
def me():
    """Who is logged in (names from routing) and when the token presented stops working."""
    profile = services().call("routing", "staff_profile", g.principal)
    expires_at = current_app.extensions["token_signer"].expires_at(bearer_token())
    return jsonify(dict(profile, expires_at=clock.to_iso(expires_at)))


@staff.post("/api/v1/desk/applications")
@staff_only("desk")
def submit_at_desk():
    receipt = services().call("intake", "submit_application", json_body(), entry_point="desk",
                              idempotency_key=request.headers.get("Idempotency-Key"), officer=g.principal)
    return jsonify(receipt), 201


@staff.get("/api/v1/staff/applications")
@staff_only(*CASE_WORKERS)
def queue():
    """The officer's queue from routing. With ``q``, intake searches first (a number, a national ID
    — an audited read — or words of subject and description) and routing lists only what it found.
    Then intake gives the subjects of the page's applications."""
    query = request.args.to_dict()
    searched_for = query.pop("q", None)
    if is_absent(searched_for):
        page, search = services().call("routing", "list_applications", g.principal, query), None
    else:
        found = services().call("intake", "find_applications", g.principal, searched_for)
        page = services().call("routing", "list_applications", g.principal, query, found["application_nos"])
        search = {"q": searched_for.strip(), "matched_by": found["matched_by"]}
    subjects = _subjects([item["application_no"] for item in page["items"]])
    items = [dict(item, subject=subjects.get(item["application_no"])) for item in page["items"]]
    return jsonify(dict(page, items=items, search=search))


def _subjects(application_nos):
    """{number: subject}; empty if intake does not answer in time (the page itself is there)."""
    if not application_nos:
        return {}
    try:
        return services().call("intake", "application_subjects", g.principal, application_nos)
    except (ServiceUnavailable, RpcTimedOut):
        return {}


@staff.get("/api/v1/staff/applications/<application_no>")
@staff_only(*CASE_WORKERS)
def record(application_no):
    """Routing decides whether this officer may see it; only then does intake hand out
    (and audit) the applicant's personal data."""
    routing_part = services().call("routing", "get_application", g.principal, application_no)
    intake_part = services().call("intake", "get_application_record", g.principal, application_no,
                                  purpose=request.args.get("reason"))
    try:
        messages = services().call("notification", "list_messages", g.principal, application_no)
    except (ServiceUnavailable, RpcTimedOut):  # the record itself is there; only the SMS states wait
        messages = None
    return jsonify(dict(routing_part, **intake_part, sms=messages))


@staff.post("/api/v1/staff/applications/<application_no>/route")
@staff_only("router")
def route(application_no):
    return _act("route_application", application_no)


@staff.post("/api/v1/staff/applications/<application_no>/contacts")
@staff_only("router", "unit")
def contact(application_no):
    return _act("record_contact", application_no)


@staff.post("/api/v1/staff/applications/<application_no>/return")
@staff_only("unit")
def return_to_router(application_no):
    return _act("return_application", application_no)


@staff.post("/api/v1/staff/applications/<application_no>/answer")
@staff_only("unit")
def answer(application_no):
    return _act("answer_application", application_no)


def _act(method, application_no):
    return jsonify(services().call("routing", method, g.principal, application_no, json_body()))


@staff.get("/api/v1/units")
@staff_only(*ALL_STAFF)
def units():
    return jsonify(services().call("routing", "list_units", g.principal, request.args.get("province")))


@staff.get("/api/v1/stats")
@staff_only(*CASE_WORKERS)
def statistics():
    """Scope (the officer's province; a unit officer's own unit) is tracking's to decide."""
    return jsonify(services().call("tracking", "get_statistics", g.principal, request.args.to_dict()))


@staff.post("/api/v1/admin/units")
@staff_only("admin")
def create_unit():
    return jsonify(services().call("routing", "create_unit", g.principal, json_body())), 201


@staff.patch("/api/v1/admin/units/<unit_id>")
@staff_only("admin")
def update_unit(unit_id):
    return jsonify(services().call("routing", "update_unit", g.principal, unit_id, json_body()))


@staff.get("/api/v1/admin/sms/failed")
@staff_only("admin")
def failed_sms():
    return jsonify(services().call("notification", "list_failed_messages", g.principal))


@staff.post("/api/v1/admin/sms/<message_id>/resend")
@staff_only("admin")
def resend_sms(message_id):
    """A failed SMS sent again as a new message (notification decides whether it may be)."""
    return jsonify(services().call("notification", "resend_message", g.principal, message_id)), 201


@staff.get("/api/v1/admin/users")
@staff_only("admin")
def list_users():
    return jsonify(services().call("routing", "list_staff", g.principal))


@staff.post("/api/v1/admin/users")
@staff_only("admin")
def create_user():
    return jsonify(services().call("routing", "create_staff", g.principal, json_body())), 201


@staff.patch("/api/v1/admin/users/<username>")
@staff_only("admin")
def update_user(username):
    return jsonify(services().call("routing", "update_staff", g.principal, username, json_body()))


@staff.post("/api/v1/admin/users/<username>/password")
@staff_only("admin")
def reset_password(username):
    """A new random password, in this answer only; the account's earlier tokens stop working."""
    return jsonify(services().call("routing", "reset_password", g.principal, username))
