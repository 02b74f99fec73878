"""The field rules of staff requests to routing (route, contact, return, answer, units, users).

Each body is one field table (``*_FIELDS``): the request functions validate with it and the
gateway's OpenAPI document publishes it (``common.fields.body_schema``).
"""
import re

from common.fields import (
    Field, FieldCheck, Refused, body_schema, bounded_text, boolean, check_body, described, object_body, one_of, text,
)
from common.places import places
from contracts.routing.unit_types import UNIT_TYPE_CODES

ROLES = ("desk", "router", "unit", "admin")
OUTCOMES = ("positive", "negative", "informational")
CONTACT_CHANNELS = ("phone", "in_person", "sms")
QUEUE_STATUSES = ("unrouted", "routed", "returned", "answered")
QUEUE_SORTS = ("newest", "due")
MAX_PAGE_SIZE = 100

NOTE = bounded_text(range(1, 1001), "en çok 1000 karakter / at most 1000 characters", multiline=True)
REASON = bounded_text(range(5, 1001), "5–1000 karakter olmalı / must be 5–1000 characters", multiline=True)
ANSWER_TEXT = bounded_text(range(10, 5001), "10–5000 karakter olmalı / must be 10–5000 characters",
                           multiline=True)
UNIT_NAME = bounded_text(range(3, 151), "3–150 karakter olmalı / must be 3–150 characters")
UNIT_ID = bounded_text(range(1, 101), "geçersiz birim / invalid unit")
OUTCOME = one_of(OUTCOMES, "positive, negative veya informational olmalı / "
                           "must be positive, negative or informational")
CONTACT_CHANNEL = one_of(CONTACT_CHANNELS, "phone, in_person veya sms olmalı / must be phone, in_person or sms")
UNIT_TYPE = one_of(UNIT_TYPE_CODES, "bilinmeyen birim türü / unknown unit type")
ROLE = one_of(ROLES, "desk, router, unit veya admin olmalı / must be desk, router, unit or admin")

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
PASSWORD_LENGTH = range(12, 257)


@described({"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{2,63}$"})
def username(value):
    name = text(value).lower()
    if not _USERNAME.match(name):
        raise Refused("3–64 karakter: küçük harf, rakam, . _ - / 3–64 characters: lower-case letters, digits, . _ -")
    return name


@described({"type": "string", "minLength": PASSWORD_LENGTH.start, "maxLength": PASSWORD_LENGTH.stop - 1})
def password(value):
    if not isinstance(value, str) or len(value) not in PASSWORD_LENGTH:
        raise Refused("12–256 karakter olmalı / must be 12–256 characters")
    return value


@described({"type": "string", "examples": ["06", "ankara"],
            "description": "a province by plate code or by name in any spelling"}, beyond_schema=True)
def province_code(value):
    province = places().find_province(text(value))
    if province is None:
        raise Refused("bilinmeyen il / unknown province")
    return province.code


def units_query(province):
    """The province a units listing asks for: None (the officer's own) or a known province's code."""
    check = FieldCheck()
    code = check.optional("province", province, province_code)
    check.done()
    return code


ROUTE_FIELDS = {"unit_id": Field(UNIT_ID, required=True), "note": Field(NOTE)}
CONTACT_FIELDS = {"channel": Field(CONTACT_CHANNEL, required=True), "note": Field(NOTE, required=True)}
RETURN_FIELDS = {"reason": Field(REASON, required=True)}
ANSWER_FIELDS = {"text": Field(ANSWER_TEXT, required=True), "outcome": Field(OUTCOME, required=True)}


def route_request(body):
    fields = check_body(body, ROUTE_FIELDS)
    return fields["unit_id"], fields["note"]


def contact_request(body):
    fields = check_body(body, CONTACT_FIELDS)
    return fields["channel"], fields["note"]


def return_request(body):
    return check_body(body, RETURN_FIELDS)["reason"]


def answer_request(body):
    fields = check_body(body, ANSWER_FIELDS)
    return fields["text"], fields["outcome"]


def queue_query(query):
    """Filters, sort and page of the staff queue (query-string values arrive as strings)."""
    return check_body(query, QUEUE_QUERY_FIELDS)


