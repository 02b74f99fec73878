"""What gunicorn itself sends: no ``Server`` header on any answer, and the requests it refuses
before the app sees them (a malformed request line, a line or headers past its limits: 400, 414,
431…) answered like the app's own errors: the one table's status, code and text as JSON, the
security headers, ``Cache-Control: no-store`` and an ``X-Request-ID``.

gunicorn has no setting for either: its ``Response.default_headers`` always writes
``Server: gunicorn`` and ``util.write_error`` writes a bare HTML page. ``install`` (from
gateway/gunicorn.conf.py, in the master, so every worker forks with it) replaces both module
attributes; gunicorn looks them up at each call. Never the client's request line in the answer:
it may carry an application number and tracking code.
"""
import json

from gunicorn import util
from gunicorn.http import wsgi
from werkzeug import exceptions as http
from werkzeug.http import HTTP_STATUS_CODES


class MalformedHttp(http.BadRequest):
    """gunicorn could not parse the request (request line, header, chunk framing)."""


# gunicorn's statuses → the exception whose row in gateway/errors.py answers it.
GUNICORN_REFUSALS = {400: MalformedHttp, 403: http.Forbidden, 414: http.RequestURITooLarge,
                     417: http.ExpectationFailed, 431: http.RequestHeaderFieldsTooLarge,
                     501: http.NotImplemented, 500: http.InternalServerError}


class QuietResponse(wsgi.Response):
    """gunicorn's response without its ``Server`` line: the server's name and version only help
    someone looking for a known flaw."""

    def default_headers(self):
        return [line for line in super().default_headers() if not line.lower().startswith("server:")]


def error_answer(status):
    """``(status line, headers, body)`` of gunicorn's refusal with ``status``."""
    from gateway import errors, request_ids, security  # the worker's app has loaded them already

    exception = GUNICORN_REFUSALS.get(status, http.default_exceptions.get(status, http.HTTPException))()
    answer = errors.answer_for(exception) or errors.INTERNAL_ERROR
    status = answer.status or status
    body = json.dumps({"error": {"code": answer.code, "message": answer.message}},
                      ensure_ascii=False).encode("utf-8")
    headers = dict(security.security_headers(security.SecuritySettings.from_environment()))
    headers.update({"Cache-Control": "no-store", request_ids.HEADER: request_ids.new_request_id(),
                    "Connection": "close", "Content-Type": "application/json",
                    "Content-Length": str(len(body))})
    return "{} {}".format(status, HTTP_STATUS_CODES.get(status, "Error")), headers, body


def write_error(sock, status_int, reason, mesg):
    """``gunicorn.util.write_error``'s replacement (same arguments; ``reason`` and ``mesg`` unused)."""
    status_line, headers, body = error_answer(status_int)
    head = "HTTP/1.1 {}\r\n{}\r\n".format(status_line, "".join(
        "{}: {}\r\n".format(name, value) for name, value in headers.items()))
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install():
    wsgi.Response = QuietResponse
    util.write_error = write_error
