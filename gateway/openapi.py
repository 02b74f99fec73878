"""The OpenAPI 3.1 document of the whole HTTP API (``/api/v1/openapi.json``) and a docs page for
people (``/api/v1/docs``), built from what the gateway actually runs (docs/api.md#openapi):

- paths and methods: the Flask url_map (a route with no entry in ``OPERATIONS`` below still
  appears, marked ``x-undocumented``; a unit test refuses that);
- who may call: each staff view's ``allowed_roles`` (``gateway.auth.staff_only``) → bearer
  security, ``x-roles``, 401 and 403;
- request bodies and query parameters: the very field tables the services validate with
  (``common.fields.body_schema`` of ``contracts/<service>/requests.py`` and
  ``gateway/auth.py``) — never a copy;
- responses: the TypedDicts of ``contracts/<service>/rpc.py`` (``typed_dict_schema``); errors: the one
  table of ``gateway/errors.py``, one shape ``{"error": {"code", "message", "fields"?}}``;
- Open311 (``/open311/v2/``): answers in JSON and XML from ``gateway/open311/mapping.py``'s
  TypedDicts, errors in the specification's shape (``Open311Error…`` responses, the same table).

The schemas state the canonical form of each field; the services also accept spelling variants
(surrounding blanks, upper-case codes, a province by name or plate code) and check what a schema
cannot say (a national ID's check digits, the mobile number plan, a district of the province).
Importing the declarations pulls no nameko service, store or broker connection.
"""
import html
import json
import typing
from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app

from common.fields import absent_allowed, body_schema, parameter_schema, schema_of
from contracts.intake import rpc as intake_rpc
from contracts.intake.catalog import CATEGORIES
from contracts.intake.requests import CITIZEN_CHANNELS, DESK_CHANNELS, LANGUAGES, application_schema
from contracts.intake.requests import PERSONAL_DATA_ERASURE_FIELDS, PERSONAL_DATA_EXPORT_FIELDS
from contracts.notification import rpc as notification_rpc
from contracts.routing import requests as routing_requests
from contracts.routing import rpc as routing_rpc
from contracts.tracking import requests as tracking_requests
from contracts.tracking import rpc as tracking_rpc
from gateway import auth, errors
from gateway.open311 import formats as open311_formats
from gateway.open311 import mapping as open311_mapping

openapi = Blueprint("openapi", __name__)

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
UNDOCUMENTED = "x-undocumented"
HIDDEN_METHODS = frozenset({"HEAD", "OPTIONS"})

ERROR_SCHEMA = "Error"
OPEN311_ERRORS_SCHEMA = "Open311Errors"
OPEN311_ERROR_RESPONSE = "Open311Error"
BEARER = "bearer"

# Routes that are not the API: the web clients' pages and files (gateway/web.py) are for people and
# call the API like any other client; docs/web.md describes them.
NOT_API_BLUEPRINTS = frozenset({"web"})


def is_api_rule(rule):
    """Whether a url_map rule belongs in the document (not Flask's static, not a web page)."""
    return rule.endpoint != "static" and rule.endpoint.partition(".")[0] not in NOT_API_BLUEPRINTS


# --- TypedDict → JSON Schema -------------------------------------------------------------------

def typed_dict_schema(cls, components):
    """A JSON Schema ``$ref`` to ``cls`` (a TypedDict), registering it and every TypedDict it
    refers to in ``components`` (name → schema). Keys are required unless ``NotRequired``;
    more keys may come (changes are additive)."""
    name = cls.__name__
    if name not in components:
        components[name] = {}  # a placeholder first: a TypedDict may refer to itself
        hints = typing.get_type_hints(cls)
        properties = {key: _type_schema(hint, components) for key, hint in hints.items()}
        schema = {"type": "object", "properties": properties,
                  "required": [key for key in hints if key in cls.__required_keys__]}
        components[name] = schema
    return {"$ref": "#/components/schemas/" + name}


