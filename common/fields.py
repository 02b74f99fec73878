"""Checking a request body field by field, collecting every refusal (plumbing, no rules).

Each service states its own field rules as small functions that return the
normalised value or raise ``Refused(reason)``; a ``FieldCheck`` runs them and
raises one ``ValidationFailed`` naming every faulty field. Reasons name the
rule, never the submitted value: it may be personal data.

A rule carries the JSON Schema of what it accepts (``rule.json_schema``, attached by
``described``), and a body is declared once as a field table (name → ``Field``): ``read_fields``
walks the table to validate a body, ``body_schema`` turns the same table into the JSON Schema the
gateway publishes in its OpenAPI document, so the two cannot drift apart. The schema states the
canonical form (trimmed, lower-case codes); a rule marked ``beyond_schema`` checks more than a
schema can say (a checksum, the number plan, place names, another field's value).
"""
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from common.errors import ValidationFailed
from messages import bilingual

REQUIRED = bilingual("field.required")
UNKNOWN_FIELD = bilingual("field.unknown")
SET_BY_SERVER = bilingual("field.set_by_server")
NOT_AN_OBJECT = bilingual("field.not_an_object")
NOT_A_STRING = bilingual("field.not_a_string")
NOT_A_BOOLEAN = bilingual("field.not_a_boolean")
CONTROL_CHARACTER = bilingual("field.control_character")

UNREADABLE_TEXT = bilingual("field.unreadable_text")

# Dates from outside lie in these years: no real application is outside them, and arithmetic on
# them (a 90-day default period, a change of time zone) cannot overflow datetime's year 1–9999.
FIRST_YEAR, LAST_YEAR = 2000, 2099
YEAR_OUT_OF_RANGE = bilingual("field.year_out_of_range", first=FIRST_YEAR, last=LAST_YEAR)

# Controls (Unicode category Cc, fixed at these 65) and lone surrogates (Cs: JSON "\ud800" makes
# them; UTF-8 cannot store them). Compiled patterns, not a Python test per character: every text
# field of every request goes through them, twice (the gateway, then the owning service).
_CONTROL_OR_SURROGATE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NUL_OR_SURROGATE = re.compile("[\x00\ud800-\udfff]")
# Not XML 1.0's Char production (tab, newline, carriage return; no surrogate, U+FFFE, U+FFFF).
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# A field rule: ``rule(value, *earlier values) -> checked value``, or ``Refused``.
Rule = Callable[..., Any]
_AnyRule = TypeVar("_AnyRule", bound=Rule)


def is_unreadable(value: Any) -> bool:
    """Whether the string holds what no store, log or answer can carry: a lone surrogate (UTF-8
    cannot encode it; JSON's ``"\\ud800"`` makes one) or NUL (C strings, SQLite text and XML end
    or refuse there). Every other character is the field rules' to judge."""
    return _NUL_OR_SURROGATE.search(value) is not None


def unreadable_paths(document: Any) -> dict[str, str]:
    """``{path: UNREADABLE_TEXT}`` for every key and string of a parsed JSON ``document`` that
    ``is_unreadable``: ``applicant.first_name``, ``items[2]``, ``body`` for the document itself; a
    key is named by its escaped spelling (``echoable``). ``{}`` when all of it is readable.
    A loop, not recursion: any depth json.loads accepted is walked."""
    found: dict[str, str] = {}
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if is_unreadable(value):
                found[path or "body"] = UNREADABLE_TEXT
        elif isinstance(value, dict):
            for key, child in value.items():
                child_path = (path + "." if path else "") + echoable(key)
                if is_unreadable(key):
                    found[child_path] = UNREADABLE_TEXT
                pending.append((child_path, child))
        elif isinstance(value, list):
            pending.extend(("{}[{}]".format(path or "body", index), child) for index, child in enumerate(value))
    return found


def echoable(value: str) -> str:
    """``value`` safe to send back in any JSON or XML answer: lone surrogates, NUL and the other
    characters XML 1.0 cannot hold written as ``\\uXXXX`` (so a client still sees which one);
    a string that has none of them is returned as it is."""
    if _NOT_XML_CHAR.search(value) is None:
        return value
    return _NOT_XML_CHAR.sub(lambda match: "\\u{:04x}".format(ord(match.group())), value)


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_absent(value: Any) -> bool:
    """Missing, null and blank all mean "not given" (HTML forms send blank inputs)."""
    return value is None or (isinstance(value, str) and not value.strip())


