"""Which rows to read for a filter: the index that narrows it most, or every row.

The plan only has to return a superset of the matching documents (the
matcher decides), so it uses the conditions it understands — equality,
``$in`` and ranges on indexed paths, ``_id``, and ``$or`` whose every branch is
indexed — and ignores the rest.
"""
import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from docstore.codec import normalise
from docstore.indexes import NULL_KEY, IndexSpec, SqlKey, bracket_bounds, query_keys, sql_key
from docstore.matcher import is_operator_document
from docstore.ordering import SortSpec

# A plan in SQL: (condition or statement, its parameters).
SqlPlan = tuple[str, list[Any]]

_RANGE_SQL = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


@dataclass
class _Conditions:
    equal: dict[str, set[SqlKey]] = field(default_factory=dict)  # path -> sql keys (any of them)
    ranges: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)  # path -> [(operator, value), ...]
    # path -> the sql keys of each further equality on it ({"$and": [{"tags": "a"}, {"tags": "b"}]})
    more_equal: dict[str, list[set[SqlKey]]] = field(default_factory=dict)


def plan(query: Any, table: str, indexes: Iterable[IndexSpec]) -> SqlPlan | None:
    """``(SQL condition on the documents table ``table``, params)``, or None: read every row."""
    if not query:
        return None
    conditions = _Conditions()
    _collect(query, conditions)
    best = _plan_id(conditions)
    if best is None:
        best = _best_index(conditions, indexes)
    if best is None and isinstance(query.get("$or"), list):
        best = _plan_or(query["$or"], table, indexes)
    return best


def _collect(query: Any, conditions: _Conditions) -> None:
    for key, condition in query.items():
        if key == "$and" and isinstance(condition, list):
            for branch in condition:
                if isinstance(branch, dict):
                    _collect(branch, conditions)
        elif not key.startswith("$"):
            _collect_field(key, condition, conditions)


def _collect_field(path: str, condition: Any, conditions: _Conditions) -> None:
    if not is_operator_document(condition):
        _add_equal(conditions, path, _keys_for(condition))
        return
    for operator, argument in condition.items():
        if operator == "$eq":
            _add_equal(conditions, path, _keys_for(argument))
        elif operator == "$in" and isinstance(argument, (list, tuple)):
            keys: set[SqlKey] = set()
            for item in argument:
                item_keys = _keys_for(item)
                if item_keys is None:
                    break  # one value without a key: the index cannot narrow this $in
                keys |= item_keys
            else:
                _add_equal(conditions, path, keys)
        elif operator in _RANGE_SQL:
            conditions.ranges.setdefault(path, []).append((operator, argument))


