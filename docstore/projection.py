"""Projections (``{"a": 1, "b.c": 1}`` or ``{"secret": 0}``) with MongoDB's ``_id`` rule:
``_id`` comes back unless excluded by name."""
from collections.abc import Callable, Mapping
from typing import Any

from pymongo.errors import OperationFailure

from docstore import paths
from docstore.errors import UnsupportedOperation


def compile_projection(projection: Any) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """``project(document) -> document``; None projects nothing away."""
    if projection is None:
        return None
    if isinstance(projection, (list, tuple, set)):
        projection = {field: True for field in projection}
    if not isinstance(projection, Mapping):
        raise TypeError("projection must be a mapping or a list of field names")
    include_id = True
    tree: dict[str, Any] = {}
    mode: str | None = None
    for field, flag in projection.items():
        if field.startswith("$") or isinstance(flag, Mapping) or type(flag) not in (bool, int, float):
            raise UnsupportedOperation(f"projection {field!r}: {flag!r}")
        if field == "_id":
            include_id = bool(flag)
            continue
        field_mode = "include" if flag else "exclude"
        if mode not in (None, field_mode):
            raise OperationFailure(f"Cannot do {field_mode}sion on field {field} in "
                                   f"{mode}sion projection", code=31254)
        mode = field_mode
        _add_path(tree, paths.split(field))
    if mode is None:
        if "_id" not in projection:
            return None
        if include_id:
            return lambda document: {"_id": document["_id"]} if "_id" in document else {}
        return lambda document: {key: value for key, value in document.items() if key != "_id"}
    if mode == "include":
        if include_id:
            tree.setdefault("_id", True)
        return lambda document: _include(document, tree)
    if not include_id:
        tree["_id"] = True
    return lambda document: _exclude(document, tree)


def _add_path(tree: dict[str, Any], parts: paths.Path) -> None:
    node = tree
    for part in parts[:-1]:
        child = node.get(part)
        if child is True:
            return
        node = node.setdefault(part, {})
    node[parts[-1]] = True


def _include(value: Any, tree: dict[str, Any]) -> Any:
    if type(value) is list:
        return [_include(item, tree) for item in value if type(item) in (dict, list)]
    result: dict[str, Any] = {}
    for key, item in value.items():
        rule = tree.get(key)
        if rule is True:
            result[key] = item
        elif rule is not None and type(item) in (dict, list):
            result[key] = _include(item, rule)
    return result


def _exclude(value: Any, tree: dict[str, Any]) -> Any:
    if type(value) is list:
        return [_exclude(item, tree) if type(item) in (dict, list) else item for item in value]
    result: dict[str, Any] = {}
    for key, item in value.items():
        rule = tree.get(key)
        if rule is True:
            continue
        result[key] = _exclude(item, rule) if rule is not None and type(item) in (dict, list) else item
    return result
