"""Update documents (``{"$set": ..., "$inc": ...}``) applied to a document, as MongoDB applies them."""
import copy
import datetime
from collections.abc import Callable, Mapping
from typing import Any

from bson import ObjectId
from pymongo.errors import WriteError

from docstore import paths
from docstore.codec import is_mapping, normalise
from docstore.errors import UnsupportedOperation
from docstore.matcher import compile_condition, compile_filter, is_operator_document
from docstore.ordering import equal
from docstore.paths import MISSING

# MongoDB's error codes, so callers inspecting ``error.code`` see the same numbers.
BAD_VALUE, TYPE_MISMATCH, PATH_NOT_VIABLE, CONFLICTING_UPDATE, IMMUTABLE_FIELD = 2, 14, 28, 40, 66


def validate_update(update: Any) -> None:
    """pymongo's own client-side checks (it raises ValueError/TypeError before sending)."""
    if not is_mapping(update):
        if isinstance(update, list):
            raise UnsupportedOperation("update with an aggregation pipeline")
        raise TypeError("update must be an instance of dict, bson.son.SON, or any other type that "
                        "inherits from collections.Mapping")
    if not update:
        raise ValueError("update cannot be empty")
    if not next(iter(update)).startswith("$"):
        raise ValueError("update only works with $ operators")


def validate_replacement(replacement: Any) -> None:
    if not isinstance(replacement, Mapping):
        raise TypeError("replacement must be an instance of dict, bson.son.SON, or any other type "
                        "that inherits from collections.Mapping")
    if replacement and next(iter(replacement)).startswith("$"):
        raise ValueError("replacement can not include $ operators")


class Update:
    """A parsed update document, applied with ``apply(document, inserting)``."""

    def __init__(self, update: Any) -> None:
        validate_update(update)
        self._steps: list[tuple[str, paths.Path, Any]] = []
        touched: list[paths.Path] = []
        for operator, fields in update.items():
            apply_field = _OPERATORS.get(operator)
            if apply_field is None:
                if operator.startswith("$"):
                    raise UnsupportedOperation(f"update operator {operator}")
                raise WriteError(f"Unknown modifier: {operator}", code=BAD_VALUE)
            if not is_mapping(fields):
                raise WriteError(f"Modifiers operate on fields but we found type "
                                 f"{type(fields).__name__} instead", code=9)
            for path, argument in fields.items():
                parts = paths.split(path)
                if any(part.startswith("$") for part in parts):
                    raise UnsupportedOperation(f"positional update path {path!r}")
                touched.append(parts)
                self._steps.append((operator, parts, _prepare(operator, argument)))
        _check_conflicts(touched)
        self.changed_paths = tuple(touched)

    def apply(self, document: dict[str, Any], inserting: bool = False) -> dict[str, Any]:
        """``document`` with the update applied, changed in place (pass a copy)."""
        original_id = document.get("_id", MISSING)
        for operator, parts, argument in self._steps:
            if operator == "$setOnInsert" and not inserting:
                continue
            _OPERATORS[operator](document, parts, argument)
        if original_id is not MISSING and ("_id" not in document or not equal(document["_id"], original_id)):
            raise WriteError("Performing an update on the path '_id' would modify the immutable "
                             "field '_id'", code=IMMUTABLE_FIELD)
        return document


def upsert_seed(query: Any) -> dict[str, Any]:
    """The document an upsert starts from: the filter's equality conditions (MongoDB's rule)."""
    seed: dict[str, Any] = {}
    _add_equalities(query, seed)
    return seed


def _add_equalities(query: Any, seed: dict[str, Any]) -> None:
    for key, condition in query.items():
        if key == "$and" and isinstance(condition, list):
            for branch in condition:
                _add_equalities(branch, seed)
        elif key.startswith("$"):
            continue
        elif not is_operator_document(condition):
            set_path(seed, paths.split(key), normalise(condition))
        elif "$eq" in condition:
            set_path(seed, paths.split(key), normalise(condition["$eq"]))


def _prepare(operator: str, argument: Any) -> Any:
    if operator in ("$push", "$addToSet") and is_operator_document(argument):
        unknown = set(argument) - {"$each"}
        if unknown:
            raise UnsupportedOperation(f"{operator} modifier {sorted(unknown)[0]}")
        each = argument["$each"]
        if not isinstance(each, (list, tuple)):
            raise WriteError(f"The argument to $each in {operator} must be an array", code=BAD_VALUE)
        return [normalise(item) for item in each]
    if operator in ("$push", "$addToSet"):
        return [normalise(argument)]
    if operator == "$pull":
        return _pull_test(argument)
    if operator == "$inc" and (type(argument) not in (int, float)):
        raise WriteError(f"Cannot increment with non-numeric argument: {argument!r}", code=TYPE_MISMATCH)
    if operator == "$unset":
        return None
    return normalise(argument)


def _pull_test(condition: Any) -> Callable[[Any], bool]:
    """How ``$pull`` picks elements: a query on sub-documents, operators on values, else equality."""
    if is_mapping(condition) and condition and not is_operator_document(condition):
        matches = compile_filter(condition)
        return lambda element: type(element) is dict and matches(element)
    if is_operator_document(condition):
        test = compile_condition(condition)
        return lambda element: test([element])
    value = normalise(condition)
    return lambda element: equal(element, value)


