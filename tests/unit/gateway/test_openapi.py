"""The OpenAPI document (gateway/openapi/): valid OpenAPI 3.1, every route of the url_map in it
and nothing else, and request schemas that refuse what the validators refuse (they are built from
the same field tables)."""
import json
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi

from common.errors import ValidationFailed
from common.fields import SET_BY_SERVER, UNKNOWN_FIELD, body_schema, schema_of
from contracts.intake import requests as intake_requests
from contracts.intake import rpc as intake_rpc
from contracts.intake.requests import (
    CITIZEN_CHANNELS,
    DESK_CHANNELS,
    application_fields,
    application_schema,
    validate_application,
)
from contracts.routing import requests as routing_requests
from gateway import errors as gateway_errors
from gateway import openapi as gateway_openapi
from gateway.app import create_app
from gateway.settings import Settings
from tests.e2e.test_bad_input import _MISSING, INVALID_FIELDS
from tests.support.samples import application_body, body_with
from tests.unit.contracts import test_routing_requests

HIDDEN = {"HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(amqp_uri="amqp://guest:guest@127.0.0.1:1/", rpc_timeout_seconds=1,
                               readiness_timeout_seconds=1, max_body_bytes=64 * 1024, retry_after_seconds=5,
                               secret_key="test-key"))