def new_unit_fields(province_code):
    """The table of a new unit in ``province_code`` (its district must be one of that province)."""
    return {
        "name": Field(UNIT_NAME, required=True),
        "name_en": Field(UNIT_NAME),
        "type": Field(UNIT_TYPE, required=True),
        "district": Field(_district_of(province_code)),
    }


def new_unit_request(body, province_code):
    return check_body(body, new_unit_fields(province_code))


def _district_of(province_code):
    @described({"type": "string", "description": "a district of the admin's province, by name in any spelling"},
               beyond_schema=True)
    def rule(value):
        province = places().find_province(province_code)
        district = places().find_district(province, text(value))
        if district is None:
            raise Refused("bu ilde böyle bir ilçe yok / no such district in this province")
        return district

    return rule


UNIT_CHANGES_FIELDS = {"name": Field(UNIT_NAME), "name_en": Field(UNIT_NAME), "active": Field(boolean)}


def unit_changes_request(body):
    return _changes_request(body, UNIT_CHANGES_FIELDS)


NEW_STAFF_FIELDS = {
    "username": Field(username, required=True),
    "password": Field(password, required=True),
    "role": Field(ROLE, required=True),
    "province": Field(province_code, required=True),
    "unit_id": Field(UNIT_ID),
}


def new_staff_request(body):
    fields = check_body(body, NEW_STAFF_FIELDS)
    fields["province_code"] = fields.pop("province")
    return {name: fields[name] for name in ("username", "password", "role", "province_code", "unit_id")}


STAFF_CHANGES_FIELDS = {"password": Field(password), "role": Field(ROLE), "unit_id": Field(UNIT_ID),
                        "active": Field(boolean)}


def staff_changes_request(body):
    return _changes_request(body, STAFF_CHANGES_FIELDS)


CLIENT_NAME = bounded_text(range(3, 101), "3–100 karakter olmalı / must be 3–100 characters")
NEW_OPEN311_CLIENT_FIELDS = {"name": Field(CLIENT_NAME, required=True,
                                           description="the app's name, recorded on every application it sends")}
OPEN311_CLIENT_CHANGES_FIELDS = {"active": Field(boolean, description="false: the key is refused from now on")}


def new_open311_client_request(body):
    return check_body(body, NEW_OPEN311_CLIENT_FIELDS)["name"]


def open311_client_changes_request(body):
    return _changes_request(body, OPEN311_CLIENT_CHANGES_FIELDS)


def changes_schema(table):
    """A PATCH body's schema: any of the table's fields, at least one (null is not "unset")."""
    return body_schema(table, min_properties=1, absent_when_blank=False)


def _changes_request(body, table):
    """A PATCH body: only the fields given are changed, each by its rule."""
    check = object_body(body, set(table))
    changes = {name: check.required(name, body[name], field.rule) for name, field in table.items() if name in body}
    if not body:
        check.refuse("body", "en az bir alan / at least one field")
    check.done()
    return changes


@described({"type": "string", "enum": ["true", "false"]})
def _flag(value):
    flag = text(value).lower()
    if flag not in ("true", "false"):
        raise Refused("true veya false olmalı / must be true or false")
    return flag == "true"


def _positive_int(maximum):
    def rule(value):
        digits = text(str(value))
        if not re.fullmatch(r"[0-9]{1,9}", digits) or not 1 <= int(digits) <= maximum:
            raise Refused("1–{} arası tam sayı / a whole number from 1 to {}".format(maximum, maximum))
        return int(digits)

    return described({"type": "integer", "minimum": 1, "maximum": maximum})(rule)


QUEUE_QUERY_FIELDS = {
    "status": Field(one_of(QUEUE_STATUSES, "geçersiz durum / invalid status")),
    "unit_id": Field(UNIT_ID),
    "overdue": Field(_flag),
    "page": Field(_positive_int(10 ** 6), default=1),
    "page_size": Field(_positive_int(MAX_PAGE_SIZE), default=20),
    "sort": Field(one_of(QUEUE_SORTS, "newest veya due / newest or due"), default="newest"),
}
NEW_UNIT_FIELDS = new_unit_fields(None)  # for the published schema: the district depends on the admin
