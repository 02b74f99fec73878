"""Incidents, with no I/O: applications of one province about one thing — the same broken street
light from forty neighbours, by the desk, the web and the app — grouped by a router, routed and
answered as one (docs/api.md#incidents).

An application belongs to at most one incident. Routing the incident routes each of its open
applications, answering it answers each: every application keeps its own transition, event, history
entry, seal and "concluded" SMS — exactly one, however the group grows meanwhile, because each
answer is a conditional transition of its application (``domain.answer``). An application added to a
routed incident is routed at once, one added to an answered incident is answered at once; the
incident's answer is written before its members are read, and a member joins before it reads the
incident, so one of the two always sees the other. Whatever a crash leaves (an answered incident
with members still open) routing's watcher completes (``deadlines.complete_incident_answers``).
"""
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from common import clock
from common.errors import Conflict, NotFound
from contracts.events import new_event
from messages import bilingual

NUMBERS_SHOWN = 20  # in a refusal's message: enough to find them, not a wall of text


def new_incident(title: str, principal: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    return {"_id": uuid.uuid4().hex, "title": title, "province_code": principal["province_code"],
            "created_by": principal["username"], "created_at": now, "application_nos": [], "version": 0,
            "unit_id": None, "unit_name": None, "answer": None, "answer_complete": False}


def require_in_scope(principal: Mapping[str, Any], incident: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """Officers see their province's incidents; a unit officer only one routed to their unit."""
    if incident is None or incident["province_code"] != principal["province_code"]:
        raise NotFound("incident")
    if principal["role"] == "unit" and incident.get("unit_id") != principal.get("unit_id"):
        raise NotFound("incident")
    return incident


def require_members_in_province(numbers: Iterable[str], found: Iterable[Mapping[str, Any]]) -> None:
    """Conflict naming the numbers routing does not hold in the principal's province."""
    missing = sorted(set(numbers) - {application["_id"] for application in found})
    if missing:
        raise Conflict("not_in_province", bilingual("incident.not_in_province", numbers=_listed(missing)))


def in_another_incident(numbers: Iterable[str]) -> Conflict:
    return Conflict("in_another_incident", bilingual("incident.in_another", numbers=_listed(sorted(numbers))))


def require_routable(incident: Mapping[str, Any]) -> None:
    if incident.get("answer"):
        raise Conflict("incident_answered", bilingual("incident.answered"))


def require_answerable(principal: Mapping[str, Any], incident: Mapping[str, Any]) -> None:
    if not incident.get("unit_id"):
        raise Conflict("incident_not_routed", bilingual("incident.not_routed"))
    if incident["unit_id"] != principal.get("unit_id"):
        raise Conflict("not_your_unit", bilingual("incident.not_your_unit"))
    if incident.get("answer"):
        raise already_answered()


def already_answered() -> Conflict:
    return Conflict("incident_already_answered", bilingual("incident.already_answered"))


def incident_answer(text: str, outcome: str, principal: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    return {"text": text, "outcome": outcome, "by": principal["username"], "answered_at": now}


def answering_officer(incident: Mapping[str, Any]) -> dict[str, Any]:
    """Who answers a member in the incident's name (the officer who answered the incident)."""
    return {"username": incident["answer"]["by"], "role": "unit", "province_code": incident["province_code"],
            "unit_id": incident["unit_id"]}


def changed_event(incident: Mapping[str, Any]) -> dict[str, Any]:
    """``incident_changed``: tracking tells each member's applicant how many were considered with it.
    ``version`` orders the changes (events may arrive in any order)."""
    return new_event("incident_changed", None, incident_id=incident["_id"],
                     application_nos=list(incident["application_nos"]), version=incident["version"])


def incident_view(incident: Mapping[str, Any], members: list[dict[str, Any]]) -> dict[str, Any]:
    """The incident for staff: ``members`` are its applications' queue entries (those the principal
    may see)."""
    answer = incident.get("answer")
    return {
        "incident_id": incident["_id"], "title": incident["title"], "province_code": incident["province_code"],
        "created_by": incident["created_by"], "created_at": clock.to_iso(incident["created_at"]),
        "unit": {"unit_id": incident["unit_id"], "name": incident["unit_name"]} if incident.get("unit_id") else None,
        "answer": answer and {"text": answer["text"], "outcome": answer["outcome"], "by": answer["by"],
                              "answered_at": clock.to_iso(answer["answered_at"])},
        "application_count": len(incident["application_nos"]),
        "applications": members,
    }


def _listed(numbers: list[str]) -> str:
    shown = ", ".join(numbers[:NUMBERS_SHOWN])
    return shown + (" …" if len(numbers) > NUMBERS_SHOWN else "")
