"""Staff routes for handling many applications as one (docs/api.md#incidents): likely duplicates of
an application, and incidents — grouped and routed by routers, answered by the unit's officer.

Roles are checked here, at the door; scope (province, unit) by routing, which owns the queue: the
duplicates intake finds are shown only where routing says the officer may see them.
"""
from flask import Blueprint, g, jsonify

from common.errors import NotFound
from gateway.auth import staff_only
from gateway.body import json_body
from gateway.rpc import services

incidents = Blueprint("incidents", __name__)

CASE_WORKERS = ("router", "unit", "admin")


@incidents.get("/api/v1/staff/applications/<application_no>/similar")
@staff_only(*CASE_WORKERS)
def similar_applications(application_no):
    """Likely duplicates (intake compares the texts and applicants), each with the caller's view of
    its queue entry (routing); none the caller may not see, and 404 for an application they may not."""
    found = services().call("intake", "similar_applications", g.principal, application_no)
    visible = services().call("routing", "visible_among", g.principal,
                              [application_no] + [entry["application_no"] for entry in found])
    if application_no not in visible:
        raise NotFound("application")
    return jsonify(application_no=application_no, similar=[
        dict(entry, queue_entry=visible[entry["application_no"]])
        for entry in found if entry["application_no"] in visible])


@incidents.post("/api/v1/staff/incidents")
@staff_only("router")
def create_incident():
    response = jsonify(services().call("routing", "create_incident", g.principal, json_body()))
    response.status_code = 201
    return response


@incidents.get("/api/v1/staff/incidents/<incident_id>")
@staff_only(*CASE_WORKERS)
def get_incident(incident_id):
    return jsonify(services().call("routing", "get_incident", g.principal, incident_id))


@incidents.post("/api/v1/staff/incidents/<incident_id>/applications")
@staff_only("router")
def add_to_incident(incident_id):
    return jsonify(services().call("routing", "add_to_incident", g.principal, incident_id, json_body()))


@incidents.post("/api/v1/staff/incidents/<incident_id>/route")
@staff_only("router")
def route_incident(incident_id):
    return jsonify(services().call("routing", "route_incident", g.principal, incident_id, json_body()))


@incidents.post("/api/v1/staff/incidents/<incident_id>/answer")
@staff_only("unit")
def answer_incident(incident_id):
    return jsonify(services().call("routing", "answer_incident", g.principal, incident_id, json_body()))
