"""What each route is: what the url_map cannot tell about it (summary, answers, body, query,
errors), keyed by endpoint. The request schemas come from the very field tables the services
validate with — never a copy."""
import typing
from dataclasses import dataclass, field

from common.fields import absent_allowed, body_schema, parameter_schema, schema_of
from contracts.intake import rpc as intake_rpc
from contracts.intake.catalog import CATEGORIES
from contracts.intake.requests import (
    CITIZEN_CHANNELS,
    DESK_CHANNELS,
    LANGUAGES,
    PERSONAL_DATA_ERASURE_FIELDS,
    PERSONAL_DATA_EXPORT_FIELDS,
    PHONE_CODE_FIELDS,
    PHONE_VERIFICATION_FIELDS,
    SEARCH_QUERY,
    TRACKING_CODE_REQUEST_FIELDS,
    application_schema,
)
from contracts.notification import rpc as notification_rpc
from contracts.routing import requests as routing_requests
from contracts.routing import rpc as routing_rpc
from contracts.tracking import requests as tracking_requests
from contracts.tracking import rpc as tracking_rpc
from gateway import auth
from gateway.open311 import formats as open311_formats
from gateway.open311 import mapping as open311_mapping
from gateway.openapi.composed_answers import (
    DeliveryReportAnswer,
    Health,
    MessageAnswer,
    PersonalDataExport,
    PersonalDataRequestEntry,
    PublicAccessLog,
    PublicStatusView,
    Readiness,
    SimilarApplications,
    StaffQueuePage,
    StaffRecord,
    StaffSession,
    TokenAnswer,
    VerificationKeys,
)


@dataclass(frozen=True)
class Operation:
    """What the url_map cannot tell about a route. ``answers``: status → TypedDict, JSON Schema
    or None (no body); ``errors``: the statuses of ``gateway/errors.py`` this route can answer
    besides those the gateway adds by itself (body: 400 413 415 422; staff: 401 403; a service
    behind: 503 504; rate limits: 429; a path parameter: 404)."""
    summary: str
    tag: str
    answers: dict
    body: typing.Callable | None = None  # () → JSON Schema of the JSON body
    body_example: dict | None = None
    query: typing.Callable | None = None  # () → [parameter]
    headers: tuple = ()
    errors: tuple = ()
    rpc: bool = True
    path: dict = field(default_factory=dict)  # path parameter → JSON Schema
    content_types: tuple = ("application/json",)
    response_type: str = "application/json"
    description: str | None = None
    open311: bool = False  # answers in JSON and XML (the path's extension), errors in Open311's shape


def _query(name, schema, required=False, description=None):
    parameter = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def _queue_parameters():
    search = _query("q", absent_allowed(schema_of(SEARCH_QUERY), nullable=False),
                    description="an application number (2026-000123, exact), an applicant's 11-digit national ID "
                                "(routers and admins; audited) or words, each to be found in the subject or "
                                "description (Turkish-aware: case and dotted/dotless i do not matter)")
    return [search] + [_query(name, parameter_schema(field), description=QUEUE_PARAMETERS.get(name))
                       for name, field in routing_requests.QUEUE_QUERY_FIELDS.items()]


QUEUE_PARAMETERS = {
    "status": "open: every status not answered that the officer may see",
    "sort": "due: due time first; received: newest first (newest: the same); status: unrouted, routed, returned, "
            "answered, each by due time",
}


IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "description": "The same key with the same body gives the same answer, never a second application.",
                   "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,100}$"}}

APPLICATION_NO = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{6,9}$", "examples": ["2026-000001"]}
INCIDENT_ID = {"type": "string", "minLength": 1, "maxLength": 64, "examples": ["5d8e89124ddd482baea0899ed704a33e"]}
VERIFICATION_CODE = {"type": "string", "minLength": 1, "maxLength": 40, "examples": ["7KQ2M-9XH4T"],
                     "description": "as printed with the answer; case, dashes and spaces do not matter"}

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

