"""Routing's rules with no I/O: who may see an application, which transitions are possible,
what each transition records and which event it owes, and when deadlines fire.

States: ``unrouted`` → (route) ``routed`` → (answer) ``answered``;
``routed`` → (return) ``returned`` → (route) ``routed`` again;
``answered`` → (the applicant's objection) ``routed`` to the unit that answered, once.
"""
import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from common import clock
from common.errors import Conflict, NotFound
from contracts.events import facts, new_event
from messages import bilingual
from services.routing.history_chain import chained

UNROUTED, ROUTED, RETURNED, ANSWERED = "unrouted", "routed", "returned", "answered"
OPEN_STATUSES = (UNROUTED, ROUTED, RETURNED)
ALL_STATUSES = OPEN_STATUSES + (ANSWERED,)
ROUTABLE = (UNROUTED, RETURNED)
OPEN = "open"  # the queue's filter for every status not answered yet
QUEUE_ORDER = ALL_STATUSES  # sort=status: the way an application goes, each status by due time
DUE_SOON = timedelta(hours=24)  # due_state "due_soon": the deadline is this close


# --- scope -------------------------------------------------------------------------------------

def visible_to(principal: Mapping[str, Any], application: Mapping[str, Any] | None) -> bool:
    """Officers see their province; unit officers only what is routed to their unit now."""
    if application is None or application["province_code"] != principal["province_code"]:
        return False
    if principal["role"] == "unit":
        return application.get("unit_id") == principal.get("unit_id") and application["status"] in (ROUTED, ANSWERED)
    return True