def _type_schema(hint, components):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.NotRequired, typing.Required):
        return _type_schema(args[0], components)
    if origin is typing.Union:
        options = [_type_schema(arg, components) for arg in args if arg is not type(None)]
        if type(None) in args:
            options.append({"type": "null"})
        return options[0] if len(options) == 1 else {"anyOf": options}
    if origin in (list, typing.List):
        return {"type": "array", "items": _type_schema(args[0], components) if args else {}}
    if origin in (dict, typing.Dict) or hint is dict:
        return {"type": "object"}
    if typing.is_typeddict(hint):
        return typed_dict_schema(hint, components)
    simple = {str: {"type": "string"}, int: {"type": "integer"}, bool: {"type": "boolean"},
              float: {"type": "number"}, typing.Any: {}}
    if hint in simple:
        return dict(simple[hint])
    raise TypeError("no JSON Schema for {!r}".format(hint))


# --- answers the gateway composes itself --------------------------------------------------------

class TokenAnswer(typing.TypedDict):
    access_token: str
    token_type: str
    expires_in: int
    role: str
    province: str
    unit_id: typing.Optional[str]


class StaffRecord(routing_rpc.Record):
    """Routing's record, intake's part (the applicant: an audited read) and the SMS states."""
    applicant: dict
    subject: str
    description: str
    language: str
    entered_by: typing.Optional[str]
    client: typing.Optional[str]  # the Open311 client app that sent it
    sms: typing.Optional[typing.List[notification_rpc.MessageView]]  # None: notification is away


class UnitName(typing.TypedDict):
    name: str


class PublicAnswer(typing.TypedDict):
    text: str
    outcome: str
    answered_at: str


class PublicStatusView(tracking_rpc.StatusView, total=False):
    """Tracking's view with the keys it adds only when they apply."""
    unit: UnitName  # once routed
    answer: PublicAnswer  # once answered
    notice: str  # the SMS could not be sent: where to read the result


class DeliveryReportAnswer(typing.TypedDict):
    applied: int
    ignored: int


class Health(typing.TypedDict):
    status: str


class Readiness(typing.TypedDict):
    status: str
    checks: typing.Dict[str, str]


class PersonalDataExport(typing.TypedDict):
    national_id: str
    applications: typing.List[dict]


# --- what each route is -------------------------------------------------------------------------

@dataclass(frozen=True)
class Operation:
    """What the url_map cannot tell about a route. ``answers``: status → TypedDict, JSON Schema
    or None (no body); ``errors``: the statuses of ``gateway/errors.py`` this route can answer
    besides those the gateway adds by itself (body: 400 413 415 422; staff: 401 403; a service
    behind: 503 504; rate limits: 429; a path parameter: 404)."""
    summary: str
    tag: str
    answers: dict
    body: typing.Callable = None  # () → JSON Schema of the JSON body
    body_example: dict = None
    query: typing.Callable = None  # () → [parameter]
    headers: tuple = ()
    errors: tuple = ()
    rpc: bool = True
    path: dict = field(default_factory=dict)  # path parameter → JSON Schema
    content_types: tuple = ("application/json",)
    response_type: str = "application/json"
    description: str = None
    open311: bool = False  # answers in JSON and XML (the path's extension), errors in Open311's shape


def _query(name, schema, required=False, description=None):
    parameter = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def _queue_parameters():
    return [_query(name, parameter_schema(field)) for name, field in routing_requests.QUEUE_QUERY_FIELDS.items()]


IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "description": "The same key with the same body gives the same answer, never a second application.",
                   "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,100}$"}}

APPLICATION_NO = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{6,9}$", "examples": ["2026-000001"]}

APPLICATION_EXAMPLE = {
    "applicant": {"national_id": "10000000146", "first_name": "Ayşe", "last_name": "Yılmaz",
                  "phone": "0532 123 45 67"},
    "kind": "complaint", "category": "transport", "province": "istanbul", "district": "kadıköy",
    "subject": "Yoldaki çukur", "description": "Sokağımızdaki yolda büyük bir çukur var.", "channel": "web",
}


