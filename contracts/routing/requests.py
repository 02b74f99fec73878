"""The field rules of staff requests to routing (route, contact, return, answer, units, users).

Each body is one field table (``*_FIELDS``): the request functions validate with it and the
gateway's OpenAPI document publishes it (``common.fields.body_schema``).
"""
import re
from collections.abc import Mapping
from typing import Any

from common.errors import ValidationFailed
from common.fields import (
    Field,
    FieldCheck,
    Refused,
    Rule,
    body_schema,
    boolean,
    bounded_text,
    check_body,
    described,
    object_body,
    one_of,
    text,
)
from common.places import places
from contracts.routing.unit_types import UNIT_TYPE_CODES
from messages import bilingual

ROLES = ("desk", "router", "unit", "admin")
OUTCOMES = ("positive", "negative", "informational")
CONTACT_CHANNELS = ("phone", "in_person", "sms")
# ``open``: the statuses not answered yet that the caller may see (domain.asked_statuses).
QUEUE_STATUSES = ("unrouted", "routed", "returned", "answered", "open")
# ``newest`` is what ``received`` was called before it; kept so that older links still work.
QUEUE_SORTS = ("due", "received", "status", "newest")
SORT_ALIASES = {"newest": "received"}
MAX_PAGE_SIZE = 100

NOTE = bounded_text(range(1, 1001), bilingual("field.at_most_characters", longest=1000), multiline=True)
REASON = bounded_text(range(5, 1001), bilingual("field.length", shortest=5, longest=1000), multiline=True)
ANSWER_TEXT = bounded_text(range(10, 5001), bilingual("field.length", shortest=10, longest=5000), multiline=True)
UNIT_NAME = bounded_text(range(3, 151), bilingual("field.length", shortest=3, longest=150))
UNIT_ID = bounded_text(range(1, 101), bilingual("field.unit_invalid"))
DISPLAY_NAME = bounded_text(range(2, 101), bilingual("field.length", shortest=2, longest=100))
OUTCOME = one_of(OUTCOMES, bilingual("routing.outcome"))
CONTACT_CHANNEL = one_of(CONTACT_CHANNELS, bilingual("routing.contact_channel"))
UNIT_TYPE = one_of(UNIT_TYPE_CODES, bilingual("routing.unit_type_unknown"))
ROLE = one_of(ROLES, bilingual("routing.role"))

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
PASSWORD_LENGTH = range(12, 257)


@described({"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{2,63}$"})
def username(value: Any) -> str:
    name = text(value).lower()
    if not _USERNAME.match(name):
        raise Refused(bilingual("routing.username"))
    return name


@described({"type": "string", "minLength": PASSWORD_LENGTH.start, "maxLength": PASSWORD_LENGTH.stop - 1})
def password(value: Any) -> str:
    if not isinstance(value, str) or len(value) not in PASSWORD_LENGTH:
        raise Refused(bilingual("field.length", shortest=PASSWORD_LENGTH.start, longest=PASSWORD_LENGTH.stop - 1))
    return value


@described({"type": "string", "examples": ["06", "ankara"],
            "description": "a province by plate code or by name in any spelling"}, beyond_schema=True)
def province_code(value: Any) -> str:
    province = places().find_province(text(value))
    if province is None:
        raise Refused(bilingual("field.province_unknown"))
    return province.code


def units_query(province: Any) -> str | None:
    """The province a units listing asks for: None (the officer's own) or a known province's code."""
    check = FieldCheck()
    code: str | None = check.optional("province", province, province_code)
    check.done()
    return code


MAX_UNIT_IDS = 100


def unit_ids(value: Any) -> list[str]:
    """The units a names lookup asks for: a list of at most ``MAX_UNIT_IDS`` unit ids."""
    check = FieldCheck()
    if not isinstance(value, list) or len(value) > MAX_UNIT_IDS:
        check.refuse("unit_ids", bilingual("field.unit_invalid"))
        check.done()
    found = [check.apply("unit_ids[{}]".format(index), UNIT_ID, each) for index, each in enumerate(value)]
    check.done()
    return found


ROUTE_FIELDS = {"unit_id": Field(UNIT_ID, required=True), "note": Field(NOTE)}
CONTACT_FIELDS = {"channel": Field(CONTACT_CHANNEL, required=True), "note": Field(NOTE, required=True)}
RETURN_FIELDS = {"reason": Field(REASON, required=True)}
ANSWER_FIELDS = {"text": Field(ANSWER_TEXT, required=True), "outcome": Field(OUTCOME, required=True)}


