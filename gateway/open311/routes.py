"""Open311 GeoReport v2 routes (``/open311/v2/…``) and the admin routes that issue client keys.

Every resource in JSON and XML (``.json``/``.xml``). GETs are public and show nothing personal;
POST requests needs the ``api_key`` of a client app (routing verifies it) and becomes an ordinary
application (intake, channel ``app``, the client recorded). Errors are ``gateway/errors.py``'s:
under ``/open311/`` in the specification's format (``formats.errors``).
"""
from flask import Blueprint, current_app, g, jsonify, request, url_for

from common import clock
from common.errors import NotFound, Unauthorized, ValidationFailed
from gateway.auth import staff_only
from gateway.body import json_body
from gateway.limits import FORM_TYPES, OPEN311_SUBMISSIONS, rate_limited
from gateway.open311 import formats, mapping
from gateway.rpc import services
from messages import bilingual

open311 = Blueprint("open311", __name__)

FORMAT = "<any(json, xml):fmt>"
PREFIX = "/open311/v2/"
NOT_A_FORM = bilingual("open311.not_a_form")
API_KEY_MAX_LENGTH = 200


def _catalogue():
    return current_app.extensions["catalog_cache"].get()


@open311.get(PREFIX + "discovery." + FORMAT)
def discovery(fmt):
    return formats.render(mapping.discovery(request.url_root, formats.MEDIA_TYPES.values()), "discovery", fmt)


@open311.get(PREFIX + "services." + FORMAT)
def list_services(fmt):
    mapping.province_of(request.args.get("jurisdiction_id"), required=False)  # an unknown one is 404
    return formats.render(mapping.services(_catalogue()), "services", fmt)


@open311.get(PREFIX + "services/<service_code>." + FORMAT)
def service_definition(service_code, fmt):
    province = mapping.province_of(request.args.get("jurisdiction_id"), required=False)
    return formats.render(mapping.service_definition(_catalogue(), service_code, province),
                         "service_definition", fmt)


@open311.post(PREFIX + "requests." + FORMAT)
@rate_limited(OPEN311_SUBMISSIONS)  # the citizen route's limits (SMS pumping), and per client app
def create_request(fmt):
    form = _form()
    client = _client(form.get("api_key"))
    province = mapping.province_of(form.get("jurisdiction_id"))
    body = mapping.application_body(form, province)
    try:
        receipt = services().call("intake", "submit_application", body, entry_point="open311",
                                  idempotency_key=request.headers.get("Idempotency-Key"), client=client)
    except ValidationFailed as invalid:
        raise ValidationFailed(mapping.open311_fields(invalid.fields)) from None
    response = formats.render([mapping.receipt(receipt)], "service_requests", fmt, status=201)
    response.headers["Location"] = url_for("open311.get_request", service_request_id=receipt["application_no"],
                                           fmt=fmt, jurisdiction_id=mapping.jurisdiction_of(province.name))
    return response


@open311.get(PREFIX + "requests." + FORMAT)
def list_requests(fmt):
    province = mapping.province_of(request.args.get("jurisdiction_id"))
    catalogue = _catalogue()
    query = mapping.requests_query(request.args, province, {category["code"] for category in catalogue["categories"]},
                                   clock.now())
    return formats.render(_service_requests(query, catalogue), "service_requests", fmt)


# The specification's text and its published Swagger disagree (requests/{id}, request/{id}): both are served.
@open311.get(PREFIX + "requests/<service_request_id>." + FORMAT)
def get_request(service_request_id, fmt):
    return _one_request(service_request_id, fmt)


@open311.get(PREFIX + "request/<service_request_id>." + FORMAT)
def get_request_singular(service_request_id, fmt):
    return _one_request(service_request_id, fmt)


def _one_request(service_request_id, fmt):
    province = mapping.province_of(request.args.get("jurisdiction_id"))
    catalogue = _catalogue()
    found = []
    if "," not in service_request_id:
        query = mapping.requests_query({"service_request_id": service_request_id}, province, (), clock.now())
        found = _service_requests(query, catalogue)
    if not found:
        raise NotFound("request")
    return formats.render(found, "service_requests", fmt)


def _service_requests(query, catalogue):
    views = [] if query is None else services().call("tracking", "list_public_requests", query)
    return [mapping.service_request(view, catalogue) for view in views]


def _form():
    """The POSTed parameters (first value of each); a body that is no form is refused by name."""
    if request.mimetype not in FORM_TYPES:
        raise ValidationFailed({"body": NOT_A_FORM})
    return {name: request.form.get(name) for name in request.form}


def _client(api_key):
    """``{client_id, name}`` of the client app holding ``api_key``; else 403."""
    if not api_key or len(api_key) > API_KEY_MAX_LENGTH:
        raise mapping.InvalidApiKey()
    try:
        return services().call("routing", "authenticate_open311_client", api_key)
    except Unauthorized:
        raise mapping.InvalidApiKey() from None


# --- admins issue and revoke client keys --------------------------------------------------------

@open311.post("/api/v1/admin/open311-clients")
@staff_only("admin")
def create_client():
    """The key is in this answer only: routing keeps its SHA-256 digest."""
    return jsonify(services().call("routing", "create_open311_client", g.principal, json_body())), 201


@open311.get("/api/v1/admin/open311-clients")
@staff_only("admin")
def list_clients():
    return jsonify(services().call("routing", "list_open311_clients", g.principal))


@open311.patch("/api/v1/admin/open311-clients/<client_id>")
@staff_only("admin")
def update_client(client_id):
    return jsonify(services().call("routing", "update_open311_client", g.principal, client_id, json_body()))
