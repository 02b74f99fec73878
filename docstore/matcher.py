"""A query filter compiled to a Python predicate with MongoDB's matching rules.

Every document the SQL side proposes passes through this predicate, so an
index only has to narrow the candidates, never to be exact. An operator
outside the supported set raises ``UnsupportedOperation`` while compiling,
before any document is read.
"""
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pymongo.errors import OperationFailure

from docstore import paths
from docstore.codec import is_mapping, normalise
from docstore.errors import UnsupportedOperation
from docstore.ordering import bracket, sort_key
from docstore.paths import MISSING

# ``compile_filter``'s result: does this document match?
Predicate = Callable[[Any], bool]
# ``compile_condition``'s result: do the values one path reaches satisfy the condition?
ValuesTest = Callable[[list[Any]], bool]

_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def compile_filter(query: Any) -> Predicate:
    """``query`` (a filter document) as ``predicate(document) -> bool``."""
    if query is None:
        return _always
    if not is_mapping(query):
        raise TypeError(f"filter must be a mapping, not {type(query).__name__}")
    clauses = [_compile_clause(key, condition) for key, condition in query.items()]
    clauses = [clause for clause in clauses if clause is not _always]
    if not clauses:
        return _always
    if len(clauses) == 1:
        return clauses[0]
    return lambda document: all(clause(document) for clause in clauses)


def _always(document: Any) -> bool:
    return True


def _compile_clause(key: str, condition: Any) -> Predicate:
    if key.startswith("$"):
        if key in ("$and", "$or", "$nor"):
            return _compile_logical(key, condition)
        if key == "$comment":
            return _always
        raise UnsupportedOperation(f"query operator {key}")
    parts = paths.split(key)
    test = compile_condition(condition)
    if len(parts) == 1:
        field = parts[0]
        return lambda document: test([document.get(field, MISSING)] if type(document) is dict
                                     else [MISSING])
    return lambda document: test(paths.reachable(document, parts))


def _compile_logical(operator: str, branches: Any) -> Predicate:
    if not isinstance(branches, list) or not branches:
        raise OperationFailure(f"{operator} must be a nonempty array", code=2)
    if not all(isinstance(branch, Mapping) for branch in branches):
        raise OperationFailure(f"{operator} argument's entries must be objects", code=2)
    predicates = [compile_filter(branch) for branch in branches]
    if operator == "$and":
        return lambda document: all(predicate(document) for predicate in predicates)
    if operator == "$or":
        return lambda document: any(predicate(document) for predicate in predicates)
    return lambda document: not any(predicate(document) for predicate in predicates)


def is_operator_document(condition: Any) -> bool:
    """``{"$gt": 1}`` is a condition; ``{"a": 1}`` is a sub-document to compare with."""
    if not is_mapping(condition) or not condition:
        return False
    return bool(next(iter(condition)).startswith("$"))


def compile_condition(condition: Any) -> ValuesTest:
    """The test for one field: ``test(values reached by its path) -> bool``."""
    if not is_operator_document(condition):
        return _equality_test(condition)
    tests: list[ValuesTest] = []
    options = condition.get("$options")
    for operator, argument in condition.items():
        if not operator.startswith("$"):
            raise OperationFailure(f"unknown operator: {operator}", code=2)
        if operator == "$options":
            if "$regex" not in condition:
                raise OperationFailure("$options needs a $regex", code=2)
            continue
        if operator == "$regex":
            tests.append(_regex_test(_regex(argument, options)))
            continue
        build = _OPERATORS.get(operator)
        if build is None:
            raise UnsupportedOperation(f"query operator {operator}")
        tests.append(build(argument))
    if len(tests) == 1:
        return tests[0]
    return lambda values: all(test(values) for test in tests)


def _leaves(values: list[Any]) -> Iterator[Any]:
    """The values a comparison sees: each value reached, and the elements of arrays among them."""
    for value in values:
        yield value
        if type(value) is list:
            yield from value


def _equality_test(expected: Any) -> ValuesTest:
    if isinstance(expected, re.Pattern):
        return _regex_test(expected)
    expected = normalise(expected)
    if expected is None:
        return lambda values: any(value is MISSING or value is None for value in _leaves(values))
    kind = type(expected)
    if kind is str or kind is int or kind is bool:
        def test(values: list[Any]) -> bool:
            for value in _leaves(values):
                if type(value) is kind and value == expected:
                    return True
                if kind is int and type(value) is float and value == expected:
                    return True
            return False
        return test
    expected_key = sort_key(expected)
    return lambda values: any(value is not MISSING and sort_key(value) == expected_key
                              for value in _leaves(values))


def _not_equal(expected: Any) -> ValuesTest:
    test = _equality_test(expected)
    return lambda values: not test(values)