def route_request(body: Any) -> tuple[str, str | None]:
    fields = check_body(body, ROUTE_FIELDS)
    return fields["unit_id"], fields["note"]


def contact_request(body: Any) -> tuple[str, str]:
    fields = check_body(body, CONTACT_FIELDS)
    return fields["channel"], fields["note"]


def return_request(body: Any) -> str:
    reason: str = check_body(body, RETURN_FIELDS)["reason"]
    return reason


def answer_request(body: Any) -> tuple[str, str]:
    fields = check_body(body, ANSWER_FIELDS)
    return fields["text"], fields["outcome"]


# A copy of an answer pasted to compare with the signed one (POST /api/v1/verify/{code}): as long as
# an answer may be, with room for what a print or a mail adds around it.
PASTED_TEXT = bounded_text(range(1, 10001), bilingual("field.length", shortest=1, longest=10000), multiline=True)
VERIFICATION_FIELDS = {"text": Field(PASTED_TEXT, required=True, description="the answer's text as the citizen has it")}


def pasted_answer_text(body: Any) -> str | None:
    """The text of a verification's body (None: no body, the verification alone is asked for)."""
    return None if body is None else str(check_body(body, VERIFICATION_FIELDS)["text"])


def queue_query(query: Any) -> dict[str, Any]:
    """Filters, sort and page of the staff queue (query-string values arrive as strings)."""
    wanted = check_body(query, QUEUE_QUERY_FIELDS)
    wanted["sort"] = SORT_ALIASES.get(wanted["sort"], wanted["sort"])
    return wanted


def new_unit_fields(province_code: str | None) -> dict[str, Field]:
    """The table of a new unit in ``province_code`` (its district must be one of that province)."""
    return {
        "name": Field(UNIT_NAME, required=True),
        "name_en": Field(UNIT_NAME),
        "type": Field(UNIT_TYPE, required=True),
        "district": Field(_district_of(province_code)),
    }


def new_unit_request(body: Any, province_code: str) -> dict[str, Any]:
    return check_body(body, new_unit_fields(province_code))


def _district_of(province_code: str | None) -> Rule:
    @described({"type": "string", "description": "a district of the admin's province, by name in any spelling"},
               beyond_schema=True)
    def rule(value: Any) -> str:
        # province_code is the admin's own (None only where the table is built for the schema)
        province = places().find_province(province_code)  # type: ignore[arg-type]
        district = places().find_district(province, text(value))  # type: ignore[arg-type]
        if district is None:
            raise Refused(bilingual("field.district_unknown"))
        return district

    return rule


UNIT_CHANGES_FIELDS = {"name": Field(UNIT_NAME), "name_en": Field(UNIT_NAME), "active": Field(boolean)}


def unit_changes_request(body: Any) -> dict[str, Any]:
    return _changes_request(body, UNIT_CHANGES_FIELDS)


NEW_STAFF_FIELDS = {
    "username": Field(username, required=True),
    "password": Field(password, required=True),
    "role": Field(ROLE, required=True),
    "province": Field(province_code, required=True),
    "unit_id": Field(UNIT_ID),
    "display_name": Field(DISPLAY_NAME, description="the officer's name as colleagues read it (default: the "
                                                    "username)"),
}


def new_staff_request(body: Any) -> dict[str, Any]:
    fields = check_body(body, NEW_STAFF_FIELDS)
    fields["province_code"] = fields.pop("province")
    return {name: fields[name] for name in ("username", "password", "role", "province_code", "unit_id",
                                            "display_name")}


STAFF_CHANGES_FIELDS = {"password": Field(password), "role": Field(ROLE), "unit_id": Field(UNIT_ID),
                        "active": Field(boolean), "display_name": Field(DISPLAY_NAME)}


def staff_changes_request(body: Any) -> dict[str, Any]:
    return _changes_request(body, STAFF_CHANGES_FIELDS)


CLIENT_NAME = bounded_text(range(3, 101), bilingual("field.length", shortest=3, longest=100))
NEW_OPEN311_CLIENT_FIELDS = {"name": Field(CLIENT_NAME, required=True,
                                           description="the app's name, recorded on every application it sends")}
OPEN311_CLIENT_CHANGES_FIELDS = {"active": Field(boolean, description="false: the key is refused from now on")}


