"""The applicant's rating (memnuniyet) of an answer, with no I/O: once per answer, a score of 1 to 5
and an optional comment (docs/api.md#feedback); and its part of the statistics.

An application can have two answers: the first, and the one to the objection. Each is rated on its
own (``ROUNDS``): a rating is of the latest answer the applicant has read. The comment is the
applicant's own words, so it goes when their personal data is erased; the score stays.
"""
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from common import clock
from common.errors import Conflict
from messages import bilingual
from services.tracking.domain import chronological, current_unit

FIRST, OBJECTION = "first", "objection"  # the answer to the application, the answer to the objection
ROUNDS = (FIRST, OBJECTION)
SCORES = (1, 2, 3, 4, 5)


def latest_round(document: Mapping[str, Any]) -> str:
    """Which answer a rating now is of; Conflict when there is none to rate (not answered yet, or
    objected to and the objection not answered yet)."""
    objection = document.get("objection")
    if objection:
        if not objection.get("answer"):
            raise Conflict("not_answered", bilingual("feedback.not_answered"))
        return OBJECTION
    if not document.get("answer"):
        raise Conflict("not_answered", bilingual("feedback.not_answered"))
    return FIRST


def already_rated() -> Conflict:
    return Conflict("already_rated", bilingual("feedback.already_rated"))


def rating(document: Mapping[str, Any], score: int, comment: str | None, now: datetime) -> dict[str, Any]:
    """The rating as stored: with the unit that gave the answer, for the statistics per unit."""
    unit = current_unit(sorted(document.get("timeline", []), key=chronological))
    return {"score": score, "comment": comment, "given_at": now,
            "unit": unit and {"unit_id": unit["unit_id"], "name": unit["name"]}}


def rating_view(stored: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the applicant sees of their own rating (None: not rated yet)."""
    if not stored:
        return None
    return {"score": stored["score"], "comment": stored.get("comment"), "given_at": clock.to_iso(stored["given_at"])}


def ratings(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every rating of the application (at most one per round)."""
    given = document.get("feedback") or {}
    return [given[round_] for round_ in ROUNDS if given.get(round_)]


def satisfaction(scores: Iterable[int]) -> dict[str, Any]:
    """Count, mean (two decimals; None for none) and the count of each score."""
    distribution = {str(score): 0 for score in SCORES}
    for score in scores:
        distribution[str(score)] += 1
    count = sum(distribution.values())
    total = sum(int(score) * times for score, times in distribution.items())
    return {"count": count, "mean": round(total / count, 2) if count else None, "distribution": distribution}
