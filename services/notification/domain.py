"""Notification's rules with no I/O: which SMS a fact owes, and when to try again."""
import random
import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from common import clock
from common.errors import Conflict
from contracts.events import new_event
from messages import LANGUAGES, SEPARATOR, by_language
from services.notification import failures
from services.notification.segments import measure
from services.notification.templates import render

QUEUED, SENDING, SENT, DELIVERED, FAILED = "queued", "sending", "sent", "delivered", "failed"
# Not sent because the applicant's personal data was erased (KVKK) first; final, outside the
# progression below, so nothing (a late send, a report) moves a cancelled message.
CANCELLED = "cancelled"
UNSENT = (QUEUED, SENDING)
MAX_ATTEMPTS = 8
SENDING_LEASE = timedelta(seconds=60)  # longer than a provider call's timeout; SMS_SENDING_LEASE_SECONDS
MAX_AGE = timedelta(hours=24)  # an SMS about an application is no use a day late: the citizen reads it elsewhere

# States only move forward: a late "sent" report after "delivered" changes nothing. "delivered"
# is past "failed": a handset can report delivery after we gave up waiting, and that is news.
_PROGRESS = {QUEUED: 0, SENDING: 1, SENT: 2, FAILED: 3, DELIVERED: 4}


def states_before(state: str) -> list[str]:
    """The states a message may be in for ``state`` to be news."""
    return [earlier for earlier, rank in _PROGRESS.items() if rank < _PROGRESS[state]]
# The first two templates are named after the event that owes them; the reminder is owed by
# tracking_code_requested, once per request (its ``occasion``).
RECEIVED = "application_received"
CONCLUDED = "application_answered"
REMINDER = "tracking_code_reminder"
OBJECTION_RECEIVED = "objection_received"
# The one-time code proving a phone number (phone_verification_requested, issue 24), keyed under a
# pseudo application number (verification_codes.py). It is sent until its ``send_until`` at most,
# keeps no code once final, and owes no event: no application exists to track, or to e-mail about.
VERIFICATION_CODE = "phone_verification_code"
_OWES_NO_EVENTS = frozenset({VERIFICATION_CODE})


def received_message(event: Mapping[str, Any], now: datetime, tracking_url: str | None = None) -> dict[str, Any]:
    """The "received" SMS: number and tracking code only, in the applicant's language."""
    values = {"application_no": event["application_no"], "tracking_code": event["tracking_code"]}
    return new_message(RECEIVED, event.get("language") or "tr", values, now, tracking_url)


def concluded_message(event: Mapping[str, Any], language: str | None, now: datetime,
                      tracking_url: str | None = None) -> dict[str, Any]:
    """The "concluded" SMS: says where to read the answer, never the answer itself.

    ``language`` is the recipient's, None while application_received has not been handled yet
    (events of two producers come in any order): the text then waits for it (``rendered``).
    """
    # the answer to an objection is a second fact of the template: a second "concluded" SMS
    occasion = "objection" if event.get("answers_objection") else None
    return new_message(CONCLUDED, language, {"application_no": event["application_no"]}, now, tracking_url,
                       occasion=occasion)


def objection_message(event: Mapping[str, Any], language: str | None, now: datetime,
                      tracking_url: str | None = None) -> dict[str, Any]:
    """The objection was received: the number and where to follow it (one per application: an
    application can be objected to once). ``language`` as for ``concluded_message``."""
    return new_message(OBJECTION_RECEIVED, language, {"application_no": event["application_no"]}, now, tracking_url)


def reminder_message(event: Mapping[str, Any], language: str | None, now: datetime,
                     tracking_url: str | None = None) -> dict[str, Any]:
    """The tracking code again, asked for by the applicant (tracking_code_requested): one message
    per request, however often the event comes (``occasion``: the request's time). ``language``
    as for ``concluded_message``."""
    values = {"application_no": event["application_no"], "tracking_code": event["tracking_code"]}
    return new_message(REMINDER, language, values, now, tracking_url, occasion=event["requested_at"])


