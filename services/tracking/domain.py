"""Tracking's rules with no I/O: what each event sets in the read model and adds to the
application's timeline, and the timeline's reading (status, current unit, the facts anyone may
know) that the three views start from: the citizen's view (``public_view``), the staff
statistics (``statistics``) and the public requests of Open311 (``public_requests``).

The read model holds nothing personal (docs/privacy.md#what-is-personal): no name, national ID,
phone or text of the application. The tracking code is kept only as a digest.
"""
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from common import clock
from contracts.events import facts

# The statuses of the timeline, in the order an application usually passes them.
STATUSES = ("received", "routed", "returned", "answered", "objected")

# Compared against when the number is unknown, so both failures cost the same.
_ABSENT_DIGEST = hashlib.sha256(b"no such application").hexdigest()


def normalize_tracking_code(code: str) -> str:
    """As a citizen may type it: lower case, spaces or a dash in the middle."""
    return re.sub(r"[\s-]", "", code).upper()


def tracking_code_digest(code: str) -> str:
    return hashlib.sha256(normalize_tracking_code(code).encode("utf-8")).hexdigest()


def code_matches(document: Mapping[str, Any] | None, tracking_code: str) -> bool:
    stored = (document or {}).get("tracking_code_digest") or _ABSENT_DIGEST
    return hmac.compare_digest(stored, tracking_code_digest(tracking_code)) and document is not None


def received(event: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(fields to set, timeline entry) for ``application_received``.

    Events from different producers arrive in any order, so no event
    overwrites what another owns: status and last change are read off
    the timeline, not stored.
    """
    received_at = clock.from_iso(event["received_at"])
    fields = dict(
        facts(event),
        tracking_code_digest=tracking_code_digest(event["tracking_code"]),
        language=event["language"],
        received_at=received_at,
        due_at=clock.from_iso(event["due_at"]),
    )
    if event.get("statutory_due_at"):  # events of before 2026-12-06 have none
        fields["statutory_due_at"] = clock.from_iso(event["statutory_due_at"])
    return fields, timeline_entry(event, "received", received_at, step=0)


def routed(event: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    entry = timeline_entry(event, "routed", clock.from_iso(event["occurred_at"]), event["step"])
    entry["unit"] = {"unit_id": event["unit_id"], "name": event["unit_name"]}
    return {}, entry


def returned(event: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The reason stays with staff: a unit's internal note is not the citizen's timeline."""
    return {}, timeline_entry(event, "returned", clock.from_iso(event["occurred_at"]), event["step"])


def answered(event: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The first answer is ``answer``; the answer to an objection (``answers_objection``, since
    2026-12-06) is the objection's own, so that events in any order leave each where it belongs."""
    answered_at = clock.from_iso(event["answered_at"])
    answer = {"text": event["answer_text"], "outcome": event["outcome"], "answered_at": answered_at,
              "verification_code": event.get("verification_code")}
    field = "objection.answer" if event.get("answers_objection") else "answer"
    return {field: answer}, timeline_entry(event, "answered", answered_at, event["step"])


def contacted(event: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    return {"last_contacted_at": clock.from_iso(event["occurred_at"])}, None


def deadline(event: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Kept for staff statistics; the citizen sees the due date itself."""
    return {event["event_name"] + "_at": clock.from_iso(event["occurred_at"])}, None


def sms_state(event: Mapping[str, Any], state: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """When each SMS reached each state. Reports arrive in any order, so every state is kept
    rather than a "current" one a late report could overwrite. Not in the public timeline."""
    return {"sms.{}.{}".format(event["template"], state): clock.from_iso(event["occurred_at"])}, None


# The SMS that tell the applicant about their application; a tracking-code reminder is asked for
# on the tracking page, by whoever knew the number and the national id, and its fate is no news there.
APPLICANT_NOTICES = ("application_received", "application_answered")


def sms_failed(document: Mapping[str, Any]) -> bool:
    """An SMS about the application failed and was not delivered after all."""
    return any("failed" in states and "delivered" not in states
               for template, states in (document.get("sms") or {}).items() if template in APPLICANT_NOTICES)


def email_sent(event: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """An e-mail of a template went (issue 23), to the address notification names masked
    (``a***@e***.com``): the notice of a failed SMS says where the e-mail went. Per template, so
    that two e-mails' events in any order leave each where it belongs."""
    template = event["template"]
    return {"emails.{}.to".format(template): event["email_masked"],
            "emails.{}.sent_at".format(template): clock.from_iso(event["occurred_at"])}, None


def notice_email(document: Mapping[str, Any]) -> str | None:
    """The masked address an e-mail went to about a fact whose SMS failed and was not delivered
    after all (the notice of ``sms_failed`` stands), or None."""
    sent = document.get("emails") or {}
    for template, states in (document.get("sms") or {}).items():
        if (template in APPLICANT_NOTICES and "failed" in states and "delivered" not in states
                and (sent.get(template) or {}).get("to")):
            address: str = sent[template]["to"]
            return address
    return None


def emails_erased() -> tuple[dict[str, Any], dict[str, Any] | None]:
    """KVKK: the masked addresses go with the applicant's other data (an empty map, not null: a
    dotted write into null fails, and a late ``email_sent`` must not park its event)."""
    return {"emails": {}}, None


def timeline_entry(event: Mapping[str, Any], status: str, at: datetime, step: int) -> dict[str, Any]:
    return {"at": at, "status": status, "event_id": event["event_id"], "step": step}



def chronological(entry: Mapping[str, Any]) -> tuple[datetime, int]:
    """By time, then by routing's step count: events arrive in any order, and steps of a fast
    officer (or a test) can share a millisecond. Receipt is step 0."""
    return entry["at"], entry.get("step", 0)


def current_unit(timeline: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The unit now handling it: the last routing, unless returned since."""
    for entry in reversed(timeline):
        if entry["status"] == "returned":
            return None
        if entry["status"] == "routed":
            unit: Mapping[str, Any] = entry["unit"]
            return unit
    return None


def public_facts(document: Mapping[str, Any], timeline: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What anyone may know of an application (``timeline`` in order): number, status, category,
    place and dates; the tracking view and the public requests (Open311) both start from it."""
    return {
        "application_no": document["application_no"],
        "status": timeline[-1]["status"],
        "category": document["category"],
        "province": document["province"],
        "district": document["district"],
        "received_at": clock.to_iso(document["received_at"]),
        "due_at": clock.to_iso(document["due_at"]),
        "updated_at": clock.to_iso(timeline[-1]["at"]),
    }


def deadlines(document: Mapping[str, Any], today: date) -> dict[str, dict[str, Any]]:
    """The application's two clocks as the applicant sees them: Açık Kapı's answer target
    (``answer``) and the law's limit (``statutory``, where the record has one), each its due time
    and, until the answer came, the calendar days left from ``today`` (Turkey's date; 0 on the day
    itself, negative once past). After an objection, the objection's two clocks."""
    answered = bool(document.get("answer"))
    clocks = {"answer": document["due_at"], "statutory": document.get("statutory_due_at")}
    objection = document.get("objection")
    if objection:  # the objection's clocks run now (services/tracking/objections.py)
        answered = bool(objection.get("answer"))
        clocks = {"answer": objection["due_at"], "statutory": objection["statutory_due_at"]}
    shown = {}
    for name, due in clocks.items():
        if due is not None:
            due_at = clock.to_iso(due)  # in Turkey's time, so its date is the day it falls due there
            shown[name] = {"due_at": due_at,
                           "days_left": None if answered else (clock.from_iso(due_at).date() - today).days}
    return shown