def _changes(table):
    return lambda: routing_requests.changes_schema(table)


# --- Open311 GeoReport v2 ------------------------------------------------------------------------

OPEN311_FORMAT = {"fmt": {"type": "string", "enum": list(open311_formats.FORMATS)}}
JURISDICTION_IDS = sorted(open311_mapping.jurisdictions())
# The years a date from outside may have (common.fields FIRST_YEAR–LAST_YEAR: 2000–2099).
W3C_TIME = {"type": "string", "format": "date-time", "pattern": "^20[0-9]{2}-", "examples": ["2026-11-01T00:00:00Z"]}


def _jurisdiction(required):
    schema = {"type": "string", "enum": JURISDICTION_IDS}
    return _query("jurisdiction_id", schema if required else absent_allowed(schema, nullable=False),
                  required=required, description="a province's governorship domain (istanbul.gov.tr); unknown: 404")


def _open311_requests_query():
    return [_jurisdiction(True),
            _query("service_request_id", {"type": "string"}, description="comma list; overrides the rest"),
            _query("service_code", {"type": "string", "examples": ["transport,health"]}, description="comma list"),
            _query("start_date", absent_allowed(W3C_TIME, nullable=False),
                   description="default: end_date − 90 days (or now − 90 days)"),
            _query("end_date", absent_allowed(W3C_TIME, nullable=False),
                   description="default: start_date + 90 days (or now); at most 90 days"),
            _query("status", {"type": "string", "examples": ["open", "open,closed"]},
                   description="comma list of open, closed")]


def _open311_form():
    """The POST form: the specification's parameters and our attributes (unknown ones are 400)."""
    properties = {name: {"type": "string"} for name in open311_mapping.FORM_FIELDS}
    properties["jurisdiction_id"] = {"type": "string", "enum": JURISDICTION_IDS}
    properties["service_code"] = {"type": "string", "enum": sorted(CATEGORIES)}
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "required": ["api_key", "jurisdiction_id", "service_code", "first_name", "last_name", "phone",
                         "description", "attribute[kind]", "attribute[district]", "attribute[subject]",
                         "attribute[national_id]"]}


def _open311(summary, answers, **options):
    return Operation(summary, "open311", answers, path=dict(OPEN311_FORMAT, **options.pop("path", {})),
                     open311=True, **options)


def _list_of(cls):
    return {"type": "array", "items": cls}


OPEN311_DESCRIPTION = ("Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): JSON or XML by the "
                       "extension; errors as [{code, description}] or <errors><error>.")

OPEN311_ONE_REQUEST = _open311(
    "Open311: one request (served as requests/{id} and request/{id})",
    {200: _list_of(open311_mapping.ServiceRequest)}, query=lambda: [_jurisdiction(True)], errors=(400, 404),
    path={"service_request_id": APPLICATION_NO})

