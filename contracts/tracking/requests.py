"""The field rules of the statistics query (``GET /api/v1/stats``): one table, ``STATS_QUERY_FIELDS``,
that tracking validates with and the gateway's OpenAPI document publishes (``common.fields``).

Dates are calendar days in Turkey's time (Europe/Istanbul), both ends included; the period
defaults to the last ``DEFAULT_PERIOD_DAYS`` days up to today and may be at most
``MAX_PERIOD_DAYS`` long.
"""
import re
from datetime import date, datetime, timedelta
from typing import Any

from common.errors import ValidationFailed
from common.fields import FIRST_YEAR, LAST_YEAR, Field, Refused, bounded_text, check_body, described, text
from common.places import places
from messages import bilingual

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366

UNIT_ID = bounded_text(range(1, 101), bilingual("field.unit_invalid"))
BAD_DATE = bilingual("field.date")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@described({"type": "string", "examples": ["06", "ankara"],
            "description": "a province by plate code or by name in any spelling; the officer's own "
                           "(another one is 404)"}, beyond_schema=True)
def province_code(value: Any) -> str:
    province = places().find_province(text(value))
    if province is None:
        raise Refused(bilingual("field.province_unknown"))
    return province.code


@described({"type": "string", "format": "date", "pattern": "^(20[0-9]{2})-[0-9]{2}-[0-9]{2}$",
            "examples": ["2026-11-01"], "description": "a day in Turkey's time (Europe/Istanbul)"},
           beyond_schema=True)
def day(value: Any) -> date:
    written = text(value)
    if not _DATE.match(written):
        raise Refused(BAD_DATE)
    try:
        parsed = date.fromisoformat(written)
    except ValueError:
        raise Refused(BAD_DATE) from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise Refused(BAD_DATE)
    return parsed


STATS_QUERY_FIELDS = {
    "province": Field(province_code),
    "unit_id": Field(UNIT_ID, description="only applications now with this unit (a unit officer: their own)"),
    "from": Field(day, description="first day of the period (default: {} days before `to`)".format(
        DEFAULT_PERIOD_DAYS - 1)),
    "to": Field(day, description="last day of the period, included (default: today); at most {} days "
                                 "after `from`".format(MAX_PERIOD_DAYS - 1)),
}


def stats_query(query: Any, today: date) -> dict[str, Any]:
    """``{province, unit_id, from, to}`` of a statistics query (query-string values arrive as
    strings): the province's code or None (the officer's own), the unit or None, and the period's
    first and last day (defaults filled in), or ``ValidationFailed`` naming the faulty field."""
    wanted = check_body(query, STATS_QUERY_FIELDS)
    last = wanted["to"] or (today if wanted["from"] is None
                            else wanted["from"] + timedelta(days=DEFAULT_PERIOD_DAYS - 1))
    first = wanted["from"] or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if first > last:
        raise ValidationFailed({"to": bilingual("field.period_order")})
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed({"from": bilingual("field.period_too_long", days=MAX_PERIOD_DAYS)})
    return dict(wanted, **{"from": first, "to": last})


# --- the public requests query (``list_public_requests``), as the gateway sends it -------------

MAX_PUBLIC_REQUESTS = 1000
PUBLIC_STATUSES = ("open", "closed")
_NUMBER = re.compile(r"^[0-9]{4}-[0-9]{6,9}$")
_PROVINCE_CODE = re.compile(r"^[0-9]{2}$")
_CODE = re.compile(r"^[a-z_]{1,50}$")


def public_requests_query(query: Any) -> dict[str, Any]:
    """``{province_code, application_nos, categories, start, end, statuses, limit}`` checked: the
    gateway has read the client's words already (Open311), so a refusal here is the gateway's
    mistake, still named by field. ``start``/``end`` are ISO-8601 with offset, needed unless
    ``application_nos`` (which then overrides the period, categories and statuses)."""
    if not isinstance(query, dict):
        raise ValidationFailed({"query": bilingual("field.not_an_object")})
    reasons: dict[str, str] = {}
    wanted: dict[str, Any] = {"province_code": query.get("province_code"),
                              "limit": query.get("limit", MAX_PUBLIC_REQUESTS)}
    if not isinstance(wanted["province_code"], str) or not _PROVINCE_CODE.match(wanted["province_code"]):
        reasons["province_code"] = bilingual("field.province_code")
    for name, pattern in (("application_nos", _NUMBER), ("categories", _CODE), ("statuses", None)):
        values = query.get(name) or []
        if not isinstance(values, list) or not all(
                isinstance(value, str) and (value in PUBLIC_STATUSES if pattern is None else pattern.match(value))
                for value in values):
            reasons[name] = bilingual("field.invalid_list")
        wanted[name] = sorted(set(values)) if isinstance(values, list) else []
    for name in ("start", "end") if not wanted["application_nos"] else ():
        try:
            wanted[name] = datetime.fromisoformat(query.get(name) or "")
        except (TypeError, ValueError):
            reasons[name] = bilingual("field.iso_time")
            continue
        if wanted[name].tzinfo is None:
            reasons[name] = bilingual("field.needs_offset")
        elif not FIRST_YEAR <= wanted[name].year <= LAST_YEAR:  # the store compares them in UTC
            reasons[name] = bilingual("field.between", first=FIRST_YEAR, last=LAST_YEAR)
    if not isinstance(wanted["limit"], int) or not 1 <= wanted["limit"] <= MAX_PUBLIC_REQUESTS:
        reasons["limit"] = bilingual("field.between", first=1, last=MAX_PUBLIC_REQUESTS)
    if reasons:
        raise ValidationFailed(reasons)
    return wanted


# --- the citizen's objection and rating (POST …/objection, …/feedback) --------------------------

TRACKING_CODE = bounded_text(range(1, 33), bilingual("field.required"))
OBJECTION_TEXT_LENGTH = range(10, 2001)
COMMENT_LENGTH = range(1, 1001)
SCORES = range(1, 6)


@described({"type": "integer", "minimum": SCORES.start, "maximum": SCORES.stop - 1})
def score(value: Any) -> int:
    # a JSON number only: "4" or 4.0 from a form would be a client's bug worth naming
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
        raise Refused(bilingual("field.whole_number_between", smallest=SCORES.start, largest=SCORES.stop - 1))
    return value


OBJECTION_FIELDS = {
    "tracking_code": Field(TRACKING_CODE, required=True),
    "text": Field(bounded_text(OBJECTION_TEXT_LENGTH, bilingual(
        "field.length", shortest=OBJECTION_TEXT_LENGTH.start, longest=OBJECTION_TEXT_LENGTH.stop - 1),
        multiline=True), required=True, description="why the answer does not settle the matter"),
}
FEEDBACK_FIELDS = {
    "tracking_code": Field(TRACKING_CODE, required=True),
    "score": Field(score, required=True, description="1 (not at all satisfied) to 5 (very satisfied)"),
    "comment": Field(bounded_text(COMMENT_LENGTH, bilingual(
        "field.length", shortest=COMMENT_LENGTH.start, longest=COMMENT_LENGTH.stop - 1), multiline=True)),
}


def objection_request(body: Any) -> dict[str, Any]:
    return check_body(body, OBJECTION_FIELDS)


def feedback_request(body: Any) -> dict[str, Any]:
    return check_body(body, FEEDBACK_FIELDS)