def _tracking_query():
    """What a citizen's lookup of their application takes: the code, and the language of the texts."""
    return [_query("tracking_code", {"type": "string", "minLength": 1}, required=True,
                   description="the code sent by SMS"),
            _query("language", {"type": "string", "examples": sorted(LANGUAGES),
                                "description": "tr or en; anything else, or none: the application's own language"})]


OPERATIONS = {
    "citizen.submit_application": Operation(
        "Apply (web, app)", "citizen", {201: intake_rpc.Receipt},
        body=lambda: application_schema(CITIZEN_CHANNELS), body_example=APPLICATION_EXAMPLE,
        headers=(IDEMPOTENCY_KEY,), errors=(409,),
        description="The receipt; an SMS with the number and tracking code follows."),
    "citizen.track_application": Operation(
        "Track an application", "citizen", {200: PublicStatusView},
        path={"application_no": APPLICATION_NO},
        query=_tracking_query,
        errors=(404, 422), description="A wrong code and an unknown number give the same 404."),
    "citizen.application_access_log": Operation(
        "Who read the applicant's personal data", "citizen", {200: PublicAccessLog},
        path={"application_no": APPLICATION_NO},
        query=_tracking_query,
        errors=(404, 422),
        description="Every audited read by staff (KVKK), oldest first: when, the reader's role and unit "
                    "(or the governorship's office) and the purpose given; never an officer's name. A "
                    "wrong code and an unknown number give the same 404, counted as failed lookups."),
    "citizen.object_to_answer": Operation(
        "Object to the answer (itiraz)", "citizen", {201: PublicStatusView},
        path={"application_no": APPLICATION_NO},
        query=lambda: _tracking_query()[1:],
        body=lambda: body_schema(tracking_requests.OBJECTION_FIELDS),
        body_example={"tracking_code": "K7M2-Q9XA", "text": "Yanıt, başvurumdaki sokak lambasını değil başka "
                                                           "bir lambayı anlatıyor."},
        errors=(404, 409),
        description="Once, within OBJECTION_DAYS (15) of the answer: the application goes back to the unit that "
                    "answered with a new 7-day deadline, and an SMS confirms it. The answer: the tracking view, "
                    "status objected. 409 `not_answered`, `already_objected` or `objection_window_closed`; a "
                    "wrong code and an unknown number give the same 404."),
    "citizen.rate_answer": Operation(
        "Rate the answer (memnuniyet)", "citizen", {201: tracking_rpc.Rating},
        path={"application_no": APPLICATION_NO},
        body=lambda: body_schema(tracking_requests.FEEDBACK_FIELDS),
        body_example={"tracking_code": "K7M2-Q9XA", "score": 4, "comment": "Hızlı ve açık bir yanıttı."},
        errors=(404, 409),
        description="Once per answer (the first, and the one to an objection): 409 `already_rated`, or "
                    "`not_answered` while there is no answer to rate. Counted in the statistics per unit."),
    "verify.verification_keys": Operation(
        "The public keys answers are signed with", "verify", {200: VerificationKeys},
        description="Ed25519 keys by key id, the signing one first; those after it verify answers signed "
                    "before a rotation."),
    "verify.verify_answer": Operation(
        "Verify an answer by its code", "verify", {200: routing_rpc.Verification},
        path={"code": VERIFICATION_CODE}, errors=(404,),
        description="The application number, unit, date and the SHA-256 of the answer's text, the "
                    "signature's check and whether the application's history chain is intact. Nothing "
                    "personal. An unknown or malformed code: 404."),
    "verify.verify_answer_text": Operation(
        "Verify an answer and compare a copy of its text", "verify", {200: routing_rpc.Verification},
        path={"code": VERIFICATION_CODE}, errors=(404,),
        body=lambda: body_schema(routing_requests.VERIFICATION_FIELDS),
        body_example={"text": "Başvurunuz incelenmiş, sokak lambası 3 Aralık'ta onarılmıştır."},
        description="As the GET, with `text_matches`: whether the text's digest (after normalising line "
                    "ends, trailing spaces and the Unicode form) is the signed one."),
    "incidents.similar_applications": Operation(
        "Likely duplicates of an application", "incidents", {200: SimilarApplications},
        path={"application_no": APPLICATION_NO}, errors=(404,),
        description="The same applicant within 30 days, or the same district and category with a similar "
                    "text within 14 days (Turkish-aware), each with its score and reasons and the caller's "
                    "queue entry; only applications the caller may see."),
    "incidents.create_incident": Operation(
        "Group applications into an incident", "incidents", {201: routing_rpc.Incident},
        body=lambda: body_schema(routing_requests.NEW_INCIDENT_FIELDS),
        body_example={"title": "Atatürk Caddesi 12 önündeki sokak lambası", "application_nos": ["2026-000001",
                                                                                              "2026-000002"]},
        errors=(409,),
        description="All or none: 409 `not_in_province` or `in_another_incident` (an application belongs to "
                    "at most one), naming the numbers."),
    "incidents.get_incident": Operation(
        "An incident and its applications", "incidents", {200: routing_rpc.Incident},
        path={"incident_id": INCIDENT_ID}, errors=(404,)),
    "incidents.add_to_incident": Operation(
        "Add applications to an incident", "incidents", {200: routing_rpc.Incident},
        path={"incident_id": INCIDENT_ID}, errors=(404, 409),
        body=lambda: body_schema(routing_requests.INCIDENT_APPLICATIONS_FIELDS),
        body_example={"application_nos": ["2026-000003"]},
        description="Each added application is routed at once if the incident is routed, and answered at once "
                    "if it is answered."),
    "incidents.route_incident": Operation(
        "Route every open application of an incident", "incidents", {200: routing_rpc.Incident},
        path={"incident_id": INCIDENT_ID}, errors=(404, 409),
        body=lambda: body_schema(routing_requests.ROUTE_FIELDS),
        body_example={"unit_id": "06-cankaya-municipality"},
        description="Each application its own transition, event and history entry."),
    "incidents.answer_incident": Operation(
        "Answer every open application of an incident", "incidents", {200: routing_rpc.Incident},
        path={"incident_id": INCIDENT_ID}, errors=(404, 409),
        body=lambda: body_schema(routing_requests.ANSWER_FIELDS),
        body_example={"text": "Sokak lambası 4 Aralık'ta onarılmıştır.", "outcome": "positive"},
        description="By the officer of the unit it is routed to; each application answered once with its own "
                    "event, history entry, seal and \"concluded\" SMS, however the group grows meanwhile."),
    "citizen.request_tracking_code": Operation(
        "A lost tracking code: sent again by SMS to the phone on record", "citizen", {202: MessageAnswer},
        path={"application_no": {"type": "string", "minLength": 1, "examples": ["2026-000001"]}},
        body=lambda: body_schema(TRACKING_CODE_REQUEST_FIELDS), body_example={"national_id": "10000000146"},
        description="The same 202 and message whether or not the number and national ID match (a malformed "
                    "number too); on a match the code goes by SMS, at most once an hour per application. "
                    "Counted against the failed-lookup limits, every request."),
    "citizen.request_phone_verification": Operation(
        "Prove a phone: a one-time code by SMS", "citizen", {201: intake_rpc.PhoneVerification},
        body=lambda: body_schema(PHONE_VERIFICATION_FIELDS), body_example={"phone": "0532 123 45 67"},
        description="A 6-digit code goes by SMS to the phone, valid 5 minutes, 3 tries; the same 201 whoever the "
                    "phone belongs to. Limited per phone and per address (429 with Retry-After). Where "
                    "`requirements.phone_verification` of the catalogue is true, an application carries "
                    "`phone_verification: {id, code}`."),
    "citizen.prove_phone": Operation(
        "Prove a phone: the code the SMS brought", "citizen", {200: intake_rpc.ProvenPhone},
        path={"verification_id": {"type": "string", "minLength": 1, "examples": ["5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f"]}},
        body=lambda: body_schema(PHONE_CODE_FIELDS), body_example={"code": "482913"},
        errors=(404, 409),
        description="200 once the code is right (again while unspent); 422 naming `code` with the tries left; "
                    "409 `verification_locked` (three wrong codes), `verification_expired` or "
                    "`verification_used`; 404 for an unknown id. A proven verification serves one application "
                    "for the same phone within 30 minutes."),
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
    "staff.me": Operation("Who is logged in, and until when", "staff", {200: StaffSession},
                          description="The officer's names, role, province and unit, and when the token "
                                      "presented expires (expires_at)."),
    "staff.queue": Operation(
        "The officer's queue, searched with q", "staff", {200: StaffQueuePage}, query=_queue_parameters, errors=(422,),
        description="counts: the applications per status with every filter but status (the tabs). A unit officer "
                    "searching by national ID is 403 national_id_search_forbidden. days_left: whole days to the due "
                    "time, negative once passed, null once answered; due_state: overdue, due_soon (within 24 "
                    "hours), fine or closed."),
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
                                   body=_changes(routing_requests.UNIT_CHANGES_FIELDS), errors=(404, 409),
                                   description="A unit with routed applications is not deactivated: 409 "
                                               "unit_has_open_applications, saying how many."),
    "staff.failed_sms": Operation("SMS that could not be sent (the admin's province)", "admin",
                                  {200: {"type": "array", "items": notification_rpc.FailedMessageView}}),
    "staff.resend_sms": Operation(
        "Send a failed SMS again, as a new message", "admin", {201: notification_rpc.MessageView}, errors=(404, 409),
        description="The same application, template and recipient. 409 sms_not_resendable: not failed, resent "
                    "already, or failed for the number's fault; 404 outside the admin's province."),
    "staff.list_users": Operation("Staff accounts of the admin's province", "admin",
                                  {200: {"type": "array", "items": routing_rpc.Account}}),
    "staff.create_user": Operation("Add a staff account", "admin", {201: routing_rpc.Account},
                                   body=lambda: body_schema(routing_requests.NEW_STAFF_FIELDS)),
    "staff.update_user": Operation("Change a staff account", "admin", {200: routing_rpc.Account},
                                   body=_changes(routing_requests.STAFF_CHANGES_FIELDS), errors=(404, 409)),
    "staff.reset_password": Operation(
        "Reset a staff account's password", "admin", {200: routing_rpc.PasswordReset}, errors=(404,),
        description="A new random password, in this answer only; the account's earlier tokens stop working."),
    "admin_privacy.export_personal_data": Operation(
        "KVKK: export an applicant's personal data (the admin's province)", "admin", {200: PersonalDataExport},
        body=lambda: body_schema(PERSONAL_DATA_EXPORT_FIELDS),
        errors=(404,)),
    "admin_privacy.erase_personal_data": Operation(
        "KVKK: erase an applicant's personal data (the admin's province)", "admin", {200: {"type": "object"}},
        body=lambda: body_schema(PERSONAL_DATA_ERASURE_FIELDS),
        errors=(404,)),
    "admin_privacy.personal_data_requests": Operation(
        "KVKK: the province's earlier export and erasure requests", "admin",
        {200: {"type": "array", "items": PersonalDataRequestEntry}},
        description="Newest first, at most 100; the national ID masked (123******46)."),
    "callbacks.delivery_report": Operation(
        "SMS delivery reports (providers)", "machines", {200: DeliveryReportAnswer},
        body=lambda: {"type": "object", "description": "the provider's report as it sends it"},
        content_types=("application/json", "application/x-www-form-urlencoded"),
        errors=(403,),
        description="The URL carries SMS_CALLBACK_TOKEN. Answered once the report is published (with confirms) "
                    "for notification, which checks Twilio's signature (X-Twilio-Signature) and applies it; "
                    "503 while the broker cannot take it (the provider sends it again)."),
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