OPERATIONS = {
    "citizen.submit_application": Operation(
        "Apply (web, app)", "citizen", {201: intake_rpc.Receipt},
        body=lambda: application_schema(CITIZEN_CHANNELS), body_example=APPLICATION_EXAMPLE,
        headers=(IDEMPOTENCY_KEY,), errors=(409,),
        description="The receipt; an SMS with the number and tracking code follows."),
    "citizen.track_application": Operation(
        "Track an application", "citizen", {200: PublicStatusView},
        path={"application_no": APPLICATION_NO},
        query=lambda: [_query("tracking_code", {"type": "string", "minLength": 1}, required=True,
                              description="the code sent by SMS"),
                       _query("language", {"type": "string", "examples": sorted(LANGUAGES),
                                           "description": "tr or en; anything else, or none: the "
                                                          "application's own language"})],
        errors=(404, 422), description="A wrong code and an unknown number give the same 404."),
    "citizen.catalog": Operation("Kinds, categories, provinces and districts, for forms", "citizen",
                                 {200: intake_rpc.Catalogue}),
    "staff.issue_token": Operation(
        "Log in: a bearer token for staff", "staff", {200: TokenAnswer},
        body=lambda: body_schema(auth.LOGIN_FIELDS, additional_properties=True), errors=(401,)),
    "staff.submit_at_desk": Operation(
        "Enter an application at a desk", "desk", {201: intake_rpc.Receipt},
        body=lambda: application_schema(DESK_CHANNELS),
        body_example=dict(APPLICATION_EXAMPLE, province="ankara", district="çankaya", channel="desk"),
        headers=(IDEMPOTENCY_KEY,), errors=(409,)),
    "staff.queue": Operation("The officer's queue", "staff", {200: routing_rpc.QueuePage},
                             query=_queue_parameters, errors=(422,)),
    "staff.record": Operation(
        "The full record, with the applicant (an audited read)", "staff", {200: StaffRecord},
        query=lambda: [_query("reason", {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"},
                              description="why the personal data is read (the audit log keeps it)")],
        errors=(404, 422)),
    "staff.route": Operation("Route to a unit", "staff", {200: routing_rpc.Record},
                             body=lambda: body_schema(routing_requests.ROUTE_FIELDS), errors=(404, 409)),
    "staff.contact": Operation("Record a contact with the applicant", "staff", {200: routing_rpc.Record},
                               body=lambda: body_schema(routing_requests.CONTACT_FIELDS), errors=(404, 409)),
    "staff.return_to_router": Operation("Return a misrouted application", "staff", {200: routing_rpc.Record},
                                        body=lambda: body_schema(routing_requests.RETURN_FIELDS), errors=(404, 409)),
    "staff.answer": Operation("Answer", "staff", {200: routing_rpc.Record},
                              body=lambda: body_schema(routing_requests.ANSWER_FIELDS), errors=(404, 409)),
    "staff.units": Operation(
        "Units of the officer's province", "staff", {200: {"type": "array", "items": routing_rpc.Unit}},
        query=lambda: [_query("province", absent_allowed(schema_of(routing_requests.province_code), nullable=False),
                              description="the officer's own province (another one is 404)")],
        errors=(404, 422)),
    "staff.statistics": Operation(
        "Statistics of the officer's province (a unit officer: their unit)", "staff",
        {200: tracking_rpc.Statistics},
        query=lambda: [_query(name, parameter_schema(field))
                       for name, field in tracking_requests.STATS_QUERY_FIELDS.items()],
        errors=(404, 422),
        description=("Applications received in the period (days in Turkey's time, both included; default the "
                     "last 30 days, at most 366): counts by status, kind, channel and unit; of the answered, the "
                     "share answered by the due time and the median and 90th percentile of hours to answer; the "
                     "overdue ones (not answered, due time passed). Another province is 404; a unit officer sees "
                     "only their own unit (another unit_id is 404).")),
    "staff.create_unit": Operation("Add a unit", "admin", {201: routing_rpc.Unit},
                                   body=lambda: body_schema(routing_requests.NEW_UNIT_FIELDS)),
    "staff.update_unit": Operation("Rename, (de)activate a unit", "admin", {200: routing_rpc.Unit},
                                   body=_changes(routing_requests.UNIT_CHANGES_FIELDS), errors=(404,)),
    "staff.failed_sms": Operation("SMS that could not be sent (the admin's province)", "admin",
                                  {200: {"type": "array", "items": notification_rpc.MessageView}}),
    "staff.list_users": Operation("Staff accounts of the admin's province", "admin",
                                  {200: {"type": "array", "items": routing_rpc.Account}}),
    "staff.create_user": Operation("Add a staff account", "admin", {201: routing_rpc.Account},
                                   body=lambda: body_schema(routing_requests.NEW_STAFF_FIELDS)),
    "staff.update_user": Operation("Change a staff account", "admin", {200: routing_rpc.Account},
                                   body=_changes(routing_requests.STAFF_CHANGES_FIELDS), errors=(404,)),
    "admin_privacy.export_personal_data": Operation(
        "KVKK: export an applicant's personal data (the admin's province)", "admin", {200: PersonalDataExport},
        body=lambda: body_schema(PERSONAL_DATA_EXPORT_FIELDS),
        errors=(404,)),
    "admin_privacy.erase_personal_data": Operation(
        "KVKK: erase an applicant's personal data (the admin's province)", "admin", {200: {"type": "object"}},
        body=lambda: body_schema(PERSONAL_DATA_ERASURE_FIELDS),
        errors=(404,)),
    "callbacks.delivery_report": Operation(
        "SMS delivery reports (providers)", "machines", {200: DeliveryReportAnswer},
        body=lambda: {"type": "object", "description": "the provider's report as it sends it"},
        content_types=("application/json", "application/x-www-form-urlencoded"),
        errors=(403, 404, 422),
        description="The URL carries SMS_CALLBACK_TOKEN; Twilio's reports are signed (X-Twilio-Signature)."),
    "health.healthz": Operation("The process is up", "machines", {200: Health}, rpc=False),
    "health.readyz": Operation("The broker and every service answer", "machines",
                               {200: Readiness, 503: Readiness}, rpc=False),
    "metrics.serve": Operation("Prometheus metrics of every gateway worker (text exposition)", "machines",
                               {200: None}, rpc=False, response_type="text/plain",
                               description="Counts and latencies by route rule and status; no personal data. "
                                           "Restrict it to the monitoring network at the ingress."),
    "openapi.document": Operation("This document", "machines", {200: {"type": "object"}}, rpc=False),
    "open311.discovery": _open311("Open311 service discovery", {200: open311_mapping.Discovery}, rpc=False,
                                  description=OPEN311_DESCRIPTION),
    "open311.list_services": _open311("Open311 services: our categories", {200: _list_of(open311_mapping.Service)},
                                      query=lambda: [_jurisdiction(False)], errors=(404,)),
    "open311.service_definition": _open311(
        "Open311 service definition: the attributes a request takes", {200: open311_mapping.ServiceDefinition},
        query=lambda: [_jurisdiction(False)], path={"service_code": {"type": "string", "enum": sorted(CATEGORIES)}},
        description="With jurisdiction_id the district attribute lists the province's districts."),
    "open311.create_request": _open311(
        "Open311: submit a request (an application, channel app)", {201: _list_of(open311_mapping.Receipt)},
        body=_open311_form, content_types=("application/x-www-form-urlencoded",), errors=(400, 403, 404, 409),
        headers=(IDEMPOTENCY_KEY,),
        description="Needs the api_key an admin issued to the client app (403 without). Validated like any "
                    "application; 400 names the parameter. The SMS with the number and tracking code follows."),
    "open311.list_requests": _open311(
        "Open311: requests of a jurisdiction (no personal data)", {200: _list_of(open311_mapping.ServiceRequest)},
        query=_open311_requests_query, errors=(400, 404),
        description="Newest first, at most 1000; the period defaults to the last 90 days and spans at most 90."),
    "open311.get_request": OPEN311_ONE_REQUEST,
    "open311.get_request_singular": OPEN311_ONE_REQUEST,
    "open311.create_client": Operation(
        "Issue an Open311 client app its api_key (shown once)", "admin", {201: routing_rpc.Open311ClientKey},
        body=lambda: body_schema(routing_requests.NEW_OPEN311_CLIENT_FIELDS)),
    "open311.list_clients": Operation("Open311 client apps (never their keys)", "admin",
                                      {200: {"type": "array", "items": routing_rpc.Open311Client}}),
    "open311.update_client": Operation("Revoke or restore an Open311 client app's key", "admin",
                                       {200: routing_rpc.Open311Client},
                                       body=_changes(routing_requests.OPEN311_CLIENT_CHANGES_FIELDS), errors=(404,)),
    "openapi.docs": Operation("This document for people (HTML)", "machines", {200: None}, rpc=False,
                              response_type="text/html"),
}

BODY_ERRORS = (400, 413, 415, 422)
QUERY_ERROR = 422  # any route: a query parameter that is not UTF-8 or holds NUL (gateway/parameters.py)
STAFF_ERRORS = (401, 403)
RPC_ERRORS = (503, 504)


# --- the document -------------------------------------------------------------------------------

def build_document(app):
    components = {}
    paths = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not is_api_rule(rule):
            continue
        path = _openapi_path(rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - HIDDEN_METHODS):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, method, components)
    error_schemas, error_responses = _error_components()
    components.update(error_schemas)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Açık Kapı API",
            "version": API_VERSION,
            "summary": "Turkey's Open Door citizen service: apply, track, and the staff who handle applications.",
            "description": ("JSON in and out, UTF-8; timestamps ISO-8601 with offset. Errors always have one "
                            "shape: {\"error\": {\"code\", \"message\", \"fields\"?}} (fields only for 422). "
                            "Request schemas state each field's canonical form; the service also accepts "
                            "surrounding blanks and upper-case codes, and checks what a schema cannot say "
                            "(check digits, the mobile number plan, districts of the province)."),
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "responses": error_responses,
            "securitySchemes": {BEARER: {"type": "http", "scheme": "bearer",
                                         "description": "from POST /api/v1/auth/token"}},
        },
    }