def _check_conflicts(touched: list[paths.Path]) -> None:
    # Sorted, a path lies right before every path it is a prefix of: one pass finds whether any two
    # conflict; the pairwise loop then names the first pair in the update's own order.
    ordered = sorted(touched)
    if all(later[:len(earlier)] != earlier for earlier, later in zip(ordered, ordered[1:])):
        return
    for index, parts in enumerate(touched):
        for other in touched[index + 1:]:
            shorter = min(len(parts), len(other))
            if parts[:shorter] == other[:shorter]:
                raise WriteError(f"Updating the path '{'.'.join(other)}' would create a conflict at "
                                 f"'{'.'.join(parts[:shorter])}'", code=CONFLICTING_UPDATE)


def _parent(document: dict[str, Any], parts: paths.Path, create: bool) -> Any:
    """The container holding the last component of ``parts``, or None if absent and not creating."""
    container = document
    for depth, part in enumerate(parts[:-1]):
        child = _child(container, part, parts, depth)
        if child is MISSING:
            if not create:
                return None
            child = {}
            _store(container, part, child, parts)
        elif type(child) not in (dict, list):
            if not create:
                return None
            raise WriteError(f"Cannot create field '{parts[depth + 1]}' in element "
                             f"{{{part}: {child!r}}}", code=PATH_NOT_VIABLE)
        container = child
    return container


def _child(container: Any, part: str, parts: paths.Path, depth: int) -> Any:
    if type(container) is dict:
        return container.get(part, MISSING)
    if not part.isdigit():
        raise WriteError(f"Cannot create field '{part}' in element {{{parts[depth - 1] if depth else ''}:"
                         f" [...]}}", code=PATH_NOT_VIABLE)
    position = int(part)
    return container[position] if position < len(container) else MISSING


def _store(container: Any, part: str, value: Any, parts: paths.Path) -> None:
    if type(container) is dict:
        container[part] = value
        return
    if not part.isdigit():
        raise WriteError(f"Cannot create field '{part}' in element {{{'.'.join(parts)}: [...]}}",
                         code=PATH_NOT_VIABLE)
    position = int(part)
    container.extend([None] * (position + 1 - len(container)))
    container[position] = value


def _current(document: dict[str, Any], parts: paths.Path) -> Any:
    container = _parent(document, parts, create=False)
    if container is None:
        return MISSING
    if type(container) is dict:
        return container.get(parts[-1], MISSING)
    if type(container) is list and parts[-1].isdigit() and int(parts[-1]) < len(container):
        return container[int(parts[-1])]
    return MISSING


_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes, datetime.datetime, ObjectId})


def _copied(value: Any) -> Any:
    """A copy of a normalised value (codec.normalise): only its dicts and lists can change, so only
    they are copied; anything else goes to ``copy.deepcopy``. Several times faster than deepcopy
    alone, which weighed a quarter of tracking's store write."""
    kind = type(value)
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is list:
        return [_copied(item) for item in value]
    if kind in _IMMUTABLE:
        return value
    return copy.deepcopy(value)


def set_path(document: dict[str, Any], parts: paths.Path, value: Any) -> None:
    if type(value) in (dict, list):  # one update's value may land in many documents
        value = _copied(value)
    _store(_parent(document, parts, create=True), parts[-1], value, parts)


def _unset(document: dict[str, Any], parts: paths.Path, _: object) -> None:
    container = _parent(document, parts, create=False)
    if type(container) is dict:
        container.pop(parts[-1], None)
    elif type(container) is list and parts[-1].isdigit() and int(parts[-1]) < len(container):
        container[int(parts[-1])] = None


def _inc(document: dict[str, Any], parts: paths.Path, amount: int | float) -> None:
    current = _current(document, parts)
    if current is MISSING:
        set_path(document, parts, amount)
        return
    if type(current) not in (int, float):
        raise WriteError(f"Cannot apply $inc to a value of non-numeric type. {{_id: "
                         f"{document.get('_id')!r}}} has the field '{parts[-1]}' of non-numeric type "
                         f"{type(current).__name__}", code=TYPE_MISMATCH)
    set_path(document, parts, current + amount)


def _array_at(document: dict[str, Any], parts: paths.Path, operator: str) -> list[Any] | None:
    current = _current(document, parts)
    if current is MISSING:
        return None
    if type(current) is not list:
        raise WriteError(f"The field '{'.'.join(parts)}' must be an array but is of type "
                         f"{type(current).__name__} in document {{_id: {document.get('_id')!r}}}"
                         f" ({operator})", code=BAD_VALUE)
    return current


def _push(document: dict[str, Any], parts: paths.Path, items: list[Any]) -> None:
    current = _array_at(document, parts, "$push")
    if current is None:
        set_path(document, parts, items)
    else:
        current.extend(_copied(items))


def _add_to_set(document: dict[str, Any], parts: paths.Path, items: list[Any]) -> None:
    current = _array_at(document, parts, "$addToSet")
    if current is None:
        current = []
        set_path(document, parts, current)
        current = _current(document, parts)
    for item in items:
        if not any(equal(existing, item) for existing in current):
            current.append(_copied(item))


def _pull(document: dict[str, Any], parts: paths.Path, matches: Callable[[Any], bool]) -> None:
    current = _current(document, parts)
    if current is MISSING:
        return
    if type(current) is not list:
        raise WriteError("Cannot apply $pull to a non-array value", code=BAD_VALUE)
    current[:] = [element for element in current if not matches(element)]


_OPERATORS: dict[str, Callable[[dict[str, Any], paths.Path, Any], None]] = {
    "$set": set_path,
    "$setOnInsert": set_path,
    "$unset": _unset,
    "$inc": _inc,
    "$push": _push,
    "$addToSet": _add_to_set,
    "$pull": _pull,
}
