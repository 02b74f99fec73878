"""Every error the gateway answers with, in one table (design.md §4).

Services raise meanings (common.errors); the gateway's own checks raise
werkzeug's HTTP exceptions; this table alone decides status, code and text.
One shape always: ``{"error": {"code", "message", "fields"?}}``.
"""
import logging
from dataclasses import dataclass

from flask import jsonify
from werkzeug import exceptions as http

from common.errors import Conflict, NotAllowed, NotFound, Unauthorized, ValidationFailed
from gateway import limits
from gateway.rpc import RpcTimedOut, ServiceUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    code: str
    message: str
    retry_later: bool = False


NOT_FOUND = ErrorAnswer(404, "not_found", "Aradığınız kayıt bulunamadı. / The record you asked for was not found.")

ERROR_TABLE = {
    ValidationFailed: ErrorAnswer(422, "validation_failed", "Bazı alanlar geçersiz. / Some fields are invalid."),
    NotFound: NOT_FOUND,
    http.NotFound: NOT_FOUND,
    Conflict: ErrorAnswer(409, "conflict", "İstek kaydın şimdiki durumuyla çelişiyor. / "
                                           "The request conflicts with the record's current state."),
    Unauthorized: ErrorAnswer(401, "unauthorized",
                              "Kimlik doğrulanamadı. / Authentication failed or is missing."),
    http.Forbidden: ErrorAnswer(403, "forbidden",
                                "Bu işlem için yetkiniz yok. / Your role does not allow this action."),
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
}

INTERNAL_ERROR = ErrorAnswer(500, "internal_error",
                             "Beklenmeyen bir hata oluştu. / An unexpected error occurred.")


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
        body = {"code": answer.code, "message": answer.message}
        if isinstance(exception, Conflict):  # the service knows which transition was impossible
            body = {"code": exception.code, "message": exception.message}
        if isinstance(exception, ValidationFailed):
            body["fields"] = exception.fields
        response = jsonify(error=body)
        response.status_code = answer.status
        if answer.retry_later:
            response.headers["Retry-After"] = str(
                limits.retry_after_seconds(retry_after_seconds) if isinstance(exception, http.TooManyRequests)
                else retry_after_seconds)
        if isinstance(exception, Unauthorized):
            response.headers["WWW-Authenticate"] = 'Bearer realm="acikkapi"'
        if isinstance(exception, http.MethodNotAllowed) and exception.valid_methods:
            response.headers["Allow"] = ", ".join(exception.valid_methods)
        return response


def _route_name():
    from flask import request

    return request.url_rule.rule if request.url_rule else "unknown route"
