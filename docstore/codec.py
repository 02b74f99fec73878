"""Documents to JSON text and back, losslessly for the BSON types the stores use.

JSON has no datetime, ObjectId or bytes, so those become one-key marker
objects (``{"\\u0000date": ms}``, ``{"\\u0000oid": hex}``, ...); ``encode`` takes
a document already passed through ``normalise``. Datetimes are cut to
milliseconds and returned in UTC, exactly as pymongo (``tz_aware=True``) gives
them back from MongoDB, so code tested on this engine sees what production will.
"""
import base64
import datetime
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from bson import ObjectId
from bson.int64 import Int64
from bson.regex import Regex
from pymongo.errors import InvalidDocument

from docstore.errors import UnsupportedOperation

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_NAIVE_EPOCH = EPOCH.replace(tzinfo=None)
_MILLISECOND = datetime.timedelta(milliseconds=1)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def is_mapping(value: object) -> bool:
    """``isinstance(value, Mapping)``, with the common case (a dict) first: it is on every path."""
    return type(value) is dict or isinstance(value, Mapping)


def datetime_to_millis(value: datetime.datetime) -> int:
    """Milliseconds since the epoch; a naive datetime is taken as UTC (as pymongo does)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return (value - _NAIVE_EPOCH) // _MILLISECOND
    return (value - EPOCH) // _MILLISECOND


def millis_to_datetime(millis: int) -> datetime.datetime:
    return EPOCH + datetime.timedelta(milliseconds=millis)


def normalise(value: Any, top_level: bool = False) -> Any:
    """A copy of ``value`` as pymongo would read it back, refusing what BSON cannot hold.

    Tuples become lists and datetimes lose sub-millisecond digits, so a document
    held in memory after a write compares equal to the one stored.
    """
    kind = type(value)
    if kind is str or kind is bool or value is None or kind is float:
        return value
    if kind is int or kind is Int64:
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise OverflowError("BSON can only handle up to 8-byte ints")
        return int(value)
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise InvalidDocument(f"documents must have only string keys, key was {key!r}")
            if top_level and key.startswith("$"):
                raise InvalidDocument(f"top-level field names cannot start with '$': {key!r}")
            if "\x00" in key:
                raise InvalidDocument(f"key {key!r} must not contain NUL")
            result[key] = normalise(item)
        return result
    if isinstance(value, (list, tuple)):
        return [normalise(item) for item in value]
    if isinstance(value, datetime.datetime):
        return millis_to_datetime(datetime_to_millis(value))
    if isinstance(value, ObjectId):
        return value
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, str):  # str subclasses (e.g. enum.StrEnum) are stored as plain text
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return normalise(int(value))
    if isinstance(value, float):
        return float(value)
    if isinstance(value, uuid.UUID):
        raise InvalidDocument("cannot encode native uuid.UUID with UuidRepresentation.UNSPECIFIED")
    if isinstance(value, (Regex, datetime.date)) or type(value).__module__.startswith("bson"):
        raise UnsupportedOperation(f"storing a {type(value).__name__} value")
    raise InvalidDocument(f"cannot encode object: {value!r}, of type: {type(value)!r}")


# Marker keys start with NUL, which BSON forbids in field names (``normalise``
# refuses them), so no stored user document can be mistaken for a marker.
_DATE, _OBJECT_ID, _BINARY = "\x00date", "\x00oid", "\x00binary"


def _to_json_default(value: object) -> dict[str, Any]:
    if isinstance(value, datetime.datetime):
        return {_DATE: datetime_to_millis(value)}
    if isinstance(value, ObjectId):
        return {_OBJECT_ID: str(value)}
    if isinstance(value, bytes):
        return {_BINARY: base64.b64encode(value).decode("ascii")}
    raise InvalidDocument(f"cannot encode object: {value!r}")


_encoder = json.JSONEncoder(default=_to_json_default, ensure_ascii=False, separators=(",", ":"),
                            check_circular=False, allow_nan=True)
# json.encoder.c_make_encoder and JSONDecoder.scan_once are CPython internals typeshed leaves out.
if json.encoder.c_make_encoder is not None:  # type: ignore[attr-defined]
    # JSONEncoder.encode builds this C encoder anew on every call; one is enough.
    _c_encoder = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _to_json_default, json.encoder.encode_basestring, None, ":", ",", False, False, True)

    def encode(document: Any) -> str:
        return "".join(_c_encoder(document, 0))
else:  # pragma: no cover - CPython always has the C encoder
    encode: Callable[[Any], str] = _encoder.encode  # type: ignore[no-redef]


def _from_json_object(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if _DATE in obj:
            return millis_to_datetime(obj[_DATE])
        if _OBJECT_ID in obj:
            return ObjectId(obj[_OBJECT_ID])
        if _BINARY in obj:
            return base64.b64decode(obj[_BINARY])
    return obj


_decoder = json.JSONDecoder(object_hook=_from_json_object)


def decode(text: str) -> Any:
    return _decoder.scan_once(text, 0)[0]  # type: ignore[attr-defined]