def _openapi_path(flask_rule):
    """``/a/<b>/<int:c>`` → ``/a/{b}/{c}``."""
    out, rest = "", flask_rule
    while "<" in rest:
        before, _, after = rest.partition("<")
        variable, _, rest = after.partition(">")
        out += before + "{" + variable.split(":")[-1] + "}"
    return out + rest


def _view_attribute(view, name):
    """An attribute a decorator set, looked for down the ``__wrapped__`` chain."""
    while view is not None:
        if hasattr(view, name):
            return getattr(view, name)
        view = getattr(view, "__wrapped__", None)
    return None


def _operation(rule, view, method, components):
    described = OPERATIONS.get(rule.endpoint)
    roles = _view_attribute(view, "allowed_roles")
    operation_id = rule.endpoint.replace(".", "_")
    if len(rule.methods - HIDDEN_METHODS) > 1:
        operation_id += "_" + method.lower()
    operation = {"operationId": operation_id}
    if described is None:
        described = Operation("(not described yet)", "undocumented", {200: {}})
        operation[UNDOCUMENTED] = True
    operation["summary"] = described.summary
    if described.description:
        operation["description"] = described.description
    operation["tags"] = [described.tag]
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": dict(described.path.get(name, {"type": "string", "minLength": 1}))}
                  for name in sorted(rule.arguments)]
    parameters += list(described.query() if described.query else [])
    parameters += [dict(header) for header in described.headers]
    if parameters:
        operation["parameters"] = parameters
    if described.body is not None:
        schema = described.body()
        media = {"schema": schema}
        if described.body_example is not None:
            media["example"] = described.body_example
        operation["requestBody"] = {"required": True,
                                    "content": {content_type: dict(media) for content_type in described.content_types}}
    if roles:
        operation["security"] = [{BEARER: []}]
        operation["x-roles"] = list(roles)
    responses = {}
    for status, answer in described.answers.items():
        responses[str(status)] = _answer(status, answer, described.response_type, components)
        if described.open311:  # the same answer as XML: the specification's elements, unschematised
            responses[str(status)]["content"][open311_formats.MEDIA_TYPES["xml"]] = {"schema": {"type": "string"}}
    statuses = set(described.errors) | {QUERY_ERROR}
    if described.body is not None and described.content_types == ("application/json",):
        statuses |= set(BODY_ERRORS)
    elif described.body is not None:
        statuses.add(413)
    if roles:
        statuses |= set(STAFF_ERRORS)
    if described.rpc:
        statuses |= set(RPC_ERRORS)
    if rule.arguments:
        statuses.add(404)
    if _view_attribute(view, "rate_limit_rules"):
        statuses.add(429)
    for status in sorted(statuses):
        if described.open311:
            status = _open311_status(status)
        if str(status) not in responses:
            name = (OPEN311_ERROR_RESPONSE if described.open311 else "") + str(status)
            responses[str(status)] = {"$ref": "#/components/responses/" + name}
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _answer(status, answer, content_type, components):
    description = {200: "OK", 201: "Created", 503: "Not ready"}.get(status, "Answer")
    if answer is None:
        return {"description": description, "content": {content_type: {"schema": {"type": "string"}}}}
    return {"description": description, "content": {content_type: {"schema": _schema(answer, components)}}}


