"""KVKK requests at the desk (docs/privacy.md#kvkk), for admins: export or erase one applicant's personal
data, identified by national ID within the admin's province.

POST, so the national ID travels in the body, never in a URL or an access log. intake validates the
body, finds the applicant's applications in the province (none: 404) and writes the audit log; an
erasure reaches the other services by intake's ``applicant_data_erased`` event, not from here.
"""
from flask import Blueprint, g, jsonify

from gateway.auth import staff_only
from gateway.body import json_body
from gateway.rpc import services

admin_privacy = Blueprint("admin_privacy", __name__)


@admin_privacy.post("/api/v1/admin/personal-data/export")
@staff_only("admin")
def export_personal_data():
    """Everything personal each service holds about the applicant's applications: intake's
    applicant and texts, notification's recipient and SMS records, routing's contact log."""
    exported = services().call("intake", "export_personal_data", g.principal, json_body())
    numbers = [application["application_no"] for application in exported["applications"]]
    sms = services().call("notification", "export_personal_data", g.principal, numbers)
    contacts = services().call("routing", "export_personal_data", g.principal, numbers)
    applications = [dict(application, sms=sms.get(application["application_no"]),
                         routing=contacts.get(application["application_no"]))
                    for application in exported["applications"]]
    return jsonify(dict(exported, applications=applications))


@admin_privacy.post("/api/v1/admin/personal-data/erase")
@staff_only("admin")
def erase_personal_data():
    return jsonify(services().call("intake", "erase_personal_data", g.principal, json_body()))
