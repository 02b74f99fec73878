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

from services.notification.notices import NOTICES

DEFAULT_LANGUAGE = "tr"
DEFAULT_TRACKING_URL = "acikkapi.gov.tr"

# Views of the one table of notices (notices.py), by the names the SMS side reads them.
TEMPLATES = {name: notice.sms for name, notice in NOTICES.items()}
REQUIRED_VALUES = {name: notice.values for name, notice in NOTICES.items()}
SEGMENTS = {name: notice.segments for name, notice in NOTICES.items() if notice.segments != 1}


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
