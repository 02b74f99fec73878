"""The one error table of ``gateway/errors.py`` as the document's responses: one per status in
our shape, one per status in Open311's shape (docs/api.md#errors)."""
from gateway import errors
from gateway.open311 import formats as open311_formats

ERROR_SCHEMA = "Error"
OPEN311_ERRORS_SCHEMA = "Open311Errors"
OPEN311_ERROR_RESPONSE = "Open311Error"


def open311_status(status):
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


def error_components():
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

