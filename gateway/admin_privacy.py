"""KVKK requests at the desk (docs/privacy.md#kvkk), for admins: export or erase one applicant's personal
data, identified by national ID within the admin's province.

POST, so the national ID travels in the body, never in a URL or an access log. intake validates the
body, finds the applicant's applications in the province (none: 404) and writes the audit log; an
erasure reaches the other services by intake's ``applicant_data_erased`` event, not from here.
"""
from flask import Blueprint, g, jsonify

from gateway.auth import staff_only
from gateway.body import json_body
from gateway.rpc import RpcTimedOut, ServiceUnavailable, services

admin_privacy = Blueprint("admin_privacy", __name__)


@admin_privacy.post("/api/v1/admin/personal-data/export")
@staff_only("admin")
def export_personal_data():
    """Everything personal each service holds about the applicant's applications: intake's
    applicant and texts, notification's recipient and SMS records, routing's contact log and
    objection, tracking's ratings."""
    exported = services().call("intake", "export_personal_data", g.principal, json_body())
    numbers = [application["application_no"] for application in exported["applications"]]
    sms = services().call("notification", "export_personal_data", g.principal, numbers)
    contacts = services().call("routing", "export_personal_data", g.principal, numbers)
    ratings = services().call("tracking", "export_personal_data", g.principal, numbers)
    applications = [dict(application, sms=sms.get(application["application_no"]),
                         routing=contacts.get(application["application_no"]),
                         tracking=ratings.get(application["application_no"]))
                    for application in exported["applications"]]
    return jsonify(dict(exported, applications=applications))


@admin_privacy.post("/api/v1/admin/personal-data/erase")
@staff_only("admin")
def erase_personal_data():
    return jsonify(services().call("intake", "erase_personal_data", g.principal, json_body()))


@admin_privacy.get("/api/v1/admin/personal-data/requests")
@staff_only("admin")
def personal_data_requests():
    """The province's earlier KVKK requests (intake's audit; the national ID masked), each with the
    display name of the admin who made it."""
    requests = services().call("intake", "list_personal_data_requests", g.principal)
    names = _display_names(sorted({request["by"] for request in requests if request.get("by")}))
    return jsonify([dict(request, by_name=names.get(request["by"]) or request["by"]) for request in requests])


def _display_names(usernames):
    """{username: display name} from routing; empty if routing does not answer in time (the list
    itself is there, with usernames)."""
    if not usernames:
        return {}
    try:
        return services().call("routing", "staff_display_names", g.principal, usernames)
    except (ServiceUnavailable, RpcTimedOut):
        return {}
