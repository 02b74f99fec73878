"""Which rows to read for a filter: the index that narrows it most, or every row.

The plan only has to return a superset of the matching documents (the
matcher decides), so it uses the conditions it understands — equality,
``$in`` and ranges on indexed paths, ``_id``, and ``$or`` whose every branch is
indexed — and ignores the rest.
"""
import re
from dataclasses import dataclass, field

from common.embedded.codec import normalise
from common.embedded.indexes import NULL_KEY, bracket_bounds, query_keys, sql_key
from common.embedded.matcher import is_operator_document

_RANGE_SQL = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


@dataclass
class _Conditions:
    equal: dict = field(default_factory=dict)  # path -> set of sql keys (any of them)
    ranges: dict = field(default_factory=dict)  # path -> [(operator, value), ...]


def plan(query, table, indexes):
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


def _collect(query, conditions):
    for key, condition in query.items():
        if key == "$and" and isinstance(condition, list):
            for branch in condition:
                if isinstance(branch, dict):
                    _collect(branch, conditions)
        elif not key.startswith("$"):
            _collect_field(key, condition, conditions)


def _collect_field(path, condition, conditions):
    if not is_operator_document(condition):
        _add_equal(conditions, path, _keys_for(condition))
        return
    for operator, argument in condition.items():
        if operator == "$eq":
            _add_equal(conditions, path, _keys_for(argument))
        elif operator == "$in" and isinstance(argument, (list, tuple)):
            keys = set()
            for item in argument:
                item_keys = _keys_for(item)
                if item_keys is None:
                    keys = None
                    break
                keys |= item_keys
            _add_equal(conditions, path, keys)
        elif operator in _RANGE_SQL:
            conditions.ranges.setdefault(path, []).append((operator, argument))


def _keys_for(value):
    if isinstance(value, re.Pattern) or is_operator_document(value):
        return None
    try:
        return query_keys(normalise(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _add_equal(conditions, path, keys):
    # Not intersected with an earlier condition on the same path: on an array
    # field each condition may be met by a different element.
    if keys is not None and path not in conditions.equal:
        conditions.equal[path] = keys


def _plan_id(conditions):
    keys = conditions.equal.get("_id")
    if keys is None:
        return None
    if not keys:
        return "0", []
    return f"id_key IN ({_marks(keys)})", list(keys)


def _best_index(conditions, indexes):
    best, best_score = None, 0
    for spec in indexes:
        clauses, params, score = [], [], 0
        for column, (path, _) in enumerate(spec.fields):
            keys = conditions.equal.get(path)
            if keys is not None and not (spec.sparse and NULL_KEY in keys):
                if not keys:
                    return "0", []
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
            best = f"rid IN (SELECT rid FROM {spec.table} WHERE {' AND '.join(clauses)})", params
    return best


def _range_sql(column, ranges, multikey):
    """SQL for the range conditions on one key column, staying inside the bound's type.

    On a multikey index two bounds may be met by different array elements
    (``[0, 10]`` matches ``{$gt: 1, $lt: 5}``), so only one bound narrows.
    """
    clauses, params = [], []
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


def _plan_or(branches, table, indexes):
    subqueries, params = [], []
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


def _marks(values):
    return ",".join("?" * len(values))

