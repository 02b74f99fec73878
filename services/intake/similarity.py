"""Likely duplicates of an application, with no I/O (docs/api.md#similar): the same broken street
light reaches a governorship from one citizen twice, or from forty neighbours, through the desk, the
web and the app.

Two reasons make another application a likely duplicate of one:

- ``same_applicant``: the same national ID, received within ``SAME_APPLICANT_WINDOW`` (30 days)
  before or after;
- ``similar_text``: the same district and category, received within ``SIMILAR_TEXT_WINDOW`` (14
  days), and a subject and description alike by at least ``TEXT_THRESHOLD``.

Texts are compared the way the staff search compares words (``search.words``: Turkish case rules,
dotted and dotless i, accents dropped), each word cut to its first ``STEM`` letters, since Turkish
adds its endings to the word ("lamba", "lambası", "lambanın" are one word here) — then the mean of
rapidfuzz's token-set ratio (what two texts share, whatever else one adds) and token-sort ratio
(how alike they are as a whole, in any order): the first alone calls a short text "the same" as
any longer one that holds its words. On the project's Turkish sample set (tests/unit/intake/
duplicate_samples.py) this gives precision 0.97 and recall 1.00 at ``TEXT_THRESHOLD``.
"""
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from common import clock
from services.intake.search import words

SAME_APPLICANT = "same_applicant"
SIMILAR_TEXT = "similar_text"
SAME_APPLICANT_WINDOW = timedelta(days=30)
SIMILAR_TEXT_WINDOW = timedelta(days=14)
STEM = 5
TEXT_THRESHOLD = 0.65
MOST_SHOWN = 20  # a router groups from the top of the list; more is noise
# What the comparison reads of an application: no phone, no name.
FIELDS = ("subject", "description", "applicant.national_id", "received_at", "province_code", "district", "category")


def comparable_text(application: Mapping[str, Any]) -> str:
    """The application's subject and description as they are compared: folded words, each cut to
    its stem, in order."""
    found = words("{} {}".format(application.get("subject") or "", application.get("description") or ""))
    return " ".join(word[:STEM] for word in found)


def text_similarity(first: str, second: str) -> float:
    """0..1 (two comparable texts); 0 when either has no words."""
    if not first or not second:
        return 0.0
    return (fuzz.token_set_ratio(first, second) + fuzz.token_sort_ratio(first, second)) / 200


def windows(application: Mapping[str, Any]) -> dict[str, tuple[datetime, datetime]]:
    """The receipt windows the store looks in, per reason."""
    received = clock.aware(application["received_at"])
    return {SAME_APPLICANT: (received - SAME_APPLICANT_WINDOW, received + SAME_APPLICANT_WINDOW),
            SIMILAR_TEXT: (received - SIMILAR_TEXT_WINDOW, received + SIMILAR_TEXT_WINDOW)}


def similar(application: Mapping[str, Any], candidates: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The likely duplicates of ``application`` among ``candidates`` (what the store found in the
    windows; the application itself and an erased one are skipped): ``{application_no, score,
    reasons, received_at, subject}``, the same applicant first, then by score; at most MOST_SHOWN."""
    own_text = comparable_text(application)
    national_id = (application.get("applicant") or {}).get("national_id")
    found = []
    for candidate in candidates:
        if candidate["_id"] == application["_id"] or not (candidate.get("applicant") or {}).get("national_id"):
            continue
        score = text_similarity(own_text, comparable_text(candidate))
        reasons = []
        if national_id and candidate["applicant"]["national_id"] == national_id and _within(
                candidate, application, SAME_APPLICANT_WINDOW):
            reasons.append(SAME_APPLICANT)
        if (score >= TEXT_THRESHOLD and candidate.get("district") == application.get("district")
                and candidate.get("category") == application.get("category")
                and _within(candidate, application, SIMILAR_TEXT_WINDOW)):
            reasons.append(SIMILAR_TEXT)
        if reasons:
            found.append({"application_no": candidate["_id"], "score": round(score, 2), "reasons": reasons,
                          "received_at": clock.to_iso(candidate["received_at"]), "subject": candidate.get("subject")})
    found.sort(key=lambda entry: (SAME_APPLICANT not in entry["reasons"], -entry["score"], entry["application_no"]))
    return found[:MOST_SHOWN]


def _within(candidate: Mapping[str, Any], application: Mapping[str, Any], window: timedelta) -> bool:
    return abs(clock.aware(candidate["received_at"]) - clock.aware(application["received_at"])) <= window
