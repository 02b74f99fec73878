"""Checking a request body field by field, collecting every refusal (plumbing, no rules).

Each service states its own field rules as small functions that return the
normalised value or raise ``Refused(reason)``; a ``FieldCheck`` runs them and
raises one ``ValidationFailed`` naming every faulty field. Reasons name the
rule, never the submitted value: it may be personal data.
"""
import unicodedata

from common.errors import ValidationFailed

REQUIRED = "zorunlu alan / required"
UNKNOWN_FIELD = "bilinmeyen alan / unknown field"
SET_BY_SERVER = "sunucu tarafından belirlenir / set by the server"
NOT_AN_OBJECT = "nesne olmalı / must be an object"
NOT_A_STRING = "metin olmalı / must be a string"
NOT_A_BOOLEAN = "true veya false olmalı / must be true or false"
CONTROL_CHARACTER = "denetim karakteri içeremez / must not contain control characters"

# Controls, and lone surrogates (JSON "\ud800" makes them; UTF-8 cannot store them).
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs"})


class Refused(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def is_absent(value):
    """Missing, null and blank all mean "not given" (HTML forms send blank inputs)."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(value, *, allowed_controls=frozenset()):
    """The value as a trimmed NFC string, refusing non-strings and inner control characters."""
    if not isinstance(value, str):
        raise Refused(NOT_A_STRING)
    stripped = value.strip()
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES and char not in allowed_controls
           for char in stripped):
        raise Refused(CONTROL_CHARACTER)
    return unicodedata.normalize("NFC", stripped)


def bounded_text(lengths, reason, *, multiline=False):
    """A rule: text whose length is within ``lengths`` (a range)."""
    allowed = frozenset("\n\r\t") if multiline else frozenset()  # browsers send CRLF; stored as \n

    def rule(value):
        checked = text(value, allowed_controls=allowed)
        if multiline:
            checked = checked.replace("\r\n", "\n").replace("\r", "\n")
        if len(checked) not in lengths:
            raise Refused(reason)
        return checked

    return rule


def one_of(choices, reason):
    """A rule: a code from ``choices``, matched trimmed and lower-cased."""

    def rule(value):
        code = text(value).lower()
        if code not in choices:
            raise Refused(reason)
        return code

    return rule


def boolean(value):
    if not isinstance(value, bool):
        raise Refused(NOT_A_BOOLEAN)
    return value


class FieldCheck:
    """Runs one rule per field path and keeps every refusal instead of stopping at the first."""

    def __init__(self):
        self.reasons = {}

    def refuse_extra_fields(self, prefix, container, allowed, server_owned=frozenset()):
        for key in container:
            if key not in allowed:
                self.reasons[prefix + key] = SET_BY_SERVER if key in server_owned else UNKNOWN_FIELD

    def required(self, path, value, rule, *args):
        if is_absent(value):
            self.reasons[path] = REQUIRED
            return None
        return self.apply(path, rule, value, *args)

    def optional(self, path, value, rule, default=None):
        if is_absent(value):
            return default
        return self.apply(path, rule, value)

    def apply(self, path, rule, value, *args):
        try:
            return rule(value, *args)
        except Refused as refusal:
            self.reasons[path] = refusal.reason
            return None

    def refuse(self, path, reason):
        self.reasons[path] = reason

    def done(self):
        """Raises every refusal at once, if there was any."""
        if self.reasons:
            raise ValidationFailed(self.reasons)


def object_body(body, allowed, server_owned=frozenset()):
    """A ``FieldCheck`` for a JSON object body, with unknown fields already refused."""
    if not isinstance(body, dict):
        raise ValidationFailed({"body": NOT_AN_OBJECT})
    check = FieldCheck()
    check.refuse_extra_fields("", body, allowed, server_owned)
    return check
