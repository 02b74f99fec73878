"""The OpenAPI document itself: every API route of the url_map, described by ``operations``,
with its security, parameters, body and answers (docs/api.md#openapi)."""
from gateway.open311 import formats as open311_formats
from gateway.openapi.error_responses import OPEN311_ERROR_RESPONSE, error_components, open311_status
from gateway.openapi.operations import (
    BODY_ERRORS,
    OPERATIONS,
    QUERY_ERROR,
    RPC_ERRORS,
    STAFF_ERRORS,
    Operation,
)
from gateway.openapi.type_schemas import answer_schema

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
UNDOCUMENTED = "x-undocumented"
HIDDEN_METHODS = frozenset({"HEAD", "OPTIONS"})

BEARER = "bearer"

# Routes that are not the API: the web clients' pages and files (gateway/web/) are for people and
# call the API like any other client; docs/web.md describes them.
NOT_API_BLUEPRINTS = frozenset({"web"})


def is_api_rule(rule):
    """Whether a url_map rule belongs in the document (not Flask's static, not a web page)."""
    return rule.endpoint != "static" and rule.endpoint.partition(".")[0] not in NOT_API_BLUEPRINTS


def build_document(app):
    components = {}
    paths = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not is_api_rule(rule):
            continue
        path = openapi_path(rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - HIDDEN_METHODS):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, method, components)
    error_schemas, error_responses = error_components()
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


def openapi_path(flask_rule):
    """``/a/<b>/<int:c>`` → ``/a/{b}/{c}``."""
    out, rest = "", flask_rule
    while "<" in rest:
        before, _, after = rest.partition("<")
        variable, _, rest = after.partition(">")
        out += before + "{" + variable.split(":")[-1] + "}"
    return out + rest


def view_attribute(view, name):
    """An attribute a decorator set, looked for down the ``__wrapped__`` chain."""
    while view is not None:
        if hasattr(view, name):
            return getattr(view, name)
        view = getattr(view, "__wrapped__", None)
    return None


def _operation(rule, view, method, components):
    described = OPERATIONS.get(rule.endpoint)
    roles = view_attribute(view, "allowed_roles")
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
    if view_attribute(view, "rate_limit_rules"):
        statuses.add(429)
    for status in sorted(statuses):
        if described.open311:
            status = open311_status(status)
        if str(status) not in responses:
            name = (OPEN311_ERROR_RESPONSE if described.open311 else "") + str(status)
            responses[str(status)] = {"$ref": "#/components/responses/" + name}
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _answer(status, answer, content_type, components):
    description = {200: "OK", 201: "Created", 503: "Not ready"}.get(status, "Answer")
    if answer is None:
        return {"description": description, "content": {content_type: {"schema": {"type": "string"}}}}
    return {"description": description, "content": {content_type: {"schema": answer_schema(answer, components)}}}

