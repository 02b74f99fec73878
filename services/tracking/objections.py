"""The citizen's objection (itiraz) to an answer, with no I/O: who may object and when, and what an
objection records and owes (docs/api.md#objection).

Within ``OBJECTION_DAYS`` (15 unless set) after the answer the applicant may object, once. The
application goes back to the unit that answered: it owes the answer within ``ANSWER_PERIOD`` (seven
days, as for the application) and, the objection being a new petition, within Law 3071's thirty
days at the latest. Tracking decides both here and the event carries them, so routing keeps no
second copy of the rule.
"""
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from common import clock
from common.errors import Conflict
from contracts.events import new_event
from messages import bilingual
from services.tracking.domain import chronological, current_unit

ANSWER_PERIOD = timedelta(days=7)
STATUTORY_PERIOD = timedelta(days=30)  # Law 3071, art. 7
DEFAULT_WINDOW_DAYS = 15


def check_objectable(document: Mapping[str, Any], now: datetime, window: timedelta) -> None:
    """Conflict unless the application was answered, not objected to yet, and the answer is at
    most ``window`` old."""
    if not document.get("answer"):
        raise Conflict("not_answered", bilingual("objection.not_answered"))
    if document.get("objection"):
        raise already_objected()
    if now > clock.aware(document["answer"]["answered_at"]) + window:
        raise Conflict("objection_window_closed", bilingual("objection.window_closed", days=window.days))


def already_objected() -> Conflict:
    return Conflict("already_objected", bilingual("objection.already_objected"))


def objection(document: Mapping[str, Any], text: str, now: datetime) -> tuple[dict[str, Any], dict[str, Any],
                                                                                  dict[str, Any]]:
    """(fields to set, timeline entry, the ``objection_filed`` event) of an objection filed ``now``."""
    timeline = sorted(document.get("timeline", []), key=chronological)
    unit = current_unit(timeline)  # after an answer: the unit that answered
    due_at, statutory_due_at = now + ANSWER_PERIOD, now + STATUTORY_PERIOD
    event = new_event("objection_filed", document["application_no"], unit_id=unit and unit["unit_id"], text=text,
                      filed_at=clock.to_iso(now, "milliseconds"), due_at=clock.to_iso(due_at),
                      statutory_due_at=clock.to_iso(statutory_due_at))
    fields = {"objection": {"text": text, "filed_at": now, "due_at": due_at, "statutory_due_at": statutory_due_at,
                            "answer": None}}
    entry = {"at": now, "status": "objected", "event_id": event["event_id"],
             "step": max((item.get("step", 0) for item in timeline), default=0)}
    return fields, entry, event


def objection_view(objection_record: Mapping[str, Any]) -> dict[str, Any]:
    """The objection as its applicant sees it: their text, when, and the unit's answer once given."""
    answer = objection_record.get("answer")
    return {"text": objection_record.get("text"), "filed_at": clock.to_iso(objection_record["filed_at"]),
            "answer": answer and {"text": answer["text"], "outcome": answer["outcome"],
                                  "answered_at": clock.to_iso(answer["answered_at"]),
                                  "verification_code": answer.get("verification_code")}}

