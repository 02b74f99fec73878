"""Notification's e-mail rules, with no I/O (docs/sms.md#email): which fact owes an e-mail, its
text, how its address is masked, and what staff and tracking are told of it.

An e-mail stands in for an SMS that finally failed (``sms_failed``: the sender gave up, or the
operator reported it undeliverable), or goes alongside every SMS with ``NOTIFY_EMAIL_ALWAYS``.
Either way a fact (application, template, occasion: the SMS's own key without ``resend_of``) owes
one e-mail at most: an admin's resend of the SMS that fails again is the same fact. The address is
not kept in the e-mail: the sender reads it from the recipient when it sends, so an erasure leaves
nothing to find in the e-mails themselves.
"""
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from contracts.events import new_event
from messages import LANGUAGES, SEPARATOR, by_language
from services.notification.domain import FAILED, MAX_AGE, MAX_ATTEMPTS, QUEUED, message_view
from services.notification.notices import NOTICES
from services.notification.templates import DEFAULT_TRACKING_URL

CHANNEL = "email"
# Why an e-mail was owed: the SMS of its fact failed, or every SMS has an e-mail beside it.
SMS_FAILED, ALONGSIDE = "sms_failed", "alongside"
NO_ADDRESS = "no e-mail address on record"

# The notices that have an e-mail (notices.py), subject and body by language.
SUBJECTS = {name: notice.email_subject for name, notice in NOTICES.items() if notice.email_subject}
BODIES = {name: notice.email_body for name, notice in NOTICES.items() if notice.email_body}
SMS_FAILED_INTRO = by_language("email.sms_failed_intro")
FOOTER = by_language("email.footer")
# Between the Turkish and the English text of one e-mail: a line no text of the catalogues holds.
LANGUAGE_DIVIDER = "\n\n" + "-" * 40 + "\n\n"


def fallback_email(failed_sms: Mapping[str, Any], recipient: Mapping[str, Any] | None, now: datetime,
                   tracking_url: str | None = None) -> dict[str, Any] | None:
    """The e-mail a finally failed SMS owes, or None: only to a recipient on record, not erased,
    who gave an address. Every template's SMS qualifies, the reminder too (its code goes to the
    applicant's own address on record, as it went to the phone on record)."""
    if failed_sms["state"] != FAILED or not has_address(recipient):
        return None
    return _email(failed_sms, SMS_FAILED, now, tracking_url)


def companion_email(sms: Mapping[str, Any], now: datetime, tracking_url: str | None = None) -> dict[str, Any]:
    """With NOTIFY_EMAIL_ALWAYS: the e-mail beside a newly queued SMS. Its recipient may not be
    known yet (events of two producers come in any order): the sender decides when it sends."""
    return _email(sms, ALONGSIDE, now, tracking_url)


def companion_owed(recipient: Mapping[str, Any] | None) -> bool:
    """Whether an SMS queued with NOTIFY_EMAIL_ALWAYS has an e-mail beside it: for a recipient not
    known yet (the sender looks again when it sends) or one who gave an address."""
    return recipient is None or has_address(recipient)


def has_address(recipient: Mapping[str, Any] | None) -> bool:
    return bool(recipient and not recipient.get("erased_at") and recipient.get("email"))


def _email(sms: Mapping[str, Any], cause: str, now: datetime, tracking_url: str | None) -> dict[str, Any]:
    subject, text = render(sms["template"], sms["values"], tracking_url, cause == SMS_FAILED)
    return {
        "_id": uuid.uuid4().hex,
        "application_no": sms["application_no"],
        "template": sms["template"],
        "occasion": sms.get("occasion"),  # with application and template: the unique key
        "cause": cause,
        "sms_message_id": sms["_id"],  # the SMS it stands in for, or goes beside
        "subject": subject,
        "text": text,
        "state": QUEUED,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }


def render(template: str, values: Mapping[str, Any], tracking_url: str | None,
           sms_failed: bool) -> tuple[str, str]:
    """(subject, text) of ``template``'s e-mail: Turkish first, then English, as the answers read.
    The link is the tracking page with the number filled in; an address without a scheme gets
    ``https://`` (a mail client links only what looks like a web address)."""
    if template not in SUBJECTS:
        raise KeyError(f"unknown e-mail template {template!r}")
    fields = {name: values.get(name) or "" for name in ("application_no", "tracking_code")}
    fields["tracking_url"] = tracking_link_base(tracking_url)
    subject = SEPARATOR.join(SUBJECTS[template][language].format_map(fields) for language in LANGUAGES)
    parts = []
    for language in LANGUAGES:
        paragraphs = [SMS_FAILED_INTRO[language]] if sms_failed else []
        paragraphs += [BODIES[template][language].format_map(fields), FOOTER[language]]
        parts.append("\n\n".join(paragraphs))
    return subject, LANGUAGE_DIVIDER.join(parts) + "\n"


def tracking_link_base(tracking_url: str | None) -> str:
    base = (tracking_url or DEFAULT_TRACKING_URL).rstrip("/")
    return base if base.startswith(("http://", "https://")) else "https://" + base


def mask_email(address: str) -> str:
    """``ayse.yilmaz@example.com`` → ``a***@e***.com``: enough for the applicant to recognise
    their address, not to write to it. A two-part public suffix stays whole (``…@g***.com.tr``)."""
    local, _, domain = address.strip().rpartition("@")
    if not local or not domain:
        return "***"
    labels = domain.split(".")
    kept = 2 if len(labels) >= 3 and len(labels[-2]) <= 3 else 1
    suffix = "".join("." + label for label in labels[-kept:]) if len(labels) > 1 else ""
    return "{}***@{}***{}".format(local[0], labels[0][:1], suffix)


_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def masked_addresses(text: str) -> str:
    """``text`` (an SMTP server's answer, kept as the reason) with every address in it masked:
    servers quote the recipient ("5.1.1 <ayse@example.com>: unknown user"), staff see the reason."""
    return _ADDRESS.sub(lambda found: mask_email(found.group(0)), text)


def gives_up(email: Mapping[str, Any], now: datetime) -> bool:
    """Bounded as an SMS is: by attempts and by age (a day late, the citizen has read it elsewhere)."""
    return bool(email["attempts"] >= MAX_ATTEMPTS or now - email["created_at"] >= MAX_AGE)


def sent_event(email: Mapping[str, Any], address: str) -> dict[str, Any]:
    """Tracking names the address in the citizen's notice, masked: the full address never travels
    after application_received."""
    return new_event("email_sent", email["application_no"], message_id=email["_id"], template=email["template"],
                     email_masked=mask_email(address))


def email_view(email: Mapping[str, Any]) -> dict[str, Any]:
    """An e-mail as staff see it, in the shape of an SMS's view: no address, no text; ``provider``
    is how it went (``smtp`` or ``log``); an e-mail has no delivery report (``delivered_at`` null)."""
    return message_view(email, channel=CHANNEL)
