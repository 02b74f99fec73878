"""Reading a request body strictly: the right content type, valid JSON, within the size limit, and
text that every store, log and answer can carry (common.fields ``is_unreadable``).

``install`` reads every body once, before any view or rate limit looks at it:
- a chunked body (no Content-Length) is read up to ``MAX_CONTENT_LENGTH`` + 1 bytes: one byte
  more is 413, like a body whose Content-Length says so; else the request goes on as if it had
  sent that Content-Length (werkzeug alone would stop reading at the limit and hand the view the
  first ``MAX_CONTENT_LENGTH`` bytes as if they were all);
- a JSON body with a lone surrogate (``"\\ud800"``) or NUL in any key or string is 422 naming
  each such path, so such text never reaches a view, a rate-limit key or a service.
"""
import io
import json

from flask import g, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from common.errors import ValidationFailed
from common.fields import unreadable_paths

_NOT_PARSED = object()


def _refuse_constant(name):
    raise ValueError("non-standard JSON constant")


def json_body():
    """The parsed body (any JSON value: the service checks its shape and names the fields)."""
    if not request.is_json:
        raise UnsupportedMediaType()
    parsed = parsed_json()
    if parsed is _NOT_PARSED:
        raise BadRequest()
    return parsed


def parsed_json():
    """The JSON body parsed once per request, or ``_NOT_PARSED`` (not JSON, too large, malformed).
    Raises nothing but 413."""
    if "parsed_json_body" not in g:
        g.parsed_json_body = _NOT_PARSED
        raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
        try:
            g.parsed_json_body = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly deep nesting
            pass
    return g.parsed_json_body


def parsed_object():
    """The body as a dict if it is a JSON object, else ``{}``; never raises (for rate-limit keys)."""
    if not request.is_json:
        return {}
    try:
        parsed = parsed_json()
    except RequestEntityTooLarge:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def install(app):
    @app.before_request
    def read_body_strictly():
        _buffer_chunked_body(app.config.get("MAX_CONTENT_LENGTH"))
        if request.is_json:
            parsed = parsed_json()  # a malformed body is left to the view (400), as is its absence
            if parsed is not _NOT_PARSED and _may_hold_unreadable_text(request.get_data(cache=True)):
                unreadable = unreadable_paths(parsed)
                if unreadable:
                    raise ValidationFailed(unreadable)


def _may_hold_unreadable_text(raw):
    """JSON that parsed holds NUL or a lone surrogate only written as a ``\\u`` escape: a raw
    control character in a string is refused by the parser, and UTF-8 cannot carry a surrogate.
    Most bodies have no escape at all, and their walk is skipped."""
    return b"\\u" in raw


def _buffer_chunked_body(limit):
    """Read before anything asks for ``request.content_length`` (cached: it must see the new one)."""
    environ = request.environ
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if limit is None or not chunked or "wsgi.input_terminated" not in environ:
        return
    body = environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        raise RequestEntityTooLarge()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    # From here on it is an ordinary body of that length (the server has removed the chunking).
    del environ["HTTP_TRANSFER_ENCODING"], environ["wsgi.input_terminated"]
