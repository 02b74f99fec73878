"""``aggregate``: the one pipeline shape the stores use, ``[$match?, $group]``, grouping by one
field (or into one group) with ``$sum`` accumulators — what a service needs to count its
documents per value (open applications per unit) without reading them all into the process.

MongoDB semantics kept: a missing field groups with null; numbers group by value (1 with 1.0);
``$sum`` of a field adds its numbers and ignores anything else. Anything else is refused as
unsupported, never approximated.
"""
from collections.abc import Iterable
from typing import Any

from docstore import paths
from docstore.errors import UnsupportedOperation
from docstore.indexes import NULL_KEY
from docstore.ordering import sort_key


class Grouping:
    """A parsed ``[$match?, $group]`` pipeline."""

    def __init__(self, pipeline: Iterable[Any]) -> None:
        stages = list(pipeline)
        if not stages or not all(isinstance(stage, dict) and len(stage) == 1 for stage in stages):
            raise UnsupportedOperation("aggregate: a list of one-operator stages")
        self.match: dict[str, Any] = {}
        if "$match" in stages[0]:
            self.match = stages.pop(0)["$match"]
        if len(stages) != 1 or "$group" not in stages[0]:
            raise UnsupportedOperation("aggregate: only [$match, $group]")
        group = dict(stages[0]["$group"])
        if "_id" not in group:
            raise UnsupportedOperation("aggregate: $group needs _id")
        self.key_path = _field_path(group.pop("_id"))
        self.sums = {name: _sum_argument(name, accumulator) for name, accumulator in group.items()}

    @property
    def counts_only(self) -> bool:
        """Every accumulator is ``{$sum: <number>}``: a count of rows answers it."""
        return self.key_path is not None and all(not isinstance(value, str) for value in self.sums.values())

    def from_documents(self, documents: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        groups: dict[tuple[Any, ...], dict[str, Any]] = {}
        for document in documents:
            value = self._key_of(document)
            entry = groups.setdefault(sort_key(value), {"_id": value, **{name: 0 for name in self.sums}})
            for name, argument in self.sums.items():
                entry[name] += _summand(document, argument)
        return list(groups.values())

    def from_key_counts(self, rows: Iterable[tuple[Any, int]]) -> list[dict[str, Any]] | None:
        """Groups from ``(index key, count)`` rows (planner.covered_group); None if a key is not a
        plain value (the documents must be read instead)."""
        result: list[dict[str, Any]] = []
        for key, count in rows:
            if key == NULL_KEY:
                value = None
            elif type(key) in (str, int, float):
                value = key
            else:
                return None
            result.append({"_id": value, **{name: constant * count for name, constant in self.sums.items()}})
        return result

    def _key_of(self, document: dict[str, Any]) -> Any:
        if self.key_path is None:
            return None
        found = list(paths.reachable(document, self.key_path))
        if len(found) != 1:
            raise UnsupportedOperation("aggregate: grouping by a path through an array")
        return None if found[0] is paths.MISSING else found[0]


def _field_path(key: Any) -> paths.Path | None:
    if key is None:
        return None
    if isinstance(key, str) and key.startswith("$") and not key.startswith("$$"):
        return paths.split(key[1:])
    raise UnsupportedOperation("aggregate: $group _id must be null or one '$field'")


def _sum_argument(name: str, accumulator: Any) -> str | int | float:
    if not (isinstance(accumulator, dict) and set(accumulator) == {"$sum"}):
        raise UnsupportedOperation(f"aggregate: accumulator {name!r} (only $sum)")
    argument = accumulator["$sum"]
    if isinstance(argument, str) and argument.startswith("$"):
        return argument
    if isinstance(argument, (int, float)) and not isinstance(argument, bool):
        return argument
    raise UnsupportedOperation(f"aggregate: $sum of {argument!r}")


def _summand(document: dict[str, Any], argument: str | int | float) -> int | float:
    if not isinstance(argument, str):
        return argument
    found = list(paths.reachable(document, paths.split(argument[1:])))
    if len(found) != 1:
        raise UnsupportedOperation("aggregate: $sum of a path through an array")
    value = found[0]
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
