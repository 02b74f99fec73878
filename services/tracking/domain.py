"""Tracking's rules with no I/O: the public view of an application and its timeline.

The view holds nothing personal (design.md §4): no name, national ID, phone
or text of the application. The tracking code is kept only as a digest.
The answer's text is shown: it is what the citizen applied for.
"""
import hashlib
import hmac
import re

from common import clock
from common.events import facts

LANGUAGES = ("tr", "en")

STATUS_TEXTS = {
    "received": {
        "tr": "Başvurunuz alındı ve kayda geçti.",
        "en": "Your application has been received and recorded.",
    },
    "routed": {
        "tr": "Başvurunuz çözüm için ilgili birime iletildi.",
        "en": "Your application has been forwarded to the unit responsible.",
    },
    "returned": {
        "tr": "Başvurunuz doğru birime iletilmek üzere yeniden değerlendiriliyor.",
        "en": "Your application is being reassessed to forward it to the right unit.",
    },
    "answered": {
        "tr": "Başvurunuz sonuçlandı; yanıtı aşağıda okuyabilirsiniz.",
        "en": "Your application has been concluded; you can read the answer below.",
    },
}

SMS_FAILED_NOTICE = {
    "tr": "Size SMS ile ulaşamadık. Başvurunuzun durumunu ve sonucunu Açık Kapı masalarında, "
          "web sitesinde ve mobil uygulamada görebilirsiniz.",
    "en": "We could not reach you by SMS. You can read your application's status and result at an "
          "Açık Kapı desk, on the website and in the mobile app.",
}

# Compared against when the number is unknown, so both failures cost the same.
_ABSENT_DIGEST = hashlib.sha256(b"no such application").hexdigest()


def normalize_tracking_code(code):
    """As a citizen may type it: lower case, spaces or a dash in the middle."""
    return re.sub(r"[\s-]", "", code).upper()


def tracking_code_digest(code):
    return hashlib.sha256(normalize_tracking_code(code).encode("utf-8")).hexdigest()


def code_matches(document, tracking_code):
    stored = (document or {}).get("tracking_code_digest") or _ABSENT_DIGEST
    return hmac.compare_digest(stored, tracking_code_digest(tracking_code)) and document is not None


def received(event):
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
    return fields, timeline_entry(event, "received", received_at, step=0)


def routed(event):
    entry = timeline_entry(event, "routed", clock.from_iso(event["occurred_at"]), event["step"])
    entry["unit"] = {"unit_id": event["unit_id"], "name": event["unit_name"]}
    return {}, entry


def returned(event):
    """The reason stays with staff: a unit's internal note is not the citizen's timeline."""
    return {}, timeline_entry(event, "returned", clock.from_iso(event["occurred_at"]), event["step"])


def answered(event):
    answered_at = clock.from_iso(event["answered_at"])
    answer = {"text": event["answer_text"], "outcome": event["outcome"], "answered_at": answered_at}
    return {"answer": answer}, timeline_entry(event, "answered", answered_at, event["step"])


def contacted(event):
    return {"last_contacted_at": clock.from_iso(event["occurred_at"])}, None


def deadline(event):
    """Kept for staff statistics; the citizen sees the due date itself."""
    return {event["event_name"] + "_at": clock.from_iso(event["occurred_at"])}, None


def sms_state(event, state):
    """When each SMS reached each state. Reports arrive in any order, so every state is kept
    rather than a "current" one a late report could overwrite. Not in the public timeline."""
    return {"sms.{}.{}".format(event["template"], state): clock.from_iso(event["occurred_at"])}, None


def sms_failed(document):
    """An SMS failed and was not delivered after all."""
    return any("failed" in states and "delivered" not in states for states in (document.get("sms") or {}).values())


def timeline_entry(event, status, at, step):
    return {"at": at, "status": status, "event_id": event["event_id"], "step": step}


def choose_language(requested, document):
    if requested in LANGUAGES:
        return requested
    return document.get("language", "tr")


def _chronological(entry):
    """By time, then by routing's step count: events arrive in any order, and steps of a fast
    officer (or a test) can share a millisecond. Receipt is step 0."""
    return entry["at"], entry.get("step", 0)


def current_unit(timeline):
    """The unit now handling it: the last routing, unless returned since."""
    for entry in reversed(timeline):
        if entry["status"] == "returned":
            return None
        if entry["status"] == "routed":
            return entry["unit"]
    return None


def public_view(document, language):
    timeline = sorted(document.get("timeline", []), key=_chronological)
    view = {
        "application_no": document["application_no"],
        "status": timeline[-1]["status"],
        "kind": document["kind"],
        "category": document["category"],
        "province": document["province"],
        "district": document["district"],
        "received_at": clock.to_iso(document["received_at"]),
        "due_at": clock.to_iso(document["due_at"]),
        "updated_at": clock.to_iso(timeline[-1]["at"]),
        "timeline": [
            {
                "at": clock.to_iso(entry["at"]),
                "status": entry["status"],
                "text": STATUS_TEXTS[entry["status"]][language],
            }
            for entry in timeline
        ],
    }
    if sms_failed(document):
        view["notice"] = SMS_FAILED_NOTICE[language]
    unit = current_unit(timeline)
    if unit:
        view["unit"] = {"name": unit["name"]}
    if document.get("answer"):
        answer = document["answer"]
        view["answer"] = {"text": answer["text"], "outcome": answer["outcome"],
                          "answered_at": clock.to_iso(answer["answered_at"])}
    return view