def new_open311_client_request(body: Any) -> str:
    name: str = check_body(body, NEW_OPEN311_CLIENT_FIELDS)["name"]
    return name


def open311_client_changes_request(body: Any) -> dict[str, Any]:
    return _changes_request(body, OPEN311_CLIENT_CHANGES_FIELDS)


def changes_schema(table: Mapping[str, Field]) -> dict[str, Any]:
    """A PATCH body's schema: any of the table's fields, at least one (null is not "unset")."""
    return body_schema(table, min_properties=1, absent_when_blank=False)


def _changes_request(body: Any, table: Mapping[str, Field]) -> dict[str, Any]:
    """A PATCH body: only the fields given are changed, each by its rule."""
    check = object_body(body, set(table))
    changes = {name: check.required(name, body[name], field.rule) for name, field in table.items() if name in body}
    if not body:
        check.refuse("body", bilingual("field.at_least_one"))
    check.done()
    return changes


@described({"type": "string", "enum": ["true", "false"]})
def _flag(value: Any) -> bool:
    flag = text(value).lower()
    if flag not in ("true", "false"):
        raise Refused(bilingual("field.not_a_boolean"))
    return flag == "true"


def _positive_int(maximum: int) -> Rule:
    def rule(value: Any) -> int:
        digits = text(str(value))
        if not re.fullmatch(r"[0-9]{1,9}", digits) or not 1 <= int(digits) <= maximum:
            raise Refused(bilingual("field.whole_number", maximum=maximum))
        return int(digits)

    return described({"type": "integer", "minimum": 1, "maximum": maximum})(rule)


QUEUE_QUERY_FIELDS = {
    "status": Field(one_of(QUEUE_STATUSES, bilingual("routing.queue_status"))),
    "unit_id": Field(UNIT_ID),
    "overdue": Field(_flag),
    # only those past the statutory limit unanswered (the escalated view)
    "escalated": Field(_flag),
    "page": Field(_positive_int(10 ** 6), default=1),
    "page_size": Field(_positive_int(MAX_PAGE_SIZE), default=20),
    "sort": Field(one_of(QUEUE_SORTS, bilingual("routing.queue_sort")), default="received"),
}
NEW_UNIT_FIELDS = new_unit_fields(None)  # for the published schema: the district depends on the admin


# --- incidents: applications of one province handled as one (docs/api.md#incidents) ------------

INCIDENT_TITLE = bounded_text(range(3, 201), bilingual("field.length", shortest=3, longest=200))
MAX_INCIDENT_APPLICATIONS = 500  # a street's forty neighbours, many times over
_APPLICATION_NO = re.compile(r"[0-9]{4}-[0-9]{6,9}")


@described({"type": "array", "minItems": 1, "maxItems": MAX_INCIDENT_APPLICATIONS, "uniqueItems": True,
            "items": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{6,9}$"},
            "description": "application numbers of the officer's province"})
def application_numbers(value: Any) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_INCIDENT_APPLICATIONS:
        raise Refused(bilingual("routing.application_numbers", most=MAX_INCIDENT_APPLICATIONS))
    numbers = [text(each) if isinstance(each, str) else "" for each in value]
    if not all(_APPLICATION_NO.fullmatch(number) for number in numbers):
        raise Refused(bilingual("routing.application_numbers", most=MAX_INCIDENT_APPLICATIONS))
    return list(dict.fromkeys(numbers))


NEW_INCIDENT_FIELDS = {"title": Field(INCIDENT_TITLE, required=True),
                       "application_nos": Field(application_numbers, required=True)}
INCIDENT_APPLICATIONS_FIELDS = {"application_nos": Field(application_numbers, required=True)}
INCIDENT_ID = re.compile(r"[0-9a-f]{32}")


def new_incident_request(body: Any) -> tuple[str, list[str]]:
    fields = check_body(body, NEW_INCIDENT_FIELDS)
    return fields["title"], fields["application_nos"]


def incident_applications_request(body: Any) -> list[str]:
    numbers: list[str] = check_body(body, INCIDENT_APPLICATIONS_FIELDS)["application_nos"]
    return numbers


def listed_numbers(application_nos: Any) -> list[str]:
    """A list of application numbers as a caller passes it (routing.visible_among): the rule an
    incident's list follows, refused under ``application_nos``."""
    try:
        return application_numbers(application_nos)
    except Refused as refused:
        raise ValidationFailed({"application_nos": refused.reason}) from None