def require_visible(principal: Mapping[str, Any], application: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if application is None or not visible_to(principal, application):
        raise NotFound("application")
    return application


def visible_statuses(principal: Mapping[str, Any]) -> tuple[str, ...]:
    """The statuses a principal's queue can hold: a unit officer has only what is with their unit."""
    return (ROUTED, ANSWERED) if principal["role"] == "unit" else ALL_STATUSES


def queue_scope(principal: Mapping[str, Any], unit_id: str | None = None, overdue: bool | None = None) -> dict[str,
                                                                                                              Any]:
    """Where a principal's queue looks, whatever the status: their province, their unit for unit
    officers (another officer may narrow to a unit), and ``overdue`` (True, False or None) as asked;
    the store turns it into its queries (``RoutingStore.queue_counts``, ``queue_page``)."""
    scope: dict[str, Any] = {"province_code": principal["province_code"], "overdue": overdue}
    if principal["role"] == "unit":
        scope["unit_id"] = principal.get("unit_id")
    elif unit_id is not None:
        scope["unit_id"] = unit_id
    return scope


def asked_statuses(principal: Mapping[str, Any], status: str | None, overdue: bool | None) -> list[str]:
    """The statuses a queue page lists: those asked (``open``: the visible ones not answered; None:
    every visible one) that the principal may see; overdue ones are open by definition."""
    visible = visible_statuses(principal)
    if status is None:
        asked = list(visible)
    elif status == OPEN:
        asked = [state for state in visible if state in OPEN_STATUSES]
    else:
        asked = [state for state in visible if state == status]
    if overdue is True:
        asked = [state for state in asked if state in OPEN_STATUSES]
    return asked


def queue_counts(per_status: Mapping[str, int], visible: Iterable[str]) -> dict[str, int]:
    """The tabs' counts: each status (0 where none, or not ``visible``) and ``open``, the sum of those
    not answered."""
    shown = set(visible)
    counts = {state: per_status.get(state, 0) if state in shown else 0 for state in ALL_STATUSES}
    counts[OPEN] = sum(counts[state] for state in OPEN_STATUSES)
    return counts


def searched_page(found: Iterable[Mapping[str, Any]], asked: Iterable[str], overdue: bool | None, sort: str,
                  skip: int, limit: int, now: datetime) -> tuple[list[Mapping[str, Any]], dict[str, int]]:
    """A queue page among the applications a search found (in the queue's scope, any status):
    ``(the page, {status: count})``, filtered, counted and sorted as the store does a whole queue."""
    kept = [application for application in found if meets_overdue(application, overdue, now)]
    per_status: dict[str, int] = {}
    for application in kept:
        per_status[application["status"]] = per_status.get(application["status"], 0) + 1
    wanted = set(asked)
    ordered = sort_applications([application for application in kept if application["status"] in wanted], sort)
    return ordered[skip:skip + limit], per_status


def meets_overdue(application: Mapping[str, Any], overdue: bool | None, now: datetime) -> bool:
    """The ``overdue`` filter (None: either) on one application, as the store's queries apply it."""
    return overdue is None or is_overdue(application, now) == overdue


def sort_applications(applications: Iterable[Mapping[str, Any]], sort: str) -> list[Mapping[str, Any]]:
    """Applications in a queue's order (``sort`` as ``requests.queue_query`` gives it): by due time;
    newest received first; or by status in QUEUE_ORDER, each by due time."""
    if sort == "received":
        return sorted(applications, key=lambda application: application["received_at"], reverse=True)
    if sort == "status":
        return sorted(applications, key=lambda application: (QUEUE_ORDER.index(application["status"]),
                                                             application["due_at"]))
    return sorted(applications, key=lambda application: application["due_at"])


# --- the queue entry ---------------------------------------------------------------------------

def queued_application(event: Mapping[str, Any], suggested_unit: Mapping[str, Any] | None) -> dict[str, Any]:
    """The queue entry for a received application: what officers need to route it, nothing personal."""
    received_at = clock.from_iso(event["received_at"])
    return dict(
        facts(event),
        _id=event["application_no"],
        status=UNROUTED,
        received_at=received_at,
        due_at=clock.from_iso(event["due_at"]),
        unit_id=None,
        unit_name=None,
        suggested_unit=_unit_ref(suggested_unit),
        timeline=[chained({"at": received_at, "action": "received", "by": None}, None)],
        contacts=[],
        answer=None,
        deadline_approaching_sent=False,
        deadline_missed_sent=False,
        # the law's limit (Law 3071); events of before 2026-12-06 carry none: they never escalate
        statutory_due_at=clock.from_iso(event["statutory_due_at"]) if event.get("statutory_due_at") else None,
        escalated_sent=False,
    )


def staffed(units: Iterable[Mapping[str, Any]], staffed_unit_ids: Iterable[str]) -> list[Mapping[str, Any]]:
    """The units someone works at (an active unit officer): only these are suggested, so that routing
    to the suggestion puts the application in front of a person."""
    staffed_ids = set(staffed_unit_ids)
    return [unit for unit in units if unit["unit_id"] in staffed_ids]


def _unit_ref(unit: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return {"unit_id": unit["unit_id"], "name": unit["name"]} if unit else None


# --- transitions -------------------------------------------------------------------------------
# Each returns a Transition: the status the application must still have when written (so two
# officers acting at once cannot both succeed), the fields to set, the history entry, the event.

class Transition:
    """``event``: the event it owes (None: it owes none); ``step``: the application's step count
    after it (the event's, where there is one)."""

    def __init__(self, expected_status: str, changes: Mapping[str, Any], history: dict[str, Any], event: Mapping[str,
                 Any] | None, contact: dict[str, Any] | None = None, step: int | None = None) -> None:
        self.expected_status = expected_status
        self.changes = dict(changes, step=event["step"] if event else step)
        self.history = history
        self.event = event
        self.contact = contact
        self.condition: dict[str, Any] = {}  # what else the stored application must still hold


def linked(transition: Transition, application: Mapping[str, Any]) -> Transition:
    """``transition`` with its history entry chained to the application's last one (each entry holds
    the hash of the one before: an altered history shows), written only while that entry is still
    the last: two officers acting at once cannot both append to the same one."""
    timeline = application.get("timeline") or []
    transition.history = chained(transition.history, timeline[-1] if timeline else None)
    transition.condition = {"step": application["step"]} if "step" in application else {"step": {"$exists": False}}
    return transition


def next_step(application: Mapping[str, Any]) -> int:
    step: int = application.get("step", 0)
    return step + 1


def route(application: Mapping[str, Any], unit: Mapping[str, Any] | None, principal: Mapping[str, Any],
          note: str | None, now: datetime) -> Transition:
    if application["status"] not in ROUTABLE:
        raise Conflict("invalid_transition", _ALREADY[application["status"]])
    require_unit_available(unit, application["province_code"])
    assert unit is not None
    event = new_event("application_routed", application["application_no"], unit_id=unit["unit_id"],
                      unit_name=unit["name"], routed_by=principal["username"],
                      due_at=clock.to_iso(application["due_at"]), step=next_step(application))
    return Transition(
        application["status"],
        {"status": ROUTED, "unit_id": unit["unit_id"], "unit_name": unit["name"], "routed_at": now},
        _history(now, "routed", principal, unit_id=unit["unit_id"], note=note),
        event,
    )


def require_unit_available(unit: Mapping[str, Any] | None, province_code: str) -> None:
    """Conflict unless ``unit`` is an active unit of the province."""
    if unit is None or unit["province_code"] != province_code:
        raise Conflict("unit_not_available", bilingual("routing.unit_not_in_province"))
    if not unit.get("active", True):
        raise Conflict("unit_not_available", bilingual("routing.unit_inactive"))


def return_to_router(application: Mapping[str, Any], principal: Mapping[str, Any], reason: str,
                     now: datetime) -> Transition:
    _require_status(application, ROUTED, bilingual("routing.only_routed_returned"))
    event = new_event("application_returned", application["application_no"],
                      unit_id=application["unit_id"], reason=reason, step=next_step(application))
    return Transition(
        ROUTED,
        {"status": RETURNED, "unit_id": None, "unit_name": None, "returned_at": now},
        _history(now, "returned", principal, unit_id=application["unit_id"], reason=reason),
        event,
    )


def answer(application: Mapping[str, Any], principal: Mapping[str, Any], text: str, outcome: str,
           now: datetime, verification: Mapping[str, Any]) -> Transition:
    """``verification``: the answer's code and signature (``verification.sealed``), made for ``now``."""
    _require_status(application, ROUTED, bilingual("routing.only_routed_answered"))
    answered_at = clock.to_iso(now, "milliseconds")
    event = new_event("application_answered", application["application_no"], unit_id=application["unit_id"],
                      outcome=outcome, answer_text=text, answered_at=answered_at, step=next_step(application),
                      answers_objection=bool(application.get("objection")),
                      verification_code=verification["code"])
    return Transition(
        ROUTED,
        {"status": ANSWERED, "answer": {"text": text, "outcome": outcome, "answered_at": now,
                                        "by": principal["username"], "unit_id": application["unit_id"],
                                        "unit_name": application["unit_name"], "verification": dict(verification)}},
        _history(now, "answered", principal, unit_id=application["unit_id"], outcome=outcome),
        event,
    )


def reopen_on_objection(application: Mapping[str, Any], event: Mapping[str, Any], now: datetime) -> Transition | None:
    """The applicant objected (``objection_filed``): back to the unit that answered, flagged, with
    the objection's deadlines; its first answer kept as ``first_answer``. None when done already (a
    redelivered event)."""
    if application["status"] != ANSWERED or application.get("objection"):
        return None
    changes = {"status": ROUTED, "due_at": clock.from_iso(event["due_at"]),
               "statutory_due_at": clock.from_iso(event["statutory_due_at"]),
               "objection": {"text": event["text"], "filed_at": clock.from_iso(event["filed_at"])},
               "first_answer": application["answer"], "answer": None,
               "deadline_approaching_sent": False, "deadline_missed_sent": False, "escalated_sent": False}
    return Transition(ANSWERED, changes, {"at": now, "action": "objected", "by": None}, None,
                      step=next_step(application))


def contact(application: Mapping[str, Any], principal: Mapping[str, Any], channel: str, note: str | None,
            now: datetime) -> Transition:
    """Contacts are a log, not a state change: allowed whatever the status."""
    event = new_event("applicant_contacted", application["application_no"], channel=channel,
                      contacted_by=principal["username"], step=next_step(application))
    entry = {"at": now, "channel": channel, "note": note, "by": principal["username"]}
    return Transition(application["status"], {}, _history(now, "contacted", principal, channel=channel),
                      event, contact=entry)


def _require_status(application: Mapping[str, Any], status: str, message: str) -> None:
    if application["status"] != status:
        raise Conflict("invalid_transition", message)


def _history(now: datetime, action: str, principal: Mapping[str, Any], **details: Any) -> dict[str, Any]:
    return dict({"at": now, "action": action, "by": principal["username"]},
                **{key: value for key, value in details.items() if value is not None})


_ALREADY = {
    ROUTED: bilingual("routing.already_routed"),
    ANSWERED: bilingual("routing.already_answered"),
}

def state_changed() -> Conflict:
    return Conflict("state_changed", bilingual("routing.state_changed"))


# --- deadlines ---------------------------------------------------------------------------------

DEADLINE_EVENTS = {
    # event name: the flag recording that it was owed, so it is owed once
    "deadline_approaching": "deadline_approaching_sent",
    "deadline_missed": "deadline_missed_sent",
    # past the statutory limit unanswered: the routers' and admins' escalated view, the statistics
    "application_escalated": "escalated_sent",
}
# event name: the deadline it watches (Açık Kapı's answer target, or the law's limit)
DEADLINE_FIELDS = {"deadline_approaching": "due_at", "deadline_missed": "due_at",
                   "application_escalated": "statutory_due_at"}


def deadline_window(event_name: str, now: datetime, warning: timedelta) -> tuple[datetime | None, datetime]:
    """Open applications due in [start, end) owe ``event_name`` now (start None: any time before).

    One already past due is no longer "approaching": it owes only ``deadline_missed``.
    """
    if event_name == "deadline_approaching":
        return now, now + warning
    return None, now


def deadline_event(event_name: str, application: Mapping[str, Any]) -> dict[str, Any]:
    if event_name == "application_escalated":
        return new_event("application_escalated", application["application_no"], unit_id=application.get("unit_id"),
                         statutory_due_at=clock.to_iso(application["statutory_due_at"]))
    fields = {"unit_id": application.get("unit_id"), "due_at": clock.to_iso(application["due_at"])}
    if event_name == "deadline_approaching":
        return new_event("deadline_approaching", application["application_no"], **fields)
    return new_event("deadline_missed", application["application_no"], **fields)


def answered_on_time(record: Mapping[str, Any]) -> bool:
    """Whether the answer of ``record`` (a record view) was given by its due time."""
    return clock.from_iso(record["answer"]["answered_at"]) <= clock.from_iso(record["due_at"])


def is_overdue(application: Mapping[str, Any], now: datetime) -> bool:
    return application["status"] in OPEN_STATUSES and application["due_at"] < now


def is_escalated(application: Mapping[str, Any]) -> bool:
    """Owed ``application_escalated`` (past the statutory limit unanswered) and not answered since."""
    return application["status"] in OPEN_STATUSES and bool(application.get("escalated_sent"))


def days_left(application: Mapping[str, Any], now: datetime) -> int | None:
    """Whole days to the deadline, rounded down, so negative once it has passed (-1 for the first
    day overdue); None once answered (no deadline runs any more)."""
    if application["status"] == ANSWERED:
        return None
    left: timedelta = application["due_at"] - now
    return math.floor(left / timedelta(days=1))


def statutory_days_left(application: Mapping[str, Any], now: datetime) -> int | None:
    """As ``days_left``, to the law's limit; None once answered or where the record has no limit."""
    if application["status"] == ANSWERED or not application.get("statutory_due_at"):
        return None
    left: timedelta = application["statutory_due_at"] - now
    return math.floor(left / timedelta(days=1))


def due_state(application: Mapping[str, Any], now: datetime) -> str:
    """``closed`` (answered), ``overdue``, ``due_soon`` (within DUE_SOON) or ``fine``."""
    if application["status"] == ANSWERED:
        return "closed"
    if is_overdue(application, now):
        return "overdue"
    return "due_soon" if application["due_at"] - now <= DUE_SOON else "fine"


# --- views -------------------------------------------------------------------------------------

def queue_entry_view(application: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "application_no": application["application_no"],
        "status": application["status"],
        "kind": application["kind"],
        "category": application["category"],
        "province": application["province"],
        "province_code": application["province_code"],
        "district": application["district"],
        "channel": application["channel"],
        "received_at": clock.to_iso(application["received_at"]),
        "due_at": clock.to_iso(application["due_at"]),
        "overdue": is_overdue(application, now),
        "unit": _unit_ref({"unit_id": application["unit_id"], "name": application["unit_name"]})
        if application.get("unit_id") else None,
        "suggested_unit": application.get("suggested_unit"),
        "days_left": days_left(application, now),
        "due_state": due_state(application, now),
        "statutory_due_at": application.get("statutory_due_at") and clock.to_iso(application["statutory_due_at"]),
        "statutory_days_left": statutory_days_left(application, now),
        "escalated": is_escalated(application),
        "objected": bool(application.get("objection")),
        "incident_id": application.get("incident_id"),
    }


def queue_page_view(principal: Mapping[str, Any], applications: Iterable[Mapping[str, Any]],
                    per_status: Mapping[str, int], asked: Iterable[str], page: int, page_size: int,
                    now: datetime) -> dict[str, Any]:
    """A page of the queue: its entries, the length of the queue asked for, and the counts per status
    (``per_status``: the queue's, whatever the status asked; only those the principal may see)."""
    return {"items": [queue_entry_view(application, now) for application in applications],
            "total": sum(per_status.get(state, 0) for state in asked), "page": page, "page_size": page_size,
            "counts": queue_counts(per_status, visible_statuses(principal))}


def staff_usernames(application: Mapping[str, Any]) -> set[str]:
    """Every officer named in the record: the timeline's, the contacts' and the answer's."""
    entries = list(application.get("timeline", [])) + list(application.get("contacts", []))
    entries += [application.get("answer") or {}, application.get("first_answer") or {}]
    return {entry["by"] for entry in entries if entry.get("by")}


def record_view(application: Mapping[str, Any], now: datetime,
                display_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The staff record of routing's part: queue entry, timeline with reasons, contacts, answer (and
    after an objection the objection and the first answer), and ``staff_names`` (each officer named
    in it: their display name, else the username)."""
    view = queue_entry_view(application, now)
    view["timeline"] = [_iso_at(entry) for entry in application.get("timeline", [])]
    view["contacts"] = [_iso_at(entry) for entry in application.get("contacts", [])]
    view["answer"] = _answer_view(application.get("answer"))
    objection = application.get("objection")
    if objection:
        view["objection"] = {"text": objection["text"], "filed_at": clock.to_iso(objection["filed_at"])}
        view["first_answer"] = _answer_view(application.get("first_answer"))
    names = display_names or {}
    view["staff_names"] = {username: names.get(username) or username
                           for username in sorted(staff_usernames(application))}
    return view


def _answer_view(answer_given: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not answer_given:
        return None
    return {"text": answer_given["text"], "outcome": answer_given["outcome"],
            "answered_at": clock.to_iso(answer_given["answered_at"]), "by": answer_given["by"],
            "verification_code": (answer_given.get("verification") or {}).get("code")}


def _iso_at(entry: Mapping[str, Any]) -> dict[str, Any]:
    return dict(entry, at=clock.to_iso(entry["at"]))


# --- KVKK: the applicant's personal data -------------------------------------------------------
# Routing holds no national ID, name or phone; what it holds about the applicant is the contact
# log's notes (what an officer wrote after calling or meeting them) and the text of their objection
# to an answer. Erasure blanks those and
# keeps when, how and by whom each contact was made, the routing history and the answer (the
# administration's answer, which the citizen's tracking view shows too).

ERASED_NOTE = None


def contacts_erased(contacts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The contact log without its notes."""
    return [dict(contact, note=ERASED_NOTE) for contact in contacts]


def personal_data_view(application: Mapping[str, Any]) -> dict[str, Any]:
    """What routing holds about an application's applicant, for a KVKK export: the contact log and
    the objection's text."""
    erased_at = application.get("personal_data_erased_at")
    objection = application.get("objection")
    return {"contacts": [_iso_at(entry) for entry in application.get("contacts", [])],
            "objection": objection and {"text": objection["text"], "filed_at": clock.to_iso(objection["filed_at"])},
            "erased_at": erased_at and clock.to_iso(erased_at)}
