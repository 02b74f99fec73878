import re

import pytest

from services.notification.segments import GSM7, GSM7_TURKISH, measure
from services.notification.templates import DEFAULT_TRACKING_URL, REQUIRED_VALUES, TEMPLATES, render

# The longest values the system produces: a 12-character number, an 8-character code from
# the tracking alphabet, and a tracking address longer than the default.
LONGEST_VALUES = {
    "application_no": "2026-0001234",
    "tracking_code": "WWWWWWWW",
    "tracking_url": "https://acikkapi.gov.tr/takip",
}
ENCODINGS_ALLOWED = {"tr": {GSM7, GSM7_TURKISH}, "en": {GSM7}}
CASES = [(template, language) for template, texts in TEMPLATES.items() for language in texts]


def test_every_template_has_turkish_and_english_and_declares_its_values():
    assert set(REQUIRED_VALUES) == set(TEMPLATES)
    for texts in TEMPLATES.values():
        assert set(texts) == set(ENCODINGS_ALLOWED)


@pytest.mark.parametrize("template, language", CASES)
def test_longest_rendering_fits_one_segment(template, language):
    text = render(template, language, LONGEST_VALUES)

    encoding = measure(text)
    assert encoding.segments == 1, (text, encoding)
    assert encoding.name in ENCODINGS_ALLOWED[language]


@pytest.mark.parametrize("template, language", CASES)
def test_rendering_carries_the_values_and_no_placeholder(template, language):
    text = render(template, language, LONGEST_VALUES)

    for name in REQUIRED_VALUES[template]:
        assert LONGEST_VALUES[name] in text
    assert LONGEST_VALUES["tracking_url"] in text
    assert not re.search(r"[{}]", text)


@pytest.mark.parametrize("template, language", CASES)
def test_values_other_than_the_template_s_own_never_reach_the_text(template, language):
    values = dict(LONGEST_VALUES, phone="+905321234567", national_id="10000000146")

    text = render(template, language, values)

    assert "5321234567" not in text and "10000000146" not in text


def test_turkish_is_written_with_turkish_letters():
    text = render("application_received", "tr", LONGEST_VALUES)

    assert text.startswith("Başvurunuz alındı.")
    assert measure(text).name == GSM7_TURKISH


def test_tracking_url_defaults_to_the_public_address():
    values = {"application_no": "2026-000123", "tracking_code": "ABCD2345"}

    assert DEFAULT_TRACKING_URL in render("application_received", "en", values)


@pytest.mark.parametrize("language", ["de", "", "TR"])
def test_unknown_language_falls_back_to_turkish(language):
    assert render("application_received", language, LONGEST_VALUES) == render(
        "application_received", "tr", LONGEST_VALUES
    )


def test_unknown_template_is_named():
    with pytest.raises(KeyError, match="application_lost"):
        render("application_lost", "tr", LONGEST_VALUES)


@pytest.mark.parametrize("missing", ["application_no", "tracking_code"])
def test_missing_value_is_named(missing):
    values = {name: value for name, value in LONGEST_VALUES.items() if name != missing}

    with pytest.raises(ValueError, match=missing):
        render("application_received", "tr", values)
