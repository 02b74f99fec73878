"""MongoDB's comparison order between any two BSON values, as Python sort keys.

``sort_key(a) == sort_key(b)`` is Mongo equality (1 == 1.0, True != 1,
sub-documents equal only with the same fields in the same order) and ``<``
follows the BSON type order MongoDB uses for sorting and range operators.
"""
import datetime
from typing import Any

from bson import ObjectId

from docstore import paths
from docstore.codec import datetime_to_millis
from docstore.errors import UnsupportedOperation

# BSON comparison order of type brackets (MinKey < null < numbers < ... < MaxKey).
NULL, NUMBER, STRING, OBJECT, ARRAY, BINARY, OBJECT_ID, BOOLEAN, DATE = 1, 3, 4, 5, 6, 7, 8, 9, 10

# ``parse_sort``'s result: ((path, 1 or -1), ...).
SortSpec = tuple[tuple[paths.Path, int], ...]


def bracket(value: object) -> int:
    kind = type(value)
    if kind is str:
        return STRING
    if kind is bool:
        return BOOLEAN
    if kind is int or kind is float:
        return NUMBER
    if value is None:
        return NULL
    if kind is dict:
        return OBJECT
    if kind is list:
        return ARRAY
    if isinstance(value, datetime.datetime):
        return DATE
    if kind is ObjectId:
        return OBJECT_ID
    if kind is bytes:
        return BINARY
    raise TypeError(f"no BSON type bracket for {value!r}")


def sort_key(value: Any) -> tuple[Any, ...]:
    kind = bracket(value)
    if kind == STRING or kind == BOOLEAN or kind == NUMBER:
        return (kind, value)
    if kind == NULL:
        return (NULL,)
    if kind == OBJECT:
        return (kind, tuple((bracket(item), key, sort_key(item)) for key, item in value.items()))
    if kind == ARRAY:
        return (kind, tuple(sort_key(item) for item in value))
    if kind == DATE:
        return (kind, datetime_to_millis(value))
    if kind == OBJECT_ID:
        return (kind, value.binary)
    if kind == BINARY:
        return (kind, len(value), value)
    raise AssertionError(kind)


def equal(a: Any, b: Any) -> bool:
    """Mongo equality; the fast path avoids building keys for same-typed scalars."""
    kind = type(a)
    if kind is type(b) and (kind is str or kind is int or kind is ObjectId):
        return bool(a == b)
    return sort_key(a) == sort_key(b)


_EMPTY_ARRAY_KEY = (0,)  # MongoDB sorts [] below null and missing


def parse_sort(key_or_list: Any, direction: int | None = None) -> SortSpec:
    """``"a"``, ``("a", -1)`` arguments, ``[(a, 1), ...]`` or ``{a: 1}`` to ``((parts, direction), ...)``."""
    if isinstance(key_or_list, str):
        pairs: list[Any] = [(key_or_list, 1 if direction is None else direction)]
    elif isinstance(key_or_list, dict):
        pairs = list(key_or_list.items())
    else:
        pairs = [(item, 1) if isinstance(item, str) else tuple(item) for item in key_or_list]
    result: list[tuple[paths.Path, int]] = []
    for field, field_direction in pairs:
        if field_direction not in (1, -1) or type(field_direction) is bool:
            raise UnsupportedOperation(f"sort direction {field_direction!r} on {field!r}")
        result.append((paths.split(field), int(field_direction)))
    return tuple(result)


def _field_sort_key(document: Any, parts: paths.Path, descending: bool) -> tuple[Any, ...]:
    keys: list[tuple[Any, ...]] = []
    for value in paths.reachable(document, parts):
        if value is paths.MISSING:
            keys.append((NULL,))
        elif type(value) is list and value:
            keys.extend(sort_key(item) for item in value)
        elif type(value) is list:
            keys.append(_EMPTY_ARRAY_KEY)
        else:
            keys.append(sort_key(value))
    return max(keys) if descending else min(keys)


def sort_documents(documents: list[dict[str, Any]], spec: SortSpec) -> list[dict[str, Any]]:
    """Sorted by ``spec`` (from ``parse_sort``); ties keep their order, as stored."""
    for parts, direction in reversed(spec):
        descending = direction == -1
        documents = sorted(documents, key=lambda document: _field_sort_key(document, parts, descending),
                           reverse=descending)
    return documents