def _schema(answer, components):
    if isinstance(answer, dict):
        if answer.get("type") == "array" and not isinstance(answer.get("items", {}), dict):
            return {"type": "array", "items": typed_dict_schema(answer["items"], components)}
        return answer
    return typed_dict_schema(answer, components)


def _open311_status(status):
    """The status an answer of ``status`` has under /open311/ (the table's ``open311_status``)."""
    for answer in errors.ERROR_TABLE.values():
        if answer.status == status and answer.open311_status:
            return answer.open311_status
    return status


def _fixed_status_answers():
    """The table's answers but its catch-all for werkzeug's other HTTP errors (whose status is
    the exception's own, so no operation can promise it)."""
    return [answer for answer in errors.ERROR_TABLE.values() if answer.status is not None]


def _open311_error_components():
    """Open311's error list, and one response per status it can have under /open311/."""
    schema = {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["code", "description"], "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}}}
    responses = {}
    for answer in _fixed_status_answers():
        status = answer.open311_status or answer.status
        response = responses.setdefault(OPEN311_ERROR_RESPONSE + str(status), {
            "description": "Open311: " + answer.message,
            "content": {open311_formats.MEDIA_TYPES["json"]: {"schema": {
                            "$ref": "#/components/schemas/" + OPEN311_ERRORS_SCHEMA}},
                        open311_formats.MEDIA_TYPES["xml"]: {"schema": {"type": "string"}}}})
        if answer.retry_later:
            response["headers"] = {"Retry-After": {"description": "seconds to wait before trying again",
                                                   "schema": {"type": "string", "pattern": "^[0-9]+$"}}}
    return {OPEN311_ERRORS_SCHEMA: schema}, responses


def _error_components():
    """One response per status of ``gateway/errors.py``'s table, each with its codes and texts."""
    by_status = {}
    for answer in _fixed_status_answers():
        by_status.setdefault(answer.status, {})[answer.code] = answer
    schemas = {ERROR_SCHEMA: {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["code", "message"], "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "field path (applicant.phone, headers.Idempotency-Key) → why"},
            },
        }},
    }}
    responses = {}
    for status, answers in sorted(by_status.items()):
        codes = sorted(answers)
        error = {"type": "object", "required": ["code", "message"], "properties": {}}
        if status == 409:  # the service names the impossible transition or the reused key
            error["properties"]["code"] = {"type": "string", "examples": ["state_changed", "invalid_transition",
                                                                           "idempotency_key_reused"]}
        else:
            error["properties"]["code"] = {"enum": codes}
        if status == 422:
            error["required"].append("fields")
        response = {
            "description": " ".join(answer.message for answer in answers.values()),
            "content": {"application/json": {"schema": {
                "allOf": [{"$ref": "#/components/schemas/" + ERROR_SCHEMA},
                          {"type": "object", "properties": {"error": error}}]}}},
        }
        if any(answer.retry_later for answer in answers.values()):
            response["headers"] = {"Retry-After": {"description": "seconds to wait before trying again",
                                                   "schema": {"type": "string", "pattern": "^[0-9]+$"}}}
        responses[str(status)] = response
    open311_schemas, open311_responses = _open311_error_components()
    schemas.update(open311_schemas)
    responses.update(open311_responses)
    return schemas, responses


