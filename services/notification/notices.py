"""Every notice notification sends, once: its SMS text and, where it has one, its e-mail (subject
and body), the values it needs, and how many SMS segments it may take. A new notice is one row
here; templates.py renders the SMS, emails.py the e-mail.

The texts are in the message catalogues (messages/tr.py, messages/en.py: ``sms.*``, ``email.*``).
A text carries the application number and tracking code and nothing else personal (KVKK); an
e-mail says what its SMS says, and carries the tracking code only where the SMS does.
"""
from dataclasses import dataclass

from messages import by_language


@dataclass(frozen=True)
class Notice:
    sms: dict[str, str]  # language → the SMS text, with {placeholders}
    values: tuple[str, ...]  # the values the texts need (``tracking_url`` is always there)
    # The most segments the SMS may take with the longest values (tests/unit/notification/test_sms_templates.py).
    segments: int = 1
    email_subject: dict[str, str] | None = None  # None: the notice has no e-mail
    email_body: dict[str, str] | None = None


NOTICES = {
    "application_received": Notice(
        by_language("sms.application_received"), ("application_no", "tracking_code"),
        email_subject=by_language("email.application_received.subject"),
        email_body=by_language("email.application_received.body")),
    # Where to read the answer, never the answer itself: an SMS or an inbox can be read by others,
    # and the answer may be private. The link to the tracking page takes a second segment.
    "application_answered": Notice(
        by_language("sms.application_answered"), ("application_no",), segments=2,
        email_subject=by_language("email.application_answered.subject"),
        email_body=by_language("email.application_answered.body")),
    # A lost code asked for again (the tracking_code_requested event); the number only in the link.
    "tracking_code_reminder": Notice(
        by_language("sms.tracking_code_reminder"), ("application_no", "tracking_code"),
        email_subject=by_language("email.tracking_code_reminder.subject"),
        email_body=by_language("email.tracking_code_reminder.body")),
    # The applicant's objection to the answer was received (objection_filed): the number, a link.
    "objection_received": Notice(
        by_language("sms.objection_received"), ("application_no",), segments=2,
        email_subject=by_language("email.objection_received.subject"),
        email_body=by_language("email.objection_received.body")),
    # The one-time code proving a phone number (phone_verification_requested, issue 24): no
    # application exists yet, so no number and no link; the code is masked once the SMS is final.
    # No e-mail: the code proves the phone it is sent to.
    "phone_verification_code": Notice(by_language("sms.phone_verification_code"), ("code",)),
}
