"""Every SMS text the service sends, per template and language.

A text carries the application number and tracking code and nothing else personal (KVKK), and
must stay within one segment when rendered with the longest values: 155 septets with the Turkish
single-shift table for Turkish, 160 plain GSM-7 for English (tests/unit/test_sms_templates.py).
"""
from collections.abc import Mapping

DEFAULT_LANGUAGE = "tr"
DEFAULT_TRACKING_URL = "acikkapi.gov.tr"

TEMPLATES = {
    "application_received": {
        "tr": (
            "Başvurunuz alındı. Başvuru no: {application_no}, takip kodu: "
            "{tracking_code}. Durumunu {tracking_url} adresinden izleyebilirsiniz."
        ),
        "en": (
            "Your application has been received. Application no: {application_no}, tracking code: "
            "{tracking_code}. Track it at {tracking_url}"
        ),
    },
    # The answer itself is not sent: an SMS can be read by others, the answer may be private.
    "application_answered": {
        "tr": (
            "Başvurunuz {application_no} sonuçlandı. Yanıtı {tracking_url} adresinde, "
            "mobil uygulamada ve Açık Kapı masasında görebilirsiniz."
        ),
        "en": (
            "Your application {application_no} has been concluded. Read the answer at "
            "{tracking_url}, in the mobile app or at an Acik Kapi desk."
        ),
    },
}

REQUIRED_VALUES = {
    "application_received": ("application_no", "tracking_code"),
    "application_answered": ("application_no",),
}


def render(template: str, language: str, values: Mapping[str, str]) -> str:
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
    fields["tracking_url"] = values.get("tracking_url") or DEFAULT_TRACKING_URL
    return texts.get(language, texts[DEFAULT_LANGUAGE]).format_map(fields)