def _document_text():
    """Built once per app, on first use (the url_map is complete by then)."""
    if "openapi_document" not in current_app.extensions:
        current_app.extensions["openapi_document"] = json.dumps(build_document(current_app), ensure_ascii=False)
    return current_app.extensions["openapi_document"]


@openapi.get("/api/v1/openapi.json")
def document():
    return Response(_document_text(), mimetype="application/json")


# --- the page for people ------------------------------------------------------------------------

DOCS_STYLE = ("body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}"
              "h2{border-bottom:1px solid #ccc;margin-top:2em}section{margin:1em 0 2em}"
              "code,pre{background:#f5f5f5}pre{padding:.5em;overflow-x:auto;font-size:.85em}"
              ".method{font-weight:bold;text-transform:uppercase;margin-right:.5em}"
              "details{margin:.3em 0}summary{cursor:pointer}")


def render_docs(spec):
    """A self-contained page (no script, no CDN): every operation with its parameters, body and
    answers, schemas in full."""
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           "<title>{} {}</title><style>{}</style></head><body>".format(
               html.escape(spec["info"]["title"]), html.escape(spec["info"]["version"]), DOCS_STYLE),
           "<h1>{} <small>{}</small></h1>".format(html.escape(spec["info"]["title"]),
                                                  html.escape(spec["info"]["version"])),
           "<p>{}</p>".format(html.escape(spec["info"]["description"])),
           "<p>Machine-readable: <a href='/api/v1/openapi.json'>/api/v1/openapi.json</a> (OpenAPI {}).</p>".format(
               html.escape(spec["openapi"]))]
    by_tag = {}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            by_tag.setdefault(operation["tags"][0], []).append((path, method, operation))
    for tag, operations in by_tag.items():
        out.append("<h2>{}</h2>".format(html.escape(tag)))
        for path, method, operation in operations:
            out.append("<section id='{}'><h3><span class='method'>{}</span><code>{}</code></h3><p>{}</p>".format(
                html.escape(operation["operationId"]), html.escape(method), html.escape(path),
                html.escape(operation["summary"])))
            if operation.get("description"):
                out.append("<p>{}</p>".format(html.escape(operation["description"])))
            if operation.get("x-roles"):
                out.append("<p>Bearer token; roles: {}</p>".format(html.escape(", ".join(operation["x-roles"]))))
            for parameter in operation.get("parameters", []):
                out.append("<p>{} <code>{}</code>{}: <code>{}</code></p>".format(
                    html.escape(parameter["in"]), html.escape(parameter["name"]),
                    " (required)" if parameter.get("required") else "", html.escape(json.dumps(
                        parameter["schema"], ensure_ascii=False))))
            if "requestBody" in operation:
                for content_type, media in operation["requestBody"]["content"].items():
                    out.append(_details("Request body ({})".format(content_type), media["schema"]))
                    if "example" in media:
                        out.append(_details("Example", media["example"]))
            for status, response in operation["responses"].items():
                out.append(_details("{} {}".format(status, _response_summary(spec, response)),
                                    _response_schema(spec, response)))
            out.append("</section>")
    out.append("<h2>Schemas</h2>")
    for name, schema in spec["components"]["schemas"].items():
        out.append("<div id='schema-{0}'>{1}</div>".format(html.escape(name), _details(name, schema)))
    out.append("</body></html>")
    return "\n".join(out)


def _details(title, value):
    return "<details><summary>{}</summary><pre>{}</pre></details>".format(
        html.escape(title), html.escape(json.dumps(value, ensure_ascii=False, indent=2)))


def _resolve(spec, response):
    if "$ref" in response:
        return spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def _response_summary(spec, response):
    return _resolve(spec, response)["description"]


def _response_schema(spec, response):
    content = _resolve(spec, response).get("content", {})
    return next(iter(content.values()), {}).get("schema", {})


@openapi.get("/api/v1/docs")
def docs():
    page = render_docs(json.loads(_document_text()))
    response = Response(page, mimetype="text/html")
    # The page has its own style and nothing else (the API's default policy forbids even that).
    response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; "
                                                   "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    return response
