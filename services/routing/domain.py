"""Routing's rules with no I/O: who may see an application, which transitions are possible,
what each transition records and which event it owes, and when deadlines fire.

States: ``unrouted`` → (route) ``routed`` → (answer) ``answered``;
``routed`` → (return) ``returned`` → (route) ``routed`` again.
"""
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from common import clock
from common.errors import Conflict, NotFound
from contracts.events import facts, new_event
from messages import bilingual

UNROUTED, ROUTED, RETURNED, ANSWERED = "unrouted", "routed", "returned", "answered"
OPEN_STATUSES = (UNROUTED, ROUTED, RETURNED)
ALL_STATUSES = OPEN_STATUSES + (ANSWERED,)
ROUTABLE = (UNROUTED, RETURNED)


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


def queue_scope(principal: Mapping[str, Any], status: str | None = None, unit_id: str | None = None,
                overdue: bool | None = None) -> dict[str, Any]:
    """What a principal's queue holds: their province, their unit for unit officers (another
    officer may narrow to a unit), the statuses asked for that they may see, and ``overdue``
    (True, False or None) as asked; the store turns it into its query (``RoutingStore.page``)."""
    scope = {"province_code": principal["province_code"]}
    statuses = list(ALL_STATUSES) if status is None else [status]
    if principal["role"] == "unit":
        scope["unit_id"] = principal.get("unit_id")
        statuses = [state for state in statuses if state in (ROUTED, ANSWERED)]
    elif unit_id is not None:
        scope["unit_id"] = unit_id
    if overdue is True:
        statuses = [state for state in statuses if state in OPEN_STATUSES]
    scope["overdue"] = overdue
    scope["statuses"] = statuses
    return scope


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
        timeline=[{"at": received_at, "action": "received", "by": None}],
        contacts=[],
        answer=None,
        deadline_approaching_sent=False,
        deadline_missed_sent=False,
    )


def _unit_ref(unit: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return {"unit_id": unit["unit_id"], "name": unit["name"]} if unit else None


# --- transitions -------------------------------------------------------------------------------
# Each returns a Transition: the status the application must still have when written (so two
# officers acting at once cannot both succeed), the fields to set, the history entry, the event.

class Transition:
    def __init__(self, expected_status: str, changes: Mapping[str, Any], history: dict[str, Any], event: Mapping[str,
                 Any], contact: dict[str, Any] | None = None) -> None:
        self.expected_status = expected_status
        self.changes = dict(changes, step=event["step"])
        self.history = history
        self.event = event
        self.contact = contact


def next_step(application: Mapping[str, Any]) -> int:
    step: int = application.get("step", 0)
    return step + 1


def route(application: Mapping[str, Any], unit: Mapping[str, Any] | None, principal: Mapping[str, Any],
          note: str | None, now: datetime) -> Transition:
    if application["status"] not in ROUTABLE:
        raise Conflict("invalid_transition", _ALREADY[application["status"]])
    if unit is None or unit["province_code"] != application["province_code"]:
        raise Conflict("unit_not_available", bilingual("routing.unit_not_in_province"))
    if not unit.get("active", True):
        raise Conflict("unit_not_available", bilingual("routing.unit_inactive"))
    event = new_event("application_routed", application["application_no"], unit_id=unit["unit_id"],
                      unit_name=unit["name"], routed_by=principal["username"],
                      due_at=clock.to_iso(application["due_at"]), step=next_step(application))
    return Transition(
        application["status"],
        {"status": ROUTED, "unit_id": unit["unit_id"], "unit_name": unit["name"], "routed_at": now},
        _history(now, "routed", principal, unit_id=unit["unit_id"], note=note),
        event,
    )


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
           now: datetime) -> Transition:
    _require_status(application, ROUTED, bilingual("routing.only_routed_answered"))
    answered_at = clock.to_iso(now, "milliseconds")
    event = new_event("application_answered", application["application_no"], unit_id=application["unit_id"],
                      outcome=outcome, answer_text=text, answered_at=answered_at,
                      step=next_step(application))
    return Transition(
        ROUTED,
        {"status": ANSWERED, "answer": {"text": text, "outcome": outcome, "answered_at": now,
                                        "by": principal["username"], "unit_id": application["unit_id"]}},
        _history(now, "answered", principal, unit_id=application["unit_id"], outcome=outcome),
        event,
    )


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
}


def deadline_window(event_name: str, now: datetime, warning: timedelta) -> tuple[datetime | None, datetime]:
    """Open applications due in [start, end) owe ``event_name`` now (start None: any time before).

    One already past due is no longer "approaching": it owes only ``deadline_missed``.
    """
    if event_name == "deadline_approaching":
        return now, now + warning
    return None, now


def deadline_event(event_name: str, application: Mapping[str, Any]) -> dict[str, Any]:
    fields = {"unit_id": application.get("unit_id"), "due_at": clock.to_iso(application["due_at"])}
    if event_name == "deadline_approaching":
        return new_event("deadline_approaching", application["application_no"], **fields)
    return new_event("deadline_missed", application["application_no"], **fields)


def answered_on_time(record: Mapping[str, Any]) -> bool:
    """Whether the answer of ``record`` (a record view) was given by its due time."""
    return clock.from_iso(record["answer"]["answered_at"]) <= clock.from_iso(record["due_at"])


def is_overdue(application: Mapping[str, Any], now: datetime) -> bool:
    return application["status"] in OPEN_STATUSES and application["due_at"] < now


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
    }


def record_view(application: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The staff record of routing's part: queue entry, timeline with reasons, contacts, answer."""
    view = queue_entry_view(application, now)
    view["timeline"] = [_iso_at(entry) for entry in application.get("timeline", [])]
    view["contacts"] = [_iso_at(entry) for entry in application.get("contacts", [])]
    answer_given = application.get("answer")
    view["answer"] = None if not answer_given else {
        "text": answer_given["text"], "outcome": answer_given["outcome"],
        "answered_at": clock.to_iso(answer_given["answered_at"]), "by": answer_given["by"],
    }
    return view


def _iso_at(entry: Mapping[str, Any]) -> dict[str, Any]:
    return dict(entry, at=clock.to_iso(entry["at"]))


# --- KVKK: the applicant's personal data -------------------------------------------------------
# Routing holds no national ID, name or phone; what it holds about the applicant is the contact
# log's notes (what an officer wrote after calling or meeting them). Erasure blanks those notes and
# keeps when, how and by whom each contact was made, the routing history and the answer (the
# administration's answer, which the citizen's tracking view shows too).

ERASED_NOTE = None


def contacts_erased(contacts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The contact log without its notes."""
    return [dict(contact, note=ERASED_NOTE) for contact in contacts]


def personal_data_view(application: Mapping[str, Any]) -> dict[str, Any]:
    """What routing holds about an application's applicant, for a KVKK export."""
    erased_at = application.get("personal_data_erased_at")
    return {"contacts": [_iso_at(entry) for entry in application.get("contacts", [])],
            "erased_at": erased_at and clock.to_iso(erased_at)}
