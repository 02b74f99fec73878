"""Time as the system shows it: aware datetimes, rendered in Turkey's time zone."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

TURKEY = ZoneInfo("Europe/Istanbul")


def now() -> datetime:
    return datetime.now(TURKEY)


def to_iso(moment: datetime, timespec: str = "seconds") -> str:
    """ISO-8601 with offset, in Turkey's time (``2026-11-28T17:04:05+03:00``).

    Stores hand datetimes back in UTC (as pymongo's ``tz_aware`` does), and a
    naive one can only be UTC from a store, so it is read as such. Events use
    ``timespec="milliseconds"``: two steps of one application can fall in
    the same second, and consumers order by these times.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TURKEY).isoformat(timespec=timespec)


def aware(moment: datetime) -> datetime:
    """``moment`` with its time zone: a naive datetime can only be UTC from a store."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)
