"""The one-time code that proves a phone number (issue 24, docs/sms.md#verification-code); no I/O.

Intake keeps only the code's digest and publishes ``phone_verification_requested`` with the code,
the phone and ``expires_at``. No application exists yet, so the SMS is keyed under a pseudo
application number, ``dogrulama:<verification_id>``, which no real number (``2026-000123``) can
be, with a recipient record of its own (the phone, the language; no province, no e-mail): the
dispatcher finds the phone as for any message, and the unique key (application, template,
occasion) gives one SMS per verification however often the event comes.

The code is a secret: the SMS goes until ``expires_at`` at most (``send_until``, read by
``domain.gives_up``), and once it is final (with the provider, or failed) its text and values keep
the code masked and the pseudo recipient is erased as a KVKK erasure erases one. It owes no event
(``domain.owes_events``) and appears in no staff list or export.
"""
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from common import clock
from services.notification import domain

TEMPLATE = domain.VERIFICATION_CODE
PREFIX = "dogrulama:"
# Every pseudo number sorts from PREFIX up to (not including) this: one index range finds them all.
PREFIX_END = PREFIX[:-1] + chr(ord(PREFIX[-1]) + 1)
MASK = "******"
# A verification's SMS record (state, times, provider ids: for late delivery reports) and its erased
# recipient (so that a redelivered event sends nothing) are deleted this long after; looked for at
# most once per DISCARD_EVERY in a process, when a new code is asked for.
KEPT_FOR = timedelta(days=7)
DISCARD_EVERY = timedelta(hours=1)


def pseudo_application_no(verification_id: str) -> str:
    return PREFIX + verification_id


def is_pseudo(application_no: str | None) -> bool:
    """Whether ``application_no`` keys a verification's SMS, not an application."""
    return isinstance(application_no, str) and application_no.startswith(PREFIX)


def recipient(event: Mapping[str, Any]) -> tuple[str, str, str, None, None]:
    """``(application_no, phone, language, province_code, email)`` of the verification's recipient,
    as ``NotificationStore.remember_recipient`` takes it."""
    return (pseudo_application_no(event["verification_id"]), event["phone"], event["language"] or "tr", None, None)


def code_message(event: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The SMS carrying the code, in the citizen's language, to be sent until ``expires_at``."""
    values = {"application_no": pseudo_application_no(event["verification_id"]), "code": event["code"]}
    message = domain.new_message(TEMPLATE, event["language"] or "tr", values, now, None)
    message["send_until"] = clock.from_iso(event["expires_at"])
    return message


def holds_code(message: Mapping[str, Any]) -> bool:
    """Whether ``message`` is a verification's SMS whose code is still in it."""
    return message["template"] == TEMPLATE and (message.get("values") or {}).get("code") != MASK


def forgotten(message: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a final verification SMS once the code is masked in its text and values."""
    return {"text": masked(message, message.get("text")),
            "values": dict(message["values"], code=MASK)}


def masked(message: Mapping[str, Any], text: str | None) -> str | None:
    """``text`` (the SMS's text, or a provider's reason) with ``message``'s code masked, if it has one."""
    code = (message.get("values") or {}).get("code")
    if text is None or message["template"] != TEMPLATE or not code or code == MASK:
        return text
    return text.replace(code, MASK)


def discard_before(last_discarded: datetime | None, now: datetime) -> datetime | None:
    """The creation time before which verifications' records go now, or None if they were looked
    for less than DISCARD_EVERY ago (``last_discarded``)."""
    if last_discarded is not None and now - last_discarded < DISCARD_EVERY:
        return None
    return now - KEPT_FOR
