"""How long an application may wait for its answer, per kind, in calendar or working days.

Two clocks run from the receipt: Açık Kapı's own answer target (``ANSWER_PERIODS``, 7 days unless
set) and the statutory limit for a petition (``STATUTORY_PERIODS``: 30 days under Law 3071 on the
right of petition, art. 7, unless set — e.g. ``request=15w`` where requests are information
requests under Law 4982, art. 11). Both read ``complaint=7,request=10w,suggestion=5w``: a number is
calendar days, a trailing ``w`` working days; a kind the setting does not name keeps its default. A
bad setting raises ``ValueError`` so that the process refuses to start rather than promise citizens
wrong deadlines.
"""
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays

from common.clock import TURKEY
from contracts.intake.catalog import KINDS

# A deadline more than a year away can only be a typo in the setting.
LONGEST_PERIOD_DAYS = 366
_PERIOD = re.compile(r"([0-9]+)(w?)", re.ASCII)
SATURDAY = 5


@dataclass(frozen=True)
class AnswerPeriod:
    days: int
    working_days: bool = False


# Law 3071, art. 7: a petition is answered within thirty days at the latest.
STATUTORY_DAYS = 30


def default_answer_periods() -> dict[str, AnswerPeriod]:
    return {code: AnswerPeriod(kind.answer_days) for code, kind in KINDS.items()}


def default_statutory_periods() -> dict[str, AnswerPeriod]:
    return {code: AnswerPeriod(STATUTORY_DAYS) for code in KINDS}


def parse_answer_periods(text: str | None) -> dict[str, AnswerPeriod]:
    """Every kind's answer target, from the ``ANSWER_PERIODS`` setting (blank: the defaults)."""
    return _parse_periods(text, "ANSWER_PERIODS", default_answer_periods())


def parse_statutory_periods(text: str | None) -> dict[str, AnswerPeriod]:
    """Every kind's statutory limit, from the ``STATUTORY_PERIODS`` setting (blank: 30 days each)."""
    return _parse_periods(text, "STATUTORY_PERIODS", default_statutory_periods())


def _parse_periods(text: str | None, setting: str, periods: dict[str, AnswerPeriod]) -> dict[str, AnswerPeriod]:
    if text is None or not text.strip():
        return periods
    named = set()
    for entry in text.split(","):
        kind, period = _parse_entry(entry, setting)
        if kind in named:
            raise ValueError("{} names {!r} twice".format(setting, kind))
        named.add(kind)
        periods[kind] = period
    return periods


def _parse_entry(entry: str, setting: str) -> tuple[str, AnswerPeriod]:
    kind, separator, period = (part.strip() for part in entry.partition("="))
    if not separator or not kind:
        raise ValueError("{} entry {!r} is not kind=days".format(setting, entry.strip()))
    if kind not in KINDS:
        raise ValueError("{} names unknown kind {!r} (known: {})".format(setting, kind, ", ".join(KINDS)))
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise ValueError("{} period {!r} for {} is not a number of days, optionally "
                         "followed by 'w' for working days".format(setting, period, kind))
    days = int(match.group(1))
    if not 1 <= days <= LONGEST_PERIOD_DAYS:
        raise ValueError("{} period for {} must be 1 to {} days, not {}".format(
            setting, kind, LONGEST_PERIOD_DAYS, days))
    return kind, AnswerPeriod(days, working_days=bool(match.group(2)))


def due_at(received_at: datetime, period: AnswerPeriod) -> datetime:
    """When the answer is due, in Turkey's time: the same time of day as the receipt, ``days``
    calendar days later or on the ``days``-th working day after the day of receipt."""
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware")
    received = received_at.astimezone(TURKEY)
    if not period.working_days:
        return received + timedelta(days=period.days)
    day = received.date()
    remaining = period.days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, received.time(), tzinfo=TURKEY)


def is_working_day(day: date) -> bool:
    return day.weekday() < SATURDAY and day not in _public_holidays(day.year)


@functools.cache
def _public_holidays(year: int) -> frozenset[date]:
    # Only the PUBLIC category: the half-day eves (arife, the package's HALF_DAY category) are
    # working mornings for public offices, so they count as working days. Administrative leave
    # (idari izin) declared by circular around a bayram is no public holiday and is not here.
    return frozenset(holidays.country_holidays("TR", years=year))
