"""Query strings and form bodies read strictly, by the rule ``gateway/body.py`` applies to JSON:
a parameter whose name or value is not UTF-8 once percent-decoded (``%ff``, an encoded surrogate
``%ed%a0%80``) or holds NUL is refused by name (422; 400 under ``/open311/``), before any view.

werkzeug would decode such bytes to U+FFFD and go on; a tracking code, a date or a field that is
silently changed is worse than a refusal that says which parameter was wrong.
"""
from urllib.parse import unquote_to_bytes

from flask import request

from common.errors import ValidationFailed
from common.fields import UNREADABLE_TEXT, echoable, is_unreadable
from messages import bilingual

NOT_UTF8 = bilingual("field.not_utf8")
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def refusals(encoded):
    """``{name: reason}`` for the unreadable parameters of an ``application/x-www-form-urlencoded``
    string (bytes), names as the client wrote them (undecodable bytes as U+FFFD, escaped)."""
    reasons = {}
    for pair in encoded.split(b"&"):
        if not pair:
            continue
        raw_name, _, raw_value = pair.partition(b"=")
        name_bytes, value_bytes = (unquote_to_bytes(part.replace(b"+", b" ")) for part in (raw_name, raw_value))
        name = echoable(name_bytes.decode("utf-8", "replace"))
        for part in (name_bytes, value_bytes):
            try:
                text = part.decode("utf-8")
            except UnicodeDecodeError:
                reasons[name] = NOT_UTF8
                break
            if is_unreadable(text):
                reasons[name] = UNREADABLE_TEXT
                break
    return reasons


def install(app):
    @app.before_request
    def read_parameters_strictly():
        reasons = refusals(request.query_string)
        if request.mimetype == FORM:
            reasons.update(refusals(request.get_data(cache=True)))  # body.py has checked its size
        elif request.mimetype == MULTIPART:  # werkzeug decodes parts itself: only NUL is left to see
            reasons.update({echoable(name): UNREADABLE_TEXT for name, value in request.form.items(multi=True)
                            if is_unreadable(name) or is_unreadable(value)})
        if reasons:
            raise ValidationFailed(reasons)
