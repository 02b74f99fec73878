"""Secondary indexes: one SQLite side table per index, one row per index key.

A side table rather than an expression index on the JSON, because MongoDB
indexes are multikey: a document whose indexed path reaches an array gets one
key per element, and a unique index forbids two documents sharing any key.
Each key value is stored so that SQLite's own comparison matches MongoDB's
within a type: numbers as numbers (1 = 1.0), strings as text (binary UTF-8
order, as MongoDB's default), everything else as a blob whose first byte is
the BSON type bracket, so a range scan never crosses into another type.
"""
import functools
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from docstore import paths
from docstore.codec import datetime_to_millis
from docstore.errors import UnsupportedOperation
from docstore.ordering import BOOLEAN, DATE, NULL, NUMBER, OBJECT_ID, STRING, bracket
from docstore.paths import MISSING

# An index key as SQLite stores it (sql_key): numbers and text as themselves, other types as bytes.
SqlKey = str | int | float | bytes

NULL_KEY = bytes([NULL])
# Bounds of each type bracket in SQLite's order: numbers < text < blobs.
TEXT_MIN = ""
BLOB_MIN = b""


@dataclass(frozen=True)
class IndexSpec:
    name: str
    fields: tuple[tuple[str, int], ...]  # ((path, direction), ...)
    unique: bool = False
    sparse: bool = False
    table: str = ""
    multikey: bool = False

    @property
    def key_pattern(self) -> dict[str, int]:
        return dict(self.fields)

    @functools.cached_property
    def parts(self) -> tuple[paths.Path, ...]:
        return tuple(paths.split(path) for path, _ in self.fields)

    def covers_any(self, changed: Iterable[paths.Path]) -> bool:
        """Whether changing the paths ``changed`` (tuples of parts) can change this index's keys."""
        for parts in self.parts:
            for touched in changed:
                shorter = min(len(parts), len(touched))
                if parts[:shorter] == touched[:shorter]:
                    return True
        return False

    def describe(self) -> dict[str, Any]:
        """The ``index_information()`` entry, as pymongo reports it."""
        info: dict[str, Any] = {"v": 2, "key": list(self.fields)}
        if self.unique:
            info["unique"] = True
        if self.sparse:
            info["sparse"] = True
        return info


def parse_key_spec(keys: Any) -> tuple[tuple[str, int], ...]:
    """``"field"`` or ``[(field, direction), ...]`` to a tuple of pairs, as pymongo accepts."""
    fields: list[tuple[Any, Any]]
    if isinstance(keys, str):
        fields = [(keys, 1)]
    elif isinstance(keys, dict):
        fields = list(keys.items())
    else:
        fields = []
        for item in keys:
            if isinstance(item, str):
                fields.append((item, 1))
            else:
                field, direction = item
                fields.append((field, direction))
    if not fields:
        raise ValueError("key_or_list must not be empty")
    for field, direction in fields:
        paths.split(field)
        if direction not in (1, -1) or type(direction) is bool:
            raise UnsupportedOperation(f"index type {direction!r} (only ascending/descending)")
        if any(part.isdigit() for part in field.split(".")):
            raise UnsupportedOperation(f"an index on a path with a numeric component ({field})")
    return tuple((field, int(direction)) for field, direction in fields)


def default_name(fields: Iterable[tuple[str, int]]) -> str:
    return "_".join(f"{field}_{direction}" for field, direction in fields)