def new_message(template: str, language: str | None, values: dict[str, str], now: datetime,
                tracking_url: str | None, occasion: str | None = None) -> dict[str, Any]:
    """A new queued message of ``template`` about ``values["application_no"]``, rendered now if
    ``language`` is known (else it waits for it: ``rendered``)."""
    message: dict[str, Any] = {
        "_id": uuid.uuid4().hex,
        "application_no": values["application_no"],
        "template": template,
        "resend_of": None,  # the failed message this one sends again (resent_message); part of the unique key
        # which of a template's several facts this message is about (None: the template has one per
        # application); part of the unique key
        "occasion": occasion,
        "values": values,
        "language": None,
        "text": None,
        "state": QUEUED,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }
    if language is not None:
        message.update(rendered(message, language, tracking_url))
    return message


def rendered(message: Mapping[str, Any], language: str, tracking_url: str | None = None) -> dict[str, Any]:
    """The fields of ``message`` once its language is known."""
    text = render(message["template"], language, dict(message["values"], tracking_url=tracking_url))
    encoding = measure(text)
    return {"language": language, "text": text, "encoding": encoding.name, "segments": encoding.segments}


def next_attempt_at(attempts: int, now: datetime) -> datetime:
    """Exponential backoff with jitter, capped at five minutes."""
    delay = min(2 ** attempts, 300)
    return now + timedelta(seconds=delay * random.uniform(0.5, 1.0))


def gives_up(message: Mapping[str, Any], now: datetime) -> bool:
    """Bounded by count and by age, and by the message's own ``send_until`` where it has one (a
    one-time code is of no use once it expired)."""
    send_until = message.get("send_until")
    return bool(message["attempts"] >= MAX_ATTEMPTS or now - message["created_at"] >= MAX_AGE
                or (send_until is not None and now >= clock.aware(send_until)))


def retry_at(message: Mapping[str, Any], now: datetime) -> datetime:
    """When a failed attempt of ``message`` is tried again: the backoff, but never past its
    ``send_until`` (then it is given up at once, not minutes later)."""
    backoff = next_attempt_at(message["attempts"], now)
    send_until = message.get("send_until")
    return backoff if send_until is None else min(backoff, clock.aware(send_until))


def delivery_is_news(message: Mapping[str, Any], failed_facts: Collection[tuple[str, str]]) -> bool:
    """Whether delivering ``message`` owes sms_delivered: only where it clears a citizen's notice,
    i.e. this message, or another of the same application and template (``failed_facts``: such
    pairs with a failed message), had failed (tracking shows "we could not reach you" until one is
    delivered). Every other delivery the staff record asks notification for (issue 20)."""
    return message["state"] == FAILED or (message["application_no"], message["template"]) in failed_facts


def owes_events(message: Mapping[str, Any]) -> bool:
    """Whether ``message``'s delivery or failure is news to anyone (tracking, the e-mail fallback)."""
    return message["template"] not in _OWES_NO_EVENTS


def delivered_event(message: Mapping[str, Any], provider: str) -> dict[str, Any] | None:
    """sms_delivered, or None where the message owes no event (``owes_events``)."""
    if not owes_events(message):
        return None
    return new_event("sms_delivered", message["application_no"], message_id=message["_id"],
                     template=message["template"], provider=provider)


def failed_event(message: Mapping[str, Any], provider: str, reason: str) -> dict[str, Any] | None:
    """sms_failed, or None where the message owes no event (``owes_events``)."""
    if not owes_events(message):
        return None
    return new_event("sms_failed", message["application_no"], message_id=message["_id"],
                     template=message["template"], provider=provider, reason=reason)


def message_view(message: Mapping[str, Any], channel: str = "sms") -> dict[str, Any]:
    """A message as staff see it: no phone, no text; the time of each state it reached (null where
    not reached). A message that failed before ``failed_at`` was recorded failed at its last update.
    An e-mail has the same view (emails.email_view), ``channel`` "email"."""
    failed_at = message.get("failed_at")
    if failed_at is None and message["state"] == FAILED:
        failed_at = message.get("updated_at")
    return {
        "message_id": message["_id"],
        "application_no": message["application_no"],
        "template": message["template"],
        "channel": channel,  # SMS and e-mails side by side in the staff record
        "state": message["state"],
        "attempts": message["attempts"],
        "provider": message.get("provider"),
        "last_error": message.get("last_error"),
        "created_at": clock.to_iso(message["created_at"]),
        "updated_at": clock.to_iso(message.get("updated_at") or message["created_at"]),
        "sent_at": _iso_or_none(message.get("sent_at")),
        "delivered_at": _iso_or_none(message.get("delivered_at")),
        "failed_at": _iso_or_none(failed_at),
    }