def described(schema: dict[str, Any], *, beyond_schema: bool = False) -> Callable[[_AnyRule], _AnyRule]:
    """Attaches to a rule the JSON Schema of the values it accepts (``rule.json_schema``).

    ``beyond_schema``: the rule refuses some values the schema accepts (and says so in the
    schema's description), e.g. a checksum or a lookup in the places catalogue.
    """
    def attach(rule: _AnyRule) -> _AnyRule:
        # Attributes on the function itself: a rule stays a plain callable for its callers.
        rule.json_schema = dict(schema)  # type: ignore[attr-defined]
        rule.beyond_schema = beyond_schema  # type: ignore[attr-defined]
        return rule

    return attach


def schema_of(rule: Rule) -> dict[str, Any]:
    """The JSON Schema a rule declared; ``{}`` (anything) for a rule that declared none."""
    return dict(getattr(rule, "json_schema", {}))


@described({"type": "string"})
def text(value: Any, *, allowed_controls: Collection[str] = frozenset()) -> str:
    """The value as a trimmed NFC string, refusing non-strings and inner control characters."""
    if not isinstance(value, str):
        raise Refused(NOT_A_STRING)
    stripped = value.strip()
    if any(char not in allowed_controls for char in _CONTROL_OR_SURROGATE.findall(stripped)):
        raise Refused(CONTROL_CHARACTER)
    return unicodedata.normalize("NFC", stripped)


def bounded_text(lengths: range, reason: str, *, multiline: bool = False) -> Rule:
    """A rule: text whose length is within ``lengths`` (a range)."""
    allowed = frozenset("\n\r\t") if multiline else frozenset()  # browsers send CRLF; stored as \n

    def rule(value: Any) -> str:
        checked = text(value, allowed_controls=allowed)
        if multiline:
            checked = checked.replace("\r\n", "\n").replace("\r", "\n")
        if len(checked) not in lengths:
            raise Refused(reason)
        return checked

    controls = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f" if multiline else "\\x00-\\x1f\\x7f-\\x9f"
    return described({"type": "string", "minLength": lengths.start, "maxLength": lengths.stop - 1,
                      "pattern": "^[^" + controls + "]*$"})(rule)


def one_of(choices: Collection[str], reason: str) -> Rule:
    """A rule: a code from ``choices``, matched trimmed and lower-cased."""

    def rule(value: Any) -> str:
        code = text(value).lower()
        if code not in choices:
            raise Refused(reason)
        return code

    return described({"type": "string", "enum": list(choices) if not isinstance(choices, (set, frozenset))
                      else sorted(choices)})(rule)


@described({"type": "boolean"})
def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Refused(NOT_A_BOOLEAN)
    return value


class FieldCheck:
    """Runs one rule per field path and keeps every refusal instead of stopping at the first."""

    def __init__(self) -> None:
        self.reasons: dict[str, str] = {}

    def refuse_extra_fields(self, prefix: str, container: Iterable[str], allowed: Collection[str],
                            server_owned: Collection[str] = frozenset()) -> None:
        for key in container:
            if key not in allowed:
                self.reasons[prefix + key] = SET_BY_SERVER if key in server_owned else UNKNOWN_FIELD

    def required(self, path: str, value: Any, rule: Rule, *args: Any) -> Any:
        if is_absent(value):
            self.reasons[path] = REQUIRED
            return None
        return self.apply(path, rule, value, *args)

    def optional(self, path: str, value: Any, rule: Rule, default: Any = None, args: Any = ()) -> Any:
        if is_absent(value):
            return default
        return self.apply(path, rule, value, *args)

    def apply(self, path: str, rule: Rule, value: Any, *args: Any) -> Any:
        try:
            return rule(value, *args)
        except Refused as refusal:
            self.reasons[path] = refusal.reason
            return None

    def refuse(self, path: str, reason: str) -> None:
        self.reasons[path] = reason

    def done(self) -> None:
        """Raises every refusal at once, if there was any."""
        if self.reasons:
            raise ValidationFailed(self.reasons)


def object_body(body: Any, allowed: Collection[str], server_owned: Collection[str] = frozenset()) -> FieldCheck:
    """A ``FieldCheck`` for a JSON object body, with unknown fields already refused."""
    if not isinstance(body, dict):
        raise ValidationFailed({"body": NOT_AN_OBJECT})
    check = FieldCheck()
    check.refuse_extra_fields("", body, allowed, server_owned)
    return check


