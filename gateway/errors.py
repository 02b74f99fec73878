"""Every error the gateway answers with, in one table (docs/api.md#errors).

Services raise meanings (common.errors); the gateway's own checks raise
werkzeug's HTTP exceptions; this table alone decides status, code and text (gunicorn's own
refusals too: gateway/server_answers.py). Field names echoed in a 422 are escaped
(``common.fields.echoable``): a client's key may hold what JSON or XML cannot carry.
One shape always: ``{"error": {"code", "message", "fields"?}}`` — except under ``/open311/``,
where the same answers take Open311 GeoReport v2's shape (``[{"code", "description"}]``, or
its XML for ``….xml``) and, where a row says so, its status (``open311_status``: the
specification answers a bad parameter with 400, not 422).
"""
import logging
from dataclasses import dataclass, replace

from flask import jsonify, request
from werkzeug import exceptions as http

from common.errors import (
    Conflict,
    Forbidden,
    NotAllowed,
    NotFound,
    OutsideServiceUnavailable,
    Unauthorized,
    ValidationFailed,
)
from common.fields import echoable
from gateway import limits
from gateway.open311 import formats as open311_formats
from gateway.open311.mapping import InvalidApiKey
from gateway.rpc import RpcTimedOut, ServiceUnavailable
from gateway.server_answers import MalformedHttp
from messages import bilingual

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorAnswer:
    status: int | None  # None: the exception's own code (see handle)
    code: str
    message: str
    retry_later: bool = False
    open311_status: int | None = None  # the status under /open311/, where it differs


OPEN311_PREFIX = "/open311/"


INTERNAL_ERROR = ErrorAnswer(500, "internal_error", bilingual("error.internal"))
NOT_FOUND = ErrorAnswer(404, "not_found", bilingual("error.not_found"))

ERROR_TABLE = {
    ValidationFailed: ErrorAnswer(422, "validation_failed", bilingual("error.validation_failed"),
                                  open311_status=400),
    NotFound: NOT_FOUND,
    http.NotFound: NOT_FOUND,
    Conflict: ErrorAnswer(409, "conflict", bilingual("error.conflict")),
    Unauthorized: ErrorAnswer(401, "unauthorized",
                              bilingual("error.unauthorized")),
    http.Forbidden: ErrorAnswer(403, "forbidden",
                                bilingual("error.forbidden")),
    InvalidApiKey: ErrorAnswer(403, "invalid_api_key", bilingual("error.invalid_api_key")),
    NotAllowed: ErrorAnswer(403, "forbidden",
                            bilingual("error.forbidden")),
    # The service says which thing this role may not do (its code and message, as for Conflict).
    Forbidden: ErrorAnswer(403, "forbidden", bilingual("error.forbidden")),
    RpcTimedOut: ErrorAnswer(504, "service_timeout",
                             bilingual("error.service_timeout"), retry_later=True),
    ServiceUnavailable: ErrorAnswer(503, "service_unavailable",
                                    bilingual("error.service_unavailable"), retry_later=True),
    # The service names what outside it could not be asked (the population registry), and why.
    OutsideServiceUnavailable: ErrorAnswer(503, "service_unavailable", bilingual("error.service_unavailable"),
                                           retry_later=True),
    http.BadRequest: ErrorAnswer(400, "malformed_request",
                                 bilingual("error.malformed_json")),
    http.RequestEntityTooLarge: ErrorAnswer(413, "payload_too_large",
                                            bilingual("error.payload_too_large")),
    http.UnsupportedMediaType: ErrorAnswer(415, "unsupported_media_type",
                                           bilingual("error.unsupported_media_type")),
    # Flask-Limiter's RateLimitExceeded is one; Retry-After comes from the limiter's reset time.
    http.TooManyRequests: ErrorAnswer(429, "rate_limited",
                                      bilingual("error.rate_limited"), retry_later=True),
    http.MethodNotAllowed: ErrorAnswer(405, "method_not_allowed",
                                       bilingual("error.method_not_allowed")),
    # What werkzeug and gunicorn refuse before any view runs, each with its own status.
    MalformedHttp: ErrorAnswer(400, "malformed_request",
                               bilingual("error.malformed_http")),
    http.NotAcceptable: ErrorAnswer(406, "not_acceptable", bilingual("error.not_acceptable")),
    http.RequestTimeout: ErrorAnswer(408, "request_timeout", bilingual("error.request_timeout")),
    http.LengthRequired: ErrorAnswer(411, "length_required", bilingual("error.length_required")),
    http.PreconditionFailed: ErrorAnswer(412, "precondition_failed", bilingual("error.precondition_failed")),
    http.RequestURITooLarge: ErrorAnswer(414, "uri_too_long", bilingual("error.uri_too_long")),
    http.RequestedRangeNotSatisfiable: ErrorAnswer(416, "range_not_satisfiable",
                                                   bilingual("error.range_not_satisfiable")),
    http.ExpectationFailed: ErrorAnswer(417, "expectation_failed", bilingual("error.expectation_failed")),
    http.RequestHeaderFieldsTooLarge: ErrorAnswer(431, "headers_too_large", bilingual("error.headers_too_large")),
    http.NotImplemented: ErrorAnswer(501, "not_implemented", bilingual("error.not_implemented")),
    http.InternalServerError: INTERNAL_ERROR,
    # Any other HTTP error werkzeug raises keeps its own status (``status`` None: the exception's code).
    http.HTTPException: ErrorAnswer(None, "http_error", bilingual("error.http_error")),
}


def answer_for(exception):
    for cls in type(exception).__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    return None


def install(app, retry_after_seconds):
    @app.errorhandler(Exception)
    def handle(exception):
        answer = answer_for(exception)
        if answer is None:
            log.exception("unhandled error on %s", _route_name())
            answer = INTERNAL_ERROR
        if answer.status is None:
            answer = replace(answer, status=exception.code or 500)
        body = {"code": answer.code, "message": answer.message}
        if isinstance(exception, (Conflict, Forbidden, OutsideServiceUnavailable)):  # the service knows why
            body = {"code": exception.code, "message": exception.message}
        if isinstance(exception, ValidationFailed):
            # Field names can be the client's own keys: escaped, so that any of them can be answered.
            body["fields"] = {echoable(str(name)): echoable(str(reason)) for name, reason in exception.fields.items()}
        if request.path.startswith(OPEN311_PREFIX):
            response = _open311_response(answer, body, request.path)
        else:
            response = jsonify(error=body)
            response.status_code = answer.status
        if isinstance(exception, http.HTTPException):  # Content-Range of a 416, Allow of a 405
            for name, value in exception.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value
        if answer.retry_later:
            response.headers["Retry-After"] = str(
                limits.retry_after_seconds(retry_after_seconds) if isinstance(exception, http.TooManyRequests)
                else retry_after_seconds)
        if isinstance(exception, Unauthorized):
            response.headers["WWW-Authenticate"] = 'Bearer realm="acikkapi"'
        return response


def _open311_response(answer, body, path):
    """The same answer in the specification's format: one error per refused field, naming it."""
    status = answer.open311_status or answer.status
    descriptions = ["{}: {}".format(name, reason) for name, reason in body.get("fields", {}).items()]
    return open311_formats.error_response(status, descriptions or [body["message"]], path)


def _route_name():
    return request.url_rule.rule if request.url_rule else "unknown route"