def _in(candidates: Any) -> ValuesTest:
    if not isinstance(candidates, (list, tuple)):
        raise OperationFailure("$in needs an array", code=2)
    keys = _scalar_keys(candidates)
    if keys is not None:  # a set lookup per value, not a test per candidate: $in of a thousand numbers
        return lambda values: any(_scalar_key(value) in keys for value in _leaves(values))
    tests = [_equality_test(candidate) for candidate in candidates]
    return lambda values: any(test(values) for test in tests)


def _scalar_key(value: Any) -> tuple[str, Any] | None:
    """A hashable key under which two scalars are equal exactly when MongoDB's equality says so:
    text by text, booleans apart from numbers, 1 and 1.0 alike; None for anything else (NaN too)."""
    kind = type(value)
    if kind is str:
        return ("text", value)
    if kind is bool:
        return ("bool", value)
    if (kind is int or kind is float) and value == value:
        return ("number", value)
    return None


def _scalar_keys(candidates: list[Any] | tuple[Any, ...]) -> frozenset[tuple[str, Any]] | None:
    """The keys of ``candidates`` when every one is such a scalar (as stored: ``normalise``), else None."""
    keys = set()
    for candidate in candidates:
        key = _scalar_key(normalise(candidate)) if not isinstance(candidate, re.Pattern) else None
        if key is None:
            return None
        keys.add(key)
    return frozenset(keys)


def _not_in(candidates: Any) -> ValuesTest:
    if not isinstance(candidates, (list, tuple)):
        raise OperationFailure("$nin needs an array", code=2)
    test = _in(candidates)
    return lambda values: not test(values)


def _comparison(accept: Callable[[tuple[Any, ...], tuple[Any, ...]], bool]) -> Callable[[Any], ValuesTest]:
    def build(bound: Any) -> ValuesTest:
        bound = normalise(bound)
        bound_bracket = bracket(bound)
        bound_key = sort_key(bound)

        def test(values: list[Any]) -> bool:
            for value in _leaves(values):
                if value is MISSING:
                    value = None
                if bracket(value) == bound_bracket and accept(sort_key(value), bound_key):
                    return True
            return False
        return test
    return build


def _exists(flag: Any) -> ValuesTest:
    wanted = bool(flag)
    return lambda values: any(value is not MISSING for value in values) == wanted


def _not(condition: Any) -> ValuesTest:
    if isinstance(condition, re.Pattern):
        test = _regex_test(condition)
    elif is_operator_document(condition):
        test = compile_condition(condition)
    else:
        raise OperationFailure("$not needs a regex or a document", code=2)
    return lambda values: not test(values)


def _size(length: Any) -> ValuesTest:
    if type(length) is float and length.is_integer():
        length = int(length)
    if type(length) is not int:
        raise OperationFailure("$size needs a number", code=2)
    return lambda values: any(type(value) is list and len(value) == length for value in values)


def _all(required: Any) -> ValuesTest:
    if not isinstance(required, (list, tuple)):
        raise OperationFailure("$all needs an array", code=2)
    if any(is_operator_document(item) for item in required):
        raise UnsupportedOperation("$all with $elemMatch")
    tests = [_equality_test(item) for item in required]
    return lambda values: bool(tests) and all(test(values) for test in tests)


def _elem_match(condition: Any) -> ValuesTest:
    if not is_mapping(condition):
        raise OperationFailure("$elemMatch needs an Object", code=2)
    if is_operator_document(condition) and next(iter(condition)) not in ("$and", "$or", "$nor"):
        element_test = compile_condition(condition)
        matches: Predicate = lambda element: element_test([element])  # noqa: E731
    else:
        document_test = compile_filter(condition)
        matches = lambda element: type(element) is dict and document_test(element)  # noqa: E731
    return lambda values: any(type(value) is list and any(matches(item) for item in value)
                              for value in values)


def _regex(pattern: Any, options: str | None) -> re.Pattern[str]:
    if isinstance(pattern, re.Pattern):
        if options:
            raise UnsupportedOperation("$options together with a compiled pattern")
        return pattern
    if not isinstance(pattern, str):
        raise OperationFailure("$regex has to be a string", code=2)
    flags = 0
    for letter in options or "":
        if letter not in _REGEX_FLAGS:
            raise UnsupportedOperation(f"$regex option {letter!r}")
        flags |= _REGEX_FLAGS[letter]
    return re.compile(pattern, flags)


def _regex_test(pattern: re.Pattern[str]) -> ValuesTest:
    return lambda values: any(type(value) is str and pattern.search(value) is not None
                              for value in _leaves(values))


_OPERATORS: dict[str, Callable[[Any], ValuesTest]] = {
    "$eq": _equality_test,
    "$ne": _not_equal,
    "$in": _in,
    "$nin": _not_in,
    "$gt": _comparison(lambda value, bound: value > bound),
    "$gte": _comparison(lambda value, bound: value >= bound),
    "$lt": _comparison(lambda value, bound: value < bound),
    "$lte": _comparison(lambda value, bound: value <= bound),
    "$exists": _exists,
    "$not": _not,
    "$size": _size,
    "$all": _all,
    "$elemMatch": _elem_match,
}