def _iso_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else clock.to_iso(moment)


def failed_message_view(message: Mapping[str, Any], recipient: Mapping[str, Any] | None) -> dict[str, Any]:
    """A failed message on the admins' list: why it failed, whether it may be resent and, if not,
    why not (``resend_refusal``: the texts a resend would be refused with)."""
    refusal = resend_refusal(message, recipient)
    return dict(message_view(message), resendable=refusal is None,
                resend_refusal=None if refusal is None else dict(_RESEND_REFUSAL_TEXTS[refusal]),
                reason=failures.failure_reason(failures.failure_cause(message.get("last_error"))))


NOT_FAILED, ALREADY_RESENT, NO_RECIPIENT, NUMBER_FAULT = "not_failed", "already_resent", "no_recipient", "number_fault"
_RESEND_REFUSAL_TEXTS = {  # {language: text} for the admins' list
    NOT_FAILED: by_language("notification.resend.not_failed"),
    ALREADY_RESENT: by_language("notification.resend.already_resent"),
    NO_RECIPIENT: by_language("notification.resend.no_recipient"),
    NUMBER_FAULT: by_language("notification.resend.number_fault"),
}
# and both languages in one line, as every error message reads
_RESEND_REFUSALS = {refusal: SEPARATOR.join(texts[language] for language in LANGUAGES)
                    for refusal, texts in _RESEND_REFUSAL_TEXTS.items()}


def resend_refusal(message: Mapping[str, Any], recipient: Mapping[str, Any] | None) -> str | None:
    """Why ``message`` may not be sent again (a key of ``_RESEND_REFUSALS``), or None: only a failed
    message, once, to a recipient whose phone is still on record, and not when the number itself
    was the fault (it would fail again)."""
    if message["state"] != FAILED:
        return NOT_FAILED
    if message.get("resent_as"):
        return ALREADY_RESENT
    if recipient is None or recipient.get("erased_at") or not recipient.get("phone"):
        return NO_RECIPIENT
    if failures.is_number_fault(failures.failure_cause(message.get("last_error"))):
        return NUMBER_FAULT
    return None


def check_resendable(message: Mapping[str, Any], recipient: Mapping[str, Any] | None) -> None:
    refusal = resend_refusal(message, recipient)
    if refusal is not None:
        raise not_resendable(refusal)


def not_resendable(refusal: str) -> Conflict:
    return Conflict("sms_not_resendable", _RESEND_REFUSALS[refusal])


def resent_message(failed: Mapping[str, Any], recipient: Mapping[str, Any], by: str, now: datetime,
                   tracking_url: str | None = None) -> dict[str, Any]:
    """A new queued message with the failed one's application, template and values, in the
    recipient's language, rendered afresh; ``resend_of`` names the failed one (so a second resend
    of it meets the unique key) and ``resent_by`` the admin."""
    message = new_message(failed["template"], recipient.get("language") or failed.get("language") or "tr",
                          dict(failed["values"]), now, tracking_url, occasion=failed.get("occasion"))
    message.update(resend_of=failed["_id"], resent_by=by)
    return message


def personal_data_view(recipient: Mapping[str, Any] | None, messages: Iterable[Mapping[str, Any]],
                       email_views: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """What notification holds about an application's applicant, for a KVKK export: the phone and
    the e-mail address (null once erased) and every SMS and e-mail with its states and times (no
    text: it is the same for all); ``email_views``: the e-mails as ``emails.email_view`` shows them."""
    erased_at = (recipient or {}).get("erased_at")
    return {
        "recipient": None if recipient is None or erased_at else {
            "phone": recipient["phone"], "language": recipient.get("language"), "email": recipient.get("email")},
        "erased_at": erased_at and clock.to_iso(erased_at),
        "messages": [message_view(message) for message in messages] + [dict(view) for view in email_views],
    }
