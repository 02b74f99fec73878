"""The field rules of the statistics query (``GET /api/v1/stats``): one table, ``STATS_QUERY_FIELDS``,
that tracking validates with and the gateway's OpenAPI document publishes (``common.fields``).

Dates are calendar days in Turkey's time (Europe/Istanbul), both ends included; the period
defaults to the last ``DEFAULT_PERIOD_DAYS`` days up to today and may be at most
``MAX_PERIOD_DAYS`` long.
"""
import re
from datetime import date, timedelta

from common.fields import Field, Refused, bounded_text, check_body, described, text
from common.errors import ValidationFailed
from common.places import places

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366
FIRST_YEAR, LAST_YEAR = 2000, 2099

UNIT_ID = bounded_text(range(1, 101), "geçersiz birim / invalid unit")
BAD_DATE = "YYYY-AA-GG biçiminde bir tarih olmalı (2000–2099) / must be a date YYYY-MM-DD (2000–2099)"
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@described({"type": "string", "examples": ["06", "ankara"],
            "description": "a province by plate code or by name in any spelling; the officer's own "
                           "(another one is 404)"}, beyond_schema=True)
def province_code(value):
    province = places().find_province(text(value))
    if province is None:
        raise Refused("bilinmeyen il / unknown province")
    return province.code


@described({"type": "string", "format": "date", "pattern": "^(20[0-9]{2})-[0-9]{2}-[0-9]{2}$",
            "examples": ["2026-11-01"], "description": "a day in Turkey's time (Europe/Istanbul)"},
           beyond_schema=True)
def day(value):
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


def stats_query(query, today):
    """``{province, unit_id, from, to}`` of a statistics query (query-string values arrive as
    strings): the province's code or None (the officer's own), the unit or None, and the period's
    first and last day (defaults filled in), or ``ValidationFailed`` naming the faulty field."""
    wanted = check_body(query, STATS_QUERY_FIELDS)
    last = wanted["to"] or (today if wanted["from"] is None
                            else wanted["from"] + timedelta(days=DEFAULT_PERIOD_DAYS - 1))
    first = wanted["from"] or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if first > last:
        raise ValidationFailed({"to": "başlangıçtan önce olamaz / must not be before from"})
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed({"from": "dönem en çok {} gün olabilir / the period may be at most {} days".format(
            MAX_PERIOD_DAYS, MAX_PERIOD_DAYS)})
    return dict(wanted, **{"from": first, "to": last})