def sql_key(value: Any) -> SqlKey:
    """One index key as the SQLite value that compares like MongoDB within its type."""
    exact = type(value)
    if exact is str or exact is int:  # the most frequent, before the general bracket
        return value  # type: ignore[no-any-return]
    if value is MISSING:
        return NULL_KEY
    kind = bracket(value)
    if kind == STRING or (kind == NUMBER and value == value):
        return value  # type: ignore[no-any-return]  # a str, int or float by its bracket
    if kind == NULL:
        return NULL_KEY
    if kind == BOOLEAN:
        return bytes([BOOLEAN, value])
    if kind == DATE:
        return bytes([DATE]) + (datetime_to_millis(value) + 2**63).to_bytes(8, "big")
    if kind == OBJECT_ID:
        return bytes([OBJECT_ID]) + cast(bytes, value.binary)
    if kind == NUMBER:  # NaN: SQLite would store NULL
        return bytes([NUMBER]) + b"nan"
    return bytes([kind]) + json.dumps(_canonical(value), separators=(",", ":")).encode()


def _canonical(value: Any) -> Any:
    """Plain JSON that is equal for Mongo-equal values (1 and 1.0; not 1 and true)."""
    kind = type(value)
    if kind is float and value.is_integer():
        return int(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind is dict:
        return [[key, _canonical(item)] for key, item in value.items()]
    if kind is list:
        return {"a": [_canonical(item) for item in value]}
    if kind is bytes:
        return {"b": value.hex()}
    return {"k": bracket(value), "v": cast(bytes, sql_key(value)).hex()}  # not a scalar: bytes


def bracket_bounds(value: Any) -> tuple[SqlKey | None, SqlKey] | None:
    """The SQL range ``[low, high)`` holding every key of ``value``'s type, or None."""
    kind = bracket(value)
    if type(value) in (int, float):
        return None, TEXT_MIN
    if kind == STRING:
        return TEXT_MIN, BLOB_MIN
    if kind in (DATE, OBJECT_ID):
        return bytes([kind]), bytes([kind + 1])
    return None


def field_keys(document: Any, parts: paths.Path) -> set[SqlKey]:
    """The index keys one path gives a document (array elements each, [] as itself)."""
    keys: set[SqlKey] = set()
    for value in paths.reachable(document, parts):
        if type(value) is list:
            if value:
                keys.update(sql_key(element) for element in value)
            else:
                keys.add(sql_key(value))
        else:
            keys.add(sql_key(value))
    return keys


_ARRAY_ON_PATH = object()


def _plain_value(document: Any, parts: paths.Path) -> Any:
    """The value ``parts`` reaches through sub-documents only (``MISSING`` where it ends), or
    ``_ARRAY_ON_PATH`` when an array is on the way or at the end (the general case then)."""
    value = document
    for part in parts:
        kind = type(value)
        if kind is dict:
            value = value.get(part, MISSING)
        elif kind is list:
            return _ARRAY_ON_PATH
        else:
            return MISSING
    return _ARRAY_ON_PATH if type(value) is list else value


def document_keys(spec: IndexSpec, document: Any) -> tuple[set[tuple[SqlKey, ...]], bool]:
    """``(key tuples, multikey)`` of ``document`` in ``spec``; no keys if a sparse index skips it."""
    all_parts = spec.parts
    # The usual document: no array on any indexed path, so one key, not multikey.
    plain = [_plain_value(document, parts) for parts in all_parts]
    if _ARRAY_ON_PATH not in plain:
        if spec.sparse and all(value is MISSING for value in plain):
            return set(), False
        return {tuple(sql_key(value) for value in plain)}, False
    if spec.sparse and all(
        all(value is MISSING for value in paths.reachable(document, parts)) for parts in all_parts
    ):
        return set(), False
    per_field = [field_keys(document, parts) for parts in all_parts]
    multikey = any(paths.crosses_array(document, parts) for parts in all_parts)
    if len(per_field) == 1:
        return {(key,) for key in per_field[0]}, multikey
    return set(itertools.product(*per_field)), multikey


def query_keys(value: Any) -> set[SqlKey]:
    """Keys under which a document equal to ``value`` (or holding it in an array) is found."""
    if type(value) is list:
        keys = {sql_key(value)}
        if value:
            keys.add(sql_key(value[0]))
        return keys
    return {sql_key(value)}

