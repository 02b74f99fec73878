"""The SMS the service sends: each template's texts per language (messages/: ``sms.*``) and values.

A text carries the application number and tracking code and nothing else personal (KVKK); the
one-time code of a phone's verification (verification_codes.py) carries only that code. A text
must stay within its segments (SEGMENTS: one, unless said) when rendered with the longest values:
155 septets with the Turkish single-shift table for Turkish, 160 plain GSM-7 for English, 149 and
153 per part of a longer one (tests/unit/notification/test_sms_templates.py).

``tracking_url`` (TRACKING_URL) is the portal's address, a bare host by default; the texts name its
pages below it (``/takip?no=…``), so a trailing slash is dropped.
"""
from collections.abc import Mapping

from messages import by_language

DEFAULT_LANGUAGE = "tr"
DEFAULT_TRACKING_URL = "acikkapi.gov.tr"

# The texts themselves are in the message catalogues (messages/tr.py, messages/en.py: ``sms.*``).
TEMPLATES = {
    "application_received": by_language("sms.application_received"),
    # The answer itself is not sent: an SMS can be read by others, the answer may be private.
    "application_answered": by_language("sms.application_answered"),
    # A lost code asked for again (the tracking_code_requested event); the number only in the link.
    "tracking_code_reminder": by_language("sms.tracking_code_reminder"),
    # The applicant's objection to the answer was received (objection_filed): the number, a link.
    "objection_received": by_language("sms.objection_received"),
    # The one-time code proving a phone number (phone_verification_requested, issue 24): no
    # application exists yet, so no number and no link; the code is masked once the SMS is final.
    "phone_verification_code": by_language("sms.phone_verification_code"),
}

REQUIRED_VALUES = {
    "application_received": ("application_no", "tracking_code"),
    "application_answered": ("application_no",),
    "tracking_code_reminder": ("application_no", "tracking_code"),
    "objection_received": ("application_no",),
    "phone_verification_code": ("code",),
}

# The most segments a text may take with the longest values; one where not named. The "concluded"
# text carries a link to the tracking page with the number in it, which one segment cannot hold.
SEGMENTS = {"application_answered": 2, "objection_received": 2}


def render(template: str, language: str, values: Mapping[str, str | None]) -> str:
    """The text of ``template`` in ``language`` (Turkish for a language we have no text in).

    ``values`` must hold the template's REQUIRED_VALUES; ``tracking_url`` is optional (the
    TRACKING_URL setting, DEFAULT_TRACKING_URL when not given). Other keys are ignored.
    """
    if template not in TEMPLATES:
        raise KeyError(f"unknown SMS template {template!r}")
    texts = TEMPLATES[template]
    missing = [name for name in REQUIRED_VALUES[template] if not values.get(name)]
    if missing:
        raise ValueError(f"SMS template {template!r} needs value(s): {', '.join(missing)}")
    fields = {name: values[name] for name in REQUIRED_VALUES[template]}
    fields["tracking_url"] = (values.get("tracking_url") or DEFAULT_TRACKING_URL).rstrip("/")
    return texts.get(language, texts[DEFAULT_LANGUAGE]).format_map(fields)
