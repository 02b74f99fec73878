"""Dotted paths (``timeline.event_id``, ``field.0``) read the way MongoDB queries read them.

A path component meets an array: a number indexes it; a name is looked up in
every sub-document element. So one path can reach several values, and a query
matches when any of them does.
"""

import functools
from typing import Any

# A split path: ``"timeline.event_id"`` -> ``("timeline", "event_id")``.
Path = tuple[str, ...]

MISSING = type("Missing", (), {"__repr__": lambda self: "MISSING", "__slots__": ()})()


@functools.lru_cache(maxsize=4096)
def split(path: str) -> Path:
    if not isinstance(path, str) or not path:
        raise TypeError(f"field paths must be non-empty strings, got {path!r}")
    parts = path.split(".")
    if any(not part for part in parts):
        raise ValueError(f"empty component in field path {path!r}")
    return tuple(parts)


def reachable(value: Any, parts: Path, start: int = 0) -> list[Any]:
    """Every value ``parts`` reaches inside ``value``; ``MISSING`` where the path ends early.

    The leaf values are not expanded: the caller decides whether an array
    leaf counts as itself, its elements, or both.
    """
    found: list[Any] = []
    _collect(value, parts, start, found)
    return found


def _collect(value: Any, parts: Path, index: int, found: list[Any]) -> None:
    if index == len(parts):
        found.append(value)
        return
    part = parts[index]
    if type(value) is dict:
        if part in value:
            _collect(value[part], parts, index + 1, found)
        else:
            found.append(MISSING)
        return
    if type(value) is list:
        if part.isdigit():
            position = int(part)
            if position < len(value):
                _collect(value[position], parts, index + 1, found)
            else:
                found.append(MISSING)
            return
        before = len(found)
        for element in value:
            if type(element) is dict:
                _collect(element, parts, index, found)
        if len(found) == before:
            found.append(MISSING)
        return
    found.append(MISSING)


def crosses_array(value: Any, parts: Path) -> bool:
    """Whether reading ``parts`` in ``value`` meets an array (MongoDB's multikey condition)."""
    for part in parts:
        if type(value) is list:
            return True
        if type(value) is not dict or part not in value:
            return False
        value = value[part]
    return type(value) is list


def get_exact(document: Any, parts: Path) -> Any:
    """The single value at ``parts`` without fanning out over arrays (for update operators)."""
    value = document
    for part in parts:
        if type(value) is dict:
            if part not in value:
                return MISSING
            value = value[part]
        elif type(value) is list and part.isdigit():
            position = int(part)
            if position >= len(value):
                return MISSING
            value = value[position]
        else:
            return MISSING
    return value
