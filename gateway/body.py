"""Reading a JSON request body strictly: the right content type, valid JSON, within the size limit."""
import json

from flask import request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType


def _refuse_constant(name):
    raise ValueError("non-standard JSON constant")


def json_body():
    """The parsed body (any JSON value: the service checks its shape and names the fields)."""
    if not request.is_json:
        raise UnsupportedMediaType()
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly deep nesting
        raise BadRequest() from None
