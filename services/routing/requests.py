"""The field rules of staff requests to routing (route, contact, return, answer, units, users)."""
import re

from common.fields import FieldCheck, Refused, bounded_text, boolean, object_body, one_of, text
from common.places import places
from services.routing.unit_catalog import UNIT_TYPE_CODES

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


def username(value):
    name = text(value).lower()
    if not _USERNAME.match(name):
        raise Refused("3–64 karakter: küçük harf, rakam, . _ - / 3–64 characters: lower-case letters, digits, . _ -")
    return name


def password(value):
    if not isinstance(value, str) or len(value) not in PASSWORD_LENGTH:
        raise Refused("12–256 karakter olmalı / must be 12–256 characters")
    return value


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


def route_request(body):
    check = object_body(body, {"unit_id", "note"})
    unit_id = check.required("unit_id", body.get("unit_id"), UNIT_ID)
    note = check.optional("note", body.get("note"), NOTE)
    check.done()
    return unit_id, note


def contact_request(body):
    check = object_body(body, {"channel", "note"})
    channel = check.required("channel", body.get("channel"), CONTACT_CHANNEL)
    note = check.required("note", body.get("note"), NOTE)
    check.done()
    return channel, note


def return_request(body):
    check = object_body(body, {"reason"})
    reason = check.required("reason", body.get("reason"), REASON)
    check.done()
    return reason


def answer_request(body):
    check = object_body(body, {"text", "outcome"})
    answer_text = check.required("text", body.get("text"), ANSWER_TEXT)
    outcome = check.required("outcome", body.get("outcome"), OUTCOME)
    check.done()
    return answer_text, outcome


def queue_query(query):
    """Filters, sort and page of the staff queue (query-string values arrive as strings)."""
    check = object_body(query, {"status", "unit_id", "overdue", "page", "page_size", "sort"})
    status = check.optional("status", query.get("status"),
                            one_of(QUEUE_STATUSES, "geçersiz durum / invalid status"))
    unit_id = check.optional("unit_id", query.get("unit_id"), UNIT_ID)
    overdue = check.optional("overdue", query.get("overdue"), _flag)
    page = check.optional("page", query.get("page"), _positive_int(10 ** 6), 1)
    page_size = check.optional("page_size", query.get("page_size"), _positive_int(MAX_PAGE_SIZE), 20)
    sort = check.optional("sort", query.get("sort"), one_of(QUEUE_SORTS, "newest veya due / newest or due"),
                          "newest")
    check.done()
    return {"status": status, "unit_id": unit_id, "overdue": overdue, "page": page,
            "page_size": page_size, "sort": sort}


def new_unit_request(body, province_code):
    check = object_body(body, {"name", "name_en", "type", "district"})
    fields = {
        "name": check.required("name", body.get("name"), UNIT_NAME),
        "name_en": check.optional("name_en", body.get("name_en"), UNIT_NAME),
        "type": check.required("type", body.get("type"), UNIT_TYPE),
        "district": check.optional("district", body.get("district"), _district_of(province_code)),
    }
    check.done()
    return fields


def _district_of(province_code):
    def rule(value):
        province = places().find_province(province_code)
        district = places().find_district(province, text(value))
        if district is None:
            raise Refused("bu ilde böyle bir ilçe yok / no such district in this province")
        return district

    return rule


def unit_changes_request(body):
    return _changes_request(body, {"name": UNIT_NAME, "name_en": UNIT_NAME, "active": boolean})


def new_staff_request(body):
    check = object_body(body, {"username", "password", "role", "province", "unit_id"})
    fields = {
        "username": check.required("username", body.get("username"), username),
        "password": check.required("password", body.get("password"), password),
        "role": check.required("role", body.get("role"), ROLE),
        "province_code": check.required("province", body.get("province"), province_code),
        "unit_id": check.optional("unit_id", body.get("unit_id"), UNIT_ID),
    }
    check.done()
    return fields


def staff_changes_request(body):
    return _changes_request(body, {"password": password, "role": ROLE, "unit_id": UNIT_ID, "active": boolean})


def _changes_request(body, rules):
    """A PATCH body: only the fields given are changed, each by its rule."""
    check = object_body(body, set(rules))
    changes = {field: check.required(field, body[field], rule) for field, rule in rules.items() if field in body}
    if not body:
        check.refuse("body", "en az bir alan / at least one field")
    check.done()
    return changes


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

    return rule