@pytest.fixture(scope="module")
def spec(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _operations(spec):
    return {(method.upper(), path): operation
            for path, methods in spec["paths"].items() for method, operation in methods.items()}


# --- the document -------------------------------------------------------------------------------

def test_the_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate_openapi(spec)


def test_every_route_of_the_url_map_is_in_the_document_and_nothing_else(app, spec):
    routes = {(method, gateway_openapi.openapi_path(rule.rule))
              for rule in app.url_map.iter_rules() if gateway_openapi.is_api_rule(rule)
              for method in rule.methods - HIDDEN}

    assert set(_operations(spec)) == routes


def test_every_route_is_described_and_every_description_is_a_route(app, spec):
    undescribed = sorted(key for key, operation in _operations(spec).items()
                         if operation.get(gateway_openapi.UNDOCUMENTED))
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    assert undescribed == [], "add these routes to gateway/openapi/operations.py OPERATIONS"
    assert set(gateway_openapi.OPERATIONS) <= endpoints


def test_staff_routes_need_a_bearer_token_of_their_roles_and_citizen_routes_none(app, spec):
    operations = _operations(spec)
    for rule in app.url_map.iter_rules():
        if not gateway_openapi.is_api_rule(rule):  # Flask's own static, the web pages
            continue
        roles = gateway_openapi.view_attribute(app.view_functions[rule.endpoint], "allowed_roles")
        for method in rule.methods - HIDDEN:
            operation = operations[(method, gateway_openapi.openapi_path(rule.rule))]
            if roles:
                assert operation["security"] == [{"bearer": []}] and operation["x-roles"] == list(roles)
                assert {"401", "403"} <= set(operation["responses"])
            else:
                assert "security" not in operation and "x-roles" not in operation
                if rule.endpoint != "staff.issue_token":  # a refused login is 401
                    assert "401" not in operation["responses"]


def test_rate_limited_routes_may_answer_429_with_retry_after(app, spec):
    operations = _operations(spec)
    limited = [rule for rule in app.url_map.iter_rules()
               if gateway_openapi.view_attribute(app.view_functions[rule.endpoint], "rate_limit_rules")]
    assert limited  # submissions, lookups, logins
    for rule in limited:
        for method in rule.methods - HIDDEN:
            assert "429" in operations[(method, gateway_openapi.openapi_path(rule.rule))]["responses"]
    assert "Retry-After" in spec["components"]["responses"]["429"]["headers"]


def test_every_error_status_of_the_error_table_has_its_response_in_the_one_shape(spec):
    # (the catch-all row for werkzeug's other HTTP errors has no status of its own)
    statuses = {str(answer.status) for answer in gateway_errors.ERROR_TABLE.values() if answer.status is not None}

    assert statuses <= set(spec["components"]["responses"])
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"] and error["properties"]["error"]["required"] == ["code", "message"]
    assert "fields" in spec["components"]["responses"]["422"]["content"]["application/json"]["schema"]["allOf"][1][
        "properties"]["error"]["required"]


def test_every_referenced_response_exists(spec):
    for operation in _operations(spec).values():
        for response in operation["responses"].values():
            if "$ref" in response:
                assert response["$ref"].rsplit("/", 1)[1] in spec["components"]["responses"]


def test_body_routes_answer_400_413_415_and_422(spec):
    for (method, path), operation in _operations(spec).items():
        content = operation.get("requestBody", {}).get("content", {})
        if list(content) == ["application/json"]:
            assert {"400", "413", "415", "422"} <= set(operation["responses"]), (method, path)


def test_the_docs_page_lists_every_operation_without_loading_anything(app, spec):
    response = app.test_client().get("/api/v1/docs")

    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for operation in _operations(spec).values():
        assert "id='{}'".format(operation["operationId"]) in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "script-src" not in response.headers["Content-Security-Policy"]


def test_the_declarations_import_no_service_store_or_broker_connection():
    code = ("import sys, gateway.openapi; print(sorted(m for m in sys.modules if m.endswith(('.service', '.store'))"
            " or m.startswith(('pymongo', 'common.storage', 'docstore', 'common.outbox'))))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert loaded.stdout.strip() == "[]"


# --- responses from the TypedDicts ---------------------------------------------------------------

def test_typed_dicts_become_json_schemas_with_their_required_keys():
    components = {}
    ref = gateway_openapi.typed_dict_schema(intake_rpc.Receipt, components)

    assert ref == {"$ref": "#/components/schemas/Receipt"}
    assert components["Receipt"]["required"] == ["application_no", "tracking_code", "status", "received_at",
                                                 "due_at"]


def test_a_tracking_view_with_unit_and_answer_matches_its_schema(spec):
    view = {"application_no": "2026-000001", "status": "answered", "kind": "complaint", "category": "transport",
            "province": "İstanbul", "district": "Kadıköy", "received_at": "2026-03-02T10:15:00+03:00",
            "due_at": "2026-03-09T10:15:00+03:00", "updated_at": "2026-03-03T10:15:00+03:00",
            "timeline": [{"at": "2026-03-02T10:15:00+03:00", "status": "received", "text": "Alındı"}],
            "deadlines": {"answer": {"due_at": "2026-03-09T10:15:00+03:00", "days_left": None},
                          "statutory": {"due_at": "2026-04-01T10:15:00+03:00", "days_left": None}},
            "unit": {"name": "Kadıköy Belediyesi"},
            "answer": {"text": "Yapıldı.", "outcome": "positive", "answered_at": "2026-03-03T10:15:00+03:00",
                       "verification_code": "7KQ2M-9XH4T",
                       "feedback": {"score": 4, "comment": None, "given_at": "2026-03-04T10:15:00+03:00"}},
            "objection_until": "2026-03-18T10:15:00+03:00"}
    validator = Draft202012Validator(_resolvable(spec, spec["components"]["schemas"]["PublicStatusView"]))

    assert list(validator.iter_errors(view)) == []
    assert list(validator.iter_errors(dict(view, unit="Kadıköy Belediyesi")))
    assert list(validator.iter_errors(dict(view, answer=dict(view["answer"], feedback={"score": "4"}))))
    assert list(validator.iter_errors(dict(view, deadlines={"answer": {"due_at": "2026-03-09", "days_left": "7"}})))


def _resolvable(spec, schema):
    """``schema`` with the document's components beside it, so that its $refs resolve."""
    text = json.dumps(schema).replace("#/components/schemas/", "#/$defs/")
    defs = json.loads(json.dumps(spec["components"]["schemas"]).replace("#/components/schemas/", "#/$defs/"))
    return dict(json.loads(text), **{"$defs": defs})


# --- the application body: the schema refuses what the validator refuses --------------------------

def _schema_validator(schema):
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _with(body, path, value):
    return body_with(path, value, body)


def _field_at(table, path):
    """The ``Field`` declared at ``path`` (``applicant.phone``), or None for an undeclared one."""
    *parents, leaf = path.split(".")
    for parent in parents:
        field = table.get(parent)
        if field is None or field.fields is None:
            return None
        table = field.fields
    return table.get(leaf)


VALID_VARIANTS = [
    application_body(),
    application_body(language="en"),
    application_body(channel="app", category="health"),
    _with(application_body(), "applicant.email", "ayse@example.com"),
    {key: value for key, value in application_body().items() if key != "category"},
]


@pytest.mark.parametrize("body", VALID_VARIANTS)
def test_a_valid_application_passes_the_validator_and_the_schema(body):
    validate_application(body, allowed_channels=CITIZEN_CHANNELS)
    assert list(_schema_validator(application_schema(CITIZEN_CHANNELS)).iter_errors(body)) == []


@pytest.mark.parametrize("path,value", INVALID_FIELDS,
                         ids=["{}={}".format(p, "missing" if v is _MISSING else str(v)[:12])
                              for p, v in INVALID_FIELDS])
def test_the_schema_refuses_what_the_validator_refuses(path, value):
    body = _with(application_body(), path, value)
    with pytest.raises(ValidationFailed) as refused:
        validate_application(body, allowed_channels=CITIZEN_CHANNELS)
    assert path in refused.value.fields

    schema_errors = list(_schema_validator(application_schema(CITIZEN_CHANNELS)).iter_errors(body))
    field = _field_at(application_fields(CITIZEN_CHANNELS), path)
    if field is not None and getattr(field.rule, "beyond_schema", False) and value is not _MISSING:
        return  # a checksum, the number plan, a place name: the schema cannot say, the service checks
    assert schema_errors, "the schema accepts {}={!r}, which the validator refuses".format(path, value)
    if field is None:
        assert refused.value.fields[path] in (UNKNOWN_FIELD, SET_BY_SERVER)


def test_only_rules_that_say_so_check_beyond_their_schema():
    """Everything the schema leaves to the service is named in the schema's description."""
    for table in (application_fields(CITIZEN_CHANNELS), application_fields(CITIZEN_CHANNELS)["applicant"].fields):
        for name, field in table.items():
            if field.rule is not None and getattr(field.rule, "beyond_schema", False):
                assert field.rule.json_schema.get("description"), name


def test_the_desk_takes_channel_desk_and_citizens_web_or_app():
    assert application_schema(DESK_CHANNELS)["properties"]["channel"]["enum"] == ["desk"]
    assert application_schema(CITIZEN_CHANNELS)["properties"]["channel"]["enum"] == ["app", "web"]


def test_the_published_bodies_are_the_validators_tables(spec):
    operations = _operations(spec)

    def body_of(method, path):
        return operations[(method, path)]["requestBody"]["content"]["application/json"]["schema"]

    assert body_of("POST", "/api/v1/applications") == application_schema(CITIZEN_CHANNELS)
    assert body_of("POST", "/api/v1/desk/applications") == application_schema(DESK_CHANNELS)
    assert body_of("POST", "/api/v1/staff/applications/{application_no}/route") == body_schema(
        routing_requests.ROUTE_FIELDS)
    assert body_of("PATCH", "/api/v1/admin/users/{username}") == routing_requests.changes_schema(
        routing_requests.STAFF_CHANGES_FIELDS)
    queue = {parameter["name"]: parameter for parameter in operations[("GET", "/api/v1/staff/applications")][
        "parameters"]}
    assert set(queue) == set(routing_requests.QUEUE_QUERY_FIELDS) | {"q"}  # q: intake's search, the rest routing's
    assert queue["q"]["schema"]["anyOf"][0] == schema_of(intake_requests.SEARCH_QUERY)


def test_the_documents_examples_pass_the_validators(spec):
    operations = _operations(spec)
    for path, channels in (("/api/v1/applications", CITIZEN_CHANNELS), ("/api/v1/desk/applications", DESK_CHANNELS)):
        example = operations[("POST", path)]["requestBody"]["content"]["application/json"]["example"]
        validate_application(example, allowed_channels=channels)


# --- the staff bodies: the same property over test_routing_requests' refusals ----------------------

BODY_TABLES = {
    routing_requests.route_request: routing_requests.ROUTE_FIELDS,
    routing_requests.contact_request: routing_requests.CONTACT_FIELDS,
    routing_requests.return_request: routing_requests.RETURN_FIELDS,
    routing_requests.answer_request: routing_requests.ANSWER_FIELDS,
    test_routing_requests.new_ankara_unit_request: routing_requests.NEW_UNIT_FIELDS,
    routing_requests.unit_changes_request: routing_requests.UNIT_CHANGES_FIELDS,
    routing_requests.new_staff_request: routing_requests.NEW_STAFF_FIELDS,
    routing_requests.staff_changes_request: routing_requests.STAFF_CHANGES_FIELDS,
}
CHANGES = {routing_requests.unit_changes_request, routing_requests.staff_changes_request}
STAFF_REFUSED = [case for case in test_routing_requests.REFUSED if case[0] in BODY_TABLES]


@pytest.mark.parametrize("parse, body, fields", STAFF_REFUSED,
                         ids=["{}-{}".format(parse.__name__, "+".join(sorted(fields)))
                              for parse, _, fields in STAFF_REFUSED])
def test_staff_body_schemas_refuse_what_routing_refuses(parse, body, fields):
    table = BODY_TABLES[parse]
    schema = routing_requests.changes_schema(table) if parse in CHANGES else body_schema(table)
    beyond = {name for name in fields if name in table and getattr(table[name].rule, "beyond_schema", False)}

    assert list(_schema_validator(schema).iter_errors(body)) or fields <= beyond, \
        "the schema accepts {!r}".format(body)