def _keys_for(value: Any) -> set[SqlKey] | None:
    if isinstance(value, re.Pattern) or is_operator_document(value):
        return None
    try:
        return query_keys(normalise(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _add_equal(conditions: _Conditions, path: str, keys: set[SqlKey] | None) -> None:
    # Not intersected with an earlier condition on the same path: on an array
    # field each condition may be met by a different element. Each is its own
    # set of documents instead (more_equal), which _best_index intersects.
    if keys is None:
        return
    if path not in conditions.equal:
        conditions.equal[path] = keys
    else:
        conditions.more_equal.setdefault(path, []).append(keys)


def _plan_id(conditions: _Conditions) -> SqlPlan | None:
    keys = conditions.equal.get("_id")
    if keys is None:
        return None
    if not keys:
        return "0", []
    return f"id_key IN ({_marks(keys)})", list(keys)


def _best_index(conditions: _Conditions, indexes: Iterable[IndexSpec]) -> SqlPlan | None:
    best: SqlPlan | None = None
    best_score = 0
    for spec in indexes:
        clauses: list[str] = []
        params: list[Any] = []
        # Further equalities on a pinned field (every word of a search on a words array): each
        # the documents with such an index row under the same leading keys, intersected with the
        # plan, so only documents meeting all of them are read.
        also: list[str] = []
        also_params: list[Any] = []
        score = 0
        for column, (path, _) in enumerate(spec.fields):
            keys = conditions.equal.get(path)
            if keys is not None and not (spec.sparse and NULL_KEY in keys):
                if not keys:
                    return "0", []
                for more in conditions.more_equal.get(path, ()):
                    if not more:
                        return "0", []
                    if spec.sparse and NULL_KEY in more:
                        continue
                    also.append(f"rid IN (SELECT rid FROM {spec.table} WHERE "
                                f"{' AND '.join([*clauses, f'k{column} IN ({_marks(more)})'])})")
                    also_params.extend([*params, *more])
                clauses.append(f"k{column} IN ({_marks(keys)})")
                params.extend(keys)
                score += 10
                continue
            range_sql = _range_sql(f"k{column}", conditions.ranges.get(path, ()), spec.multikey)
            if range_sql is not None:
                clauses.append(range_sql[0])
                params.extend(range_sql[1])
                score += 5
            break
        if score and spec.unique and len(clauses) == len(spec.fields):
            score += 3
        if score > best_score:
            best_score = score
            main = f"rid IN (SELECT rid FROM {spec.table} WHERE {' AND '.join(clauses)})"
            best = " AND ".join([main, *also]), params + also_params
    return best


def _range_sql(column: str, ranges: Iterable[tuple[str, Any]], multikey: bool) -> SqlPlan | None:
    """SQL for the range conditions on one key column, staying inside the bound's type.

    On a multikey index two bounds may be met by different array elements
    (``[0, 10]`` matches ``{$gt: 1, $lt: 5}``), so only one bound narrows.
    """
    clauses: list[str] = []
    params: list[Any] = []
    for operator, bound in ranges:
        try:
            bound = normalise(bound)
            limits = bracket_bounds(bound)
        except (TypeError, ValueError, OverflowError):
            continue
        if limits is None:
            continue
        low, high = limits
        clauses.append(f"{column} {_RANGE_SQL[operator]} ?")
        params.append(sql_key(bound))
        outer = high if operator in ("$gt", "$gte") else low
        if outer is not None:
            clauses.append(f"{column} {'<' if operator in ('$gt', '$gte') else '>='} ?")
            params.append(outer)
        if multikey:
            break
    if not clauses:
        return None
    return " AND ".join(clauses), params


def _plan_or(branches: list[Any], table: str, indexes: Iterable[IndexSpec]) -> SqlPlan | None:
    subqueries: list[str] = []
    params: list[Any] = []
    for branch in branches:
        if not isinstance(branch, dict):
            return None
        branch_plan = plan(branch, table, indexes)
        if branch_plan is None:
            return None
        sql, branch_params = branch_plan
        subqueries.append(f"SELECT rid FROM {table} WHERE {sql}")
        params.extend(branch_params)
    return f"rid IN ({' UNION '.join(subqueries)})", params


# --- reading in an index's order, counting from an index alone ------------------------------------

# Index keys of these brackets do not order in SQLite as MongoDB sorts them: objects, arrays and
# binary are JSON blobs, NaN is a blob placed after text. Where one is in range, sort in memory.
_MISORDERED_RANGES = ((b"\x03", b"\x04"), (b"\x05", b"\x08"))


@dataclass(frozen=True)
class OrderedScan:
    """Read documents in the order of index ``spec``'s column ``column`` (the sort field),
    ``descending`` or not, among the index rows whose earlier columns hold ``pinned`` keys."""
    spec: IndexSpec
    column: int
    descending: bool
    pinned: tuple[tuple[int, tuple[SqlKey, ...]], ...]  # (column, keys) for each column before the sort column

    def _where(self, alias: str) -> SqlPlan:
        clauses = [f"{alias}k{column} IN ({_marks(keys)})" for column, keys in self.pinned]
        return " AND ".join(clauses) or "1", [key for _, keys in self.pinned for key in keys]

    @property
    def ranges(self) -> int:
        """How many separate index ranges the pinned keys make ($in of 4: 4 ranges to merge)."""
        return math.prod(len(keys) for _, keys in self.pinned)

    def count_sql(self, cap: int) -> SqlPlan:
        """Index rows in range, counted up to ``cap`` (telling a unit's few from a province's many
        needs no more)."""
        where, params = self._where("")
        return f"SELECT COUNT(*) FROM (SELECT 1 FROM {self.spec.table} WHERE {where} LIMIT {int(cap)})", params

    def misordered_sql(self) -> list[SqlPlan]:
        """Queries (each an index range) that find a key this order would misplace."""
        where, params = self._where("")
        key = f"k{self.column}"
        return [(f"SELECT 1 FROM {self.spec.table} WHERE {where} AND {key} >= ? AND {key} < ? LIMIT 1",
                 params + [low, high]) for low, high in _MISORDERED_RANGES]

    def segments_sql(self, table: str) -> list[SqlPlan]:
        """Queries giving the candidates' (rid, doc) in MongoDB's order, one after the other.
        Null and missing sort first in MongoDB, but their key is a blob, which SQLite puts after
        numbers and text: so three index ranges (null; numbers and text; other blobs), each read
        in index order (SQLite streams it and stops with the caller), ties in stored order as
        sort_documents leaves them."""
        where, params = self._where("i.")
        key, way = f"i.k{self.column}", "DESC" if self.descending else "ASC"
        return [(f"SELECT d.rid, d.doc FROM {self.spec.table} i JOIN {table} d ON d.rid = i.rid "
                 f"WHERE {where} AND {condition} ORDER BY {key} {way}, d.rid ASC", params + [NULL_KEY])
                for condition in self._segment_ranges(key)]

    def segment_counts_sql(self) -> list[SqlPlan]:
        """How many index rows each of ``segments_sql``'s segments holds, in the same order."""
        where, params = self._where("")
        return [(f"SELECT COUNT(*) FROM {self.spec.table} WHERE {where} AND {condition}", params + [NULL_KEY])
                for condition in self._segment_ranges(f"k{self.column}")]

    def _segment_ranges(self, key: str) -> list[str]:
        ranges = [f"{key} = ?", f"{key} < ?", f"{key} > ?"]
        return ranges[::-1] if self.descending else ranges

    def covers(self, query: Any) -> bool:
        """Whether every document in this scan's range matches ``query``: the query is nothing but
        equality (or ``$in``) of scalars on the pinned fields, which the index rows hold exactly
        (one row per document: the scan's index is neither multikey nor sparse). Such a scan may
        skip documents without reading them."""
        pinned = {self.spec.fields[column][0] for column, _ in self.pinned}
        return (isinstance(query, dict) and set(query) == pinned
                and all(_scalar_equality(condition) for condition in query.values()))


def ordered_scans(query: Any, sort: SortSpec, indexes: Iterable[IndexSpec]) -> list["OrderedScan"]:
    """The OrderedScans for a one-field ``sort`` (``ordering.parse_sort``): indexes with the sort
    field right after fields the query pins by equality, those pinning the most columns in the
    fewest ranges; none: sort in memory. Only indexes with exactly one key per document: not
    multikey (an array sorts by its min or max element), not sparse (documents without the field
    must be read too)."""
    if len(sort) != 1:
        return []
    [(parts, direction)] = sort
    sort_path = ".".join(parts)
    conditions = _Conditions()
    _collect(query or {}, conditions)
    scans: list[OrderedScan] = []
    for spec in indexes:
        if spec.multikey or spec.sparse:
            continue
        pinned: list[tuple[int, tuple[SqlKey, ...]]] = []
        for column, (path, _) in enumerate(spec.fields):
            if path == sort_path:
                scans.append(OrderedScan(spec, column, direction == -1, tuple(pinned)))
                break
            keys = conditions.equal.get(path)
            if not keys:
                break
            pinned.append((column, tuple(keys)))
    best = min(((-len(scan.pinned), scan.ranges) for scan in scans), default=None)
    return [scan for scan in scans if (-len(scan.pinned), scan.ranges) == best]


def covered_count(query: Any, indexes: Iterable[IndexSpec]) -> SqlPlan | None:
    """``(SQL, params)`` counting the documents that match ``query`` from index rows alone (see
    ``_covered``); else None (the documents are read and matched)."""
    covered = _covered(query, indexes)
    if covered is None:
        return None
    spec, where, params, _ = covered
    return f"SELECT COUNT(*) FROM {spec.table} WHERE {where}", params


def covered_group(query: Any, group_path: str, indexes: Iterable[IndexSpec]) -> SqlPlan | None:
    """``(SQL, params)`` giving ``(key, count)`` per value of ``group_path`` among the documents
    matching ``query``, from index rows alone: the index's next column after the ones ``query``
    pins must be ``group_path``. The key is the SQL index key (``indexes.sql_key``); a caller
    turns it back into a value or falls back. None where no index serves."""
    covered = _covered(query, indexes, group_path)
    if covered is None:
        return None
    spec, where, params, column = covered
    return f"SELECT k{column}, COUNT(*) FROM {spec.table} WHERE {where} GROUP BY k{column}", params


def _covered(query: Any, indexes: Iterable[IndexSpec], then_path: Any = None) -> tuple[IndexSpec, str, list[Any],
             int] | None:
    """``(index, SQL condition on its rows, params, next column)`` when ``query`` says exactly what
    index rows say: equality or ``$in`` of scalars (null included: missing or null, one key) on
    leading columns of an index with exactly one key per document, and at most one range on the
    column after them (not with ``then_path``, which must be the column after them)."""
    query = query or {}
    ranged = [path for path, condition in query.items() if _exact_range(condition)]
    if len(ranged) > 1 or (ranged and then_path) or not all(
            _scalar_equality(condition) for path, condition in query.items() if path not in ranged):
        return None
    conditions = _Conditions()
    _collect(query, conditions)
    pinned = set(query) - set(ranged)
    if set(conditions.equal) != pinned or set(conditions.ranges) != set(ranged):
        return None
    wanted_next = ranged[0] if ranged else then_path
    for spec in indexes:
        fields = [path for path, _ in spec.fields]
        if spec.multikey or spec.sparse or set(fields[:len(pinned)]) != pinned:
            continue
        if wanted_next is not None and fields[len(pinned):len(pinned) + 1] != [wanted_next]:
            continue
        clauses: list[str] = ["1"]
        params: list[Any] = []
        for column, path in enumerate(fields[:len(pinned)]):
            keys = conditions.equal[path]
            clauses.append(f"k{column} IN ({_marks(keys)})" if keys else "0")
            params.extend(keys)
        if ranged:
            range_plan = _range_sql(f"k{len(pinned)}", conditions.ranges[ranged[0]], False)
            assert range_plan is not None  # _exact_range admits only bounds an index range expresses
            range_sql, range_params = range_plan
            clauses.append(range_sql)
            params.extend(range_params)
        return spec, " AND ".join(clauses), params, len(pinned)
    return None


def _scalar(value: Any) -> bool:
    return value is None or (isinstance(value, (str, int, float)) and value == value)


def _scalar_equality(condition: Any) -> bool:
    if not is_operator_document(condition):
        return _scalar(condition)
    if set(condition) == {"$eq"}:
        return _scalar(condition["$eq"])
    if set(condition) == {"$in"}:
        return isinstance(condition["$in"], (list, tuple)) and all(_scalar(item) for item in condition["$in"])
    return False


def _exact_range(condition: Any) -> bool:
    """Range operators only, with bounds the index compares exactly (dates, text, numbers)."""
    return (is_operator_document(condition) and condition and set(condition) <= set(_RANGE_SQL)
            and all(isinstance(bound, (datetime, str, int, float)) and not isinstance(bound, bool)
                    and bound == bound for bound in condition.values()))


def _marks(values: Collection[Any]) -> str:
    return ",".join("?" * len(values))

