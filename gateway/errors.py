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

from common.errors import Conflict, NotAllowed, NotFound, Unauthorized, ValidationFailed
from common.fields import echoable
from gateway import limits
from gateway.open311 import formats as open311_formats
from gateway.open311.mapping import InvalidApiKey
from gateway.rpc import RpcTimedOut, ServiceUnavailable
from gateway.server_answers import MalformedHttp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    code: str
    message: str
    retry_later: bool = False
    open311_status: int = None  # the status under /open311/, where it differs


OPEN311_PREFIX = "/open311/"


INTERNAL_ERROR = ErrorAnswer(500, "internal_error",
                             "Beklenmeyen bir hata oluştu. / An unexpected error occurred.")
NOT_FOUND = ErrorAnswer(404, "not_found", "Aradığınız kayıt bulunamadı. / The record you asked for was not found.")

ERROR_TABLE = {
    ValidationFailed: ErrorAnswer(422, "validation_failed", "Bazı alanlar geçersiz. / Some fields are invalid.",
                                  open311_status=400),
    NotFound: NOT_FOUND,
    http.NotFound: NOT_FOUND,
    Conflict: ErrorAnswer(409, "conflict", "İstek kaydın şimdiki durumuyla çelişiyor. / "
                                           "The request conflicts with the record's current state."),
    Unauthorized: ErrorAnswer(401, "unauthorized",
                              "Kimlik doğrulanamadı. / Authentication failed or is missing."),
    http.Forbidden: ErrorAnswer(403, "forbidden",
                                "Bu işlem için yetkiniz yok. / Your role does not allow this action."),
    InvalidApiKey: ErrorAnswer(403, "invalid_api_key", "api_key eksik veya geçersiz. / "
                                                       "The api_key is missing or invalid."),
    NotAllowed: ErrorAnswer(403, "forbidden",
                            "Bu işlem için yetkiniz yok. / Your role does not allow this action."),
    RpcTimedOut: ErrorAnswer(504, "service_timeout",
                             "Hizmet zamanında yanıt vermedi, lütfen tekrar deneyin. / "
                             "The service did not answer in time; please try again.", retry_later=True),
    ServiceUnavailable: ErrorAnswer(503, "service_unavailable",
                                    "Hizmet şu anda kullanılamıyor, lütfen tekrar deneyin. / "
                                    "The service is unavailable right now; please try again.", retry_later=True),
    http.BadRequest: ErrorAnswer(400, "malformed_request",
                                 "İstek gövdesi geçerli bir JSON değil. / The request body is not valid JSON."),
    http.RequestEntityTooLarge: ErrorAnswer(413, "payload_too_large",
                                            "İstek gövdesi çok büyük. / The request body is too large."),
    http.UnsupportedMediaType: ErrorAnswer(415, "unsupported_media_type",
                                           "İstek gövdesi application/json olmalı. / "
                                           "The request body must be application/json."),
    # Flask-Limiter's RateLimitExceeded is one; Retry-After comes from the limiter's reset time.
    http.TooManyRequests: ErrorAnswer(429, "rate_limited",
                                      "Çok fazla istek gönderildi, lütfen daha sonra tekrar deneyin. / "
                                      "Too many requests; please try again later.", retry_later=True),
    http.MethodNotAllowed: ErrorAnswer(405, "method_not_allowed",
                                       "Bu adres bu yöntemi desteklemiyor. / This method is not allowed here."),
    # What werkzeug and gunicorn refuse before any view runs, each with its own status.
    MalformedHttp: ErrorAnswer(400, "malformed_request",
                               "İstek geçerli bir HTTP isteği değil. / The request is not valid HTTP."),
    http.NotAcceptable: ErrorAnswer(406, "not_acceptable", "İstenen biçimde yanıt verilemiyor. / "
                                                           "No answer in an acceptable format."),
    http.RequestTimeout: ErrorAnswer(408, "request_timeout", "İstek zamanında tamamlanmadı. / "
                                                             "The request was not completed in time."),
    http.LengthRequired: ErrorAnswer(411, "length_required", "İstek gövdesinin uzunluğu belirtilmeli. / "
                                                             "The request body needs a length."),
    http.PreconditionFailed: ErrorAnswer(412, "precondition_failed", "İsteğin ön koşulu sağlanmadı. / "
                                                                     "A precondition of the request failed."),
    http.RequestURITooLarge: ErrorAnswer(414, "uri_too_long", "İstek adresi çok uzun. / The request URI is too long."),
    http.RequestedRangeNotSatisfiable: ErrorAnswer(416, "range_not_satisfiable",
                                                   "İstenen bayt aralığı dosyanın dışında. / "
                                                   "The requested byte range is outside the file."),
    http.ExpectationFailed: ErrorAnswer(417, "expectation_failed", "Expect başlığı karşılanamıyor. / "
                                                                   "The Expect header cannot be met."),
    http.RequestHeaderFieldsTooLarge: ErrorAnswer(431, "headers_too_large", "İstek başlıkları çok büyük. / "
                                                                           "The request headers are too large."),
    http.NotImplemented: ErrorAnswer(501, "not_implemented", "Bu istek desteklenmiyor. / "
                                                             "This request is not supported."),
    http.InternalServerError: INTERNAL_ERROR,
    # Any other HTTP error werkzeug raises keeps its own status (``status`` None: the exception's code).
    http.HTTPException: ErrorAnswer(None, "http_error", "İstek yerine getirilemedi. / "
                                                        "The request could not be fulfilled."),
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
        if isinstance(exception, Conflict):  # the service knows which transition was impossible
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