@dataclass(frozen=True)
class Field:
    """One field of a body's table: its rule, whether it must be given, and its default.

    ``after``: the rule also gets the checked value of that earlier field of the same table
    (None when that one was refused), e.g. a district needs its province.
    ``fields``: the field is itself an object, with this table (``rule`` is then unused).
    """
    rule: Rule = None  # type: ignore[assignment]  # None only where ``fields`` is given
    required: bool = False
    default: Any = None
    after: str | None = None
    fields: Mapping[str, "Field"] | None = None
    description: str | None = None


def nested(fields: Mapping[str, "Field"], *, required: bool = False, description: str | None = None) -> Field:
    """A field that is an object with its own field table (reasons under ``name.field``)."""
    return Field(required=required, fields=fields, description=description)


def read_fields(check: FieldCheck, table: Mapping[str, "Field"], body: Any, prefix: str = "") -> dict[str, Any]:
    """Every field of ``table`` read from the dict ``body`` into ``check``: name → checked value
    (None, or the default, for a refused or absent field). Unknown fields are not looked at."""
    values: dict[str, Any] = {}
    for name, field in table.items():
        path = prefix + name
        rule = field.rule
        args: tuple[Any, ...] = ()
        if field.fields is not None:
            rule, args = _object_rule, (check, field.fields, path + ".")
        elif field.after is not None:
            args = (values.get(field.after),)
        if field.required:
            values[name] = check.required(path, body.get(name), rule, *args)
        else:
            values[name] = check.optional(path, body.get(name), rule, field.default, args)
    return values


def _object_rule(value: Any, check: FieldCheck, table: Mapping[str, "Field"], prefix: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Refused(NOT_AN_OBJECT)
    check.refuse_extra_fields(prefix, value, table)
    return read_fields(check, table, value, prefix)


def check_body(body: Any, table: Mapping[str, "Field"], server_owned: Collection[str] = frozenset()) -> dict[str, Any]:
    """A whole body checked against its table: name → checked value, or ``ValidationFailed``."""
    check = object_body(body, set(table), server_owned)
    values = read_fields(check, table, body)
    check.done()
    return values


def field_schema(field: "Field") -> dict[str, Any]:
    schema = body_schema(field.fields) if field.fields is not None else schema_of(field.rule)
    if field.default is not None and isinstance(field.default, (str, int, bool)):
        schema["default"] = field.default
    if field.description:
        schema["description"] = field.description
    return schema


BLANK = {"type": "string", "pattern": "^\\s*$"}


def absent_allowed(schema: dict[str, Any], *, nullable: bool = True) -> dict[str, Any]:
    """The schema of an optional field as ``is_absent`` reads it: its value, or null (JSON bodies
    only), or a blank string, both meaning "not given"; its description and default stay on top."""
    inner = dict(schema)
    outer: dict[str, Any] = {key: inner.pop(key) for key in ("description", "default") if key in inner}
    return dict(outer, anyOf=[inner] + ([{"type": "null"}] if nullable else []) + [dict(BLANK)])


def parameter_schema(field: "Field") -> dict[str, Any]:
    """The schema of a query parameter read by ``field`` (a blank value is not given, unless required)."""
    schema = field_schema(field)
    return schema if field.required else absent_allowed(schema, nullable=False)


def body_schema(table: Mapping[str, "Field"], *, additional_properties: bool = False,
                min_properties: int | None = None, description: str | None = None,
                absent_when_blank: bool = True) -> dict[str, Any]:
    """The JSON Schema of an object body declared by ``table`` (unknown fields refused).

    ``absent_when_blank``: an optional field may be null or blank (``read_fields`` takes both as
    not given); False for PATCH bodies, where a field given is a change and null is refused."""
    properties: dict[str, Any] = {}
    for name, field in table.items():
        schema = field_schema(field)
        properties[name] = absent_allowed(schema) if absent_when_blank and not field.required else schema
    schema = {"type": "object", "properties": properties}
    required = [name for name, field in table.items() if field.required]
    if required:
        schema["required"] = required
    if not additional_properties:
        schema["additionalProperties"] = False
    if min_properties:
        schema["minProperties"] = min_properties
    if description:
        schema["description"] = description
    return schema
