"""The staff statistics of a province's applications (GET /api/v1/stats, docs/statistics.md):
who may see which (``stats_scope``), the period's bounds, and the counts, shares and
percentiles, computed with no I/O. No personal data."""
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from common import clock
from common.errors import NotAllowed, NotFound
from services.tracking.domain import STATUSES, chronological, current_unit
from services.tracking.feedback import ratings, satisfaction

STATS_ROLES = ("router", "unit", "admin")
OVERDUE_LIST_LIMIT = 200
# What the statistics read of a document: no text, nothing about the applicant.
STATS_FIELDS = ("application_no", "kind", "channel", "received_at", "due_at", "answer.answered_at", "timeline",
                "application_escalated_at", "objection.due_at", "objection.answer.answered_at", "feedback.first.score",
                "feedback.first.unit", "feedback.objection.score", "feedback.objection.unit")


def stats_scope(principal: Mapping[str, Any], province_code: str | None, unit_id: str | None) -> tuple[str, str | None]:
    """``(province_code, unit_id)`` the officer may see statistics of.

    Every officer sees their own province (another one is 404, as for every staff call); a unit
    officer only the applications now with their unit (another unit is 404). Routers and admins
    may narrow to one unit. Other roles may not (403).
    """
    if principal["role"] not in STATS_ROLES:
        raise NotAllowed("statistics")
    if province_code not in (None, principal["province_code"]):
        raise NotFound("province")
    if principal["role"] == "unit":
        if unit_id not in (None, principal.get("unit_id")) or not principal.get("unit_id"):
            raise NotFound("unit")
        unit_id = principal["unit_id"]
    return principal["province_code"], unit_id


def period_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` of the days ``first_day``..``last_day`` (both included) in Turkey's time."""
    start = datetime.combine(first_day, time.min, tzinfo=clock.TURKEY)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=clock.TURKEY)
    return start, end


def application_status(document: Mapping[str, Any]) -> str:
    status: str = sorted(document["timeline"], key=chronological)[-1]["status"]
    return status


def application_unit(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The unit the application is with now (answered: the unit that answered), or None."""
    return current_unit(sorted(document.get("timeline", []), key=chronological))


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """The ``fraction`` (0..1) percentile of ``values``, interpolating linearly between the two
    closest ranks (numpy's default, Excel's PERCENTILE.INC); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def answered_on_time(document: Mapping[str, Any]) -> bool:
    return clock.aware(document["answer"]["answered_at"]) <= clock.aware(document["due_at"])


def hours_to_answer(document: Mapping[str, Any]) -> float:
    waited = clock.aware(document["answer"]["answered_at"]) - clock.aware(document["received_at"])
    return waited.total_seconds() / 3600


def is_overdue(document: Mapping[str, Any], now: datetime) -> bool:
    """Not answered, and its due time has passed (after an objection: the objection's)."""
    objection = document.get("objection")
    if objection:
        return not objection.get("answer") and clock.aware(objection["due_at"]) < now
    return not document.get("answer") and clock.aware(document["due_at"]) < now


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def statistics(documents: Iterable[Mapping[str, Any]], now: datetime, unit_id: str | None = None,
               overdue_limit: int = OVERDUE_LIST_LIMIT) -> dict[str, Any]:
    """The statistics of ``documents`` (the read model's applications of one province and
    period), those now with ``unit_id`` only if given. Counts by status, kind, channel and unit;
    the escalated ones (past the statutory limit unanswered, answered since or not); the
    applicants' ratings (count, mean, distribution), overall and per answering unit; of the
    answered ones, the share answered by their due time and the median and 90th
    percentile of the hours from receipt to answer; the overdue ones (not answered, due time
    passed), most overdue first, at most ``overdue_limit`` of them listed. No personal data."""
    by_status = {status: 0 for status in STATUSES}
    by_kind: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    by_unit: dict[str, dict[str, Any]] = {}
    answered: list[Mapping[str, Any]] = []
    overdue: list[tuple[Mapping[str, Any], Mapping[str, Any] | None]] = []
    scores: list[int] = []
    scores_by_unit: dict[str, tuple[Mapping[str, Any], list[int]]] = {}
    total = escalated = 0
    for document in documents:
        if not document.get("timeline"):
            continue  # received not applied yet (cannot be: the period's query reads received_at)
        unit = application_unit(document)
        if unit_id is not None and (unit is None or unit["unit_id"] != unit_id):
            continue
        total += 1
        status = application_status(document)
        by_status[status] += 1
        by_kind[document["kind"]] = by_kind.get(document["kind"], 0) + 1
        by_channel[document["channel"]] = by_channel.get(document["channel"], 0) + 1
        late = is_overdue(document, now)
        if unit is not None:
            row = by_unit.setdefault(unit["unit_id"], {"unit_id": unit["unit_id"], "name": unit["name"],
                                                       "total": 0, "answered": 0, "overdue": 0, "escalated": 0})
            row["total"] += 1
            row["answered"] += 1 if document.get("answer") else 0
            row["overdue"] += 1 if late else 0
            row["escalated"] += 1 if document.get("application_escalated_at") else 0
        if document.get("application_escalated_at"):
            escalated += 1
        for rating in ratings(document):
            scores.append(rating["score"])
            if rating.get("unit"):
                scores_by_unit.setdefault(rating["unit"]["unit_id"], (rating["unit"], []))[1].append(rating["score"])
        if document.get("answer"):
            answered.append(document)
        if late:
            overdue.append((document, unit))
    hours = [hours_to_answer(document) for document in answered]
    on_time = sum(1 for document in answered if answered_on_time(document))
    overdue.sort(key=lambda pair: (clock.aware(pair[0]["due_at"]), pair[0]["application_no"]))
    return {
        "total": total,
        "by_status": by_status,
        "by_kind": dict(sorted(by_kind.items())),
        "by_channel": dict(sorted(by_channel.items())),
        "by_unit": sorted(by_unit.values(), key=lambda row: (-row["total"], row["unit_id"])),
        "answered": {
            "count": len(answered),
            "on_time": on_time,
            "on_time_share": _rounded(on_time / len(answered), 4) if answered else None,
            "median_hours": _rounded(percentile(hours, 0.5), 2),
            "p90_hours": _rounded(percentile(hours, 0.9), 2),
        },
        "escalated": escalated,
        "satisfaction": satisfaction(scores),
        "satisfaction_by_unit": sorted(
            (dict(satisfaction(unit_scores), unit_id=unit["unit_id"], name=unit["name"])
             for unit, unit_scores in scores_by_unit.values()),
            key=lambda row: (-row["count"], row["unit_id"])),
        "overdue": {
            "count": len(overdue),
            "items": [overdue_entry(document, unit, now) for document, unit in overdue[:overdue_limit]],
        },
    }


def overdue_entry(document: Mapping[str, Any], unit: Mapping[str, Any] | None, now: datetime) -> dict[str, Any]:
    return {
        "application_no": document["application_no"],
        "unit": {"unit_id": unit["unit_id"], "name": unit["name"]} if unit else None,
        "due_at": clock.to_iso(document["due_at"]),
        "overdue_hours": round((now - clock.aware(document["due_at"])).total_seconds() / 3600, 1),
    }


def statistics_view(stats: dict[str, Any], province_code: str | None, unit_id: str | None, first_day: date,
                    last_day: date, now: datetime) -> dict[str, Any]:
    return dict({"province_code": province_code, "unit_id": unit_id, "from": first_day.isoformat(),
                 "to": last_day.isoformat(), "generated_at": clock.to_iso(now)}, **stats)
