import re

import pytest

from services.notification.segments import GSM7, GSM7_TURKISH, measure
from services.notification.templates import DEFAULT_TRACKING_URL, REQUIRED_VALUES, SEGMENTS, TEMPLATES, render

# The longest values the system produces: a 12-character number, an 8-character code from
# the tracking alphabet, a portal address (TRACKING_URL) longer than the default, and the 6-digit
# one-time code of a phone's verification (issue 24).
LONGEST_VALUES = {
    "application_no": "2026-0001234",
    "tracking_code": "WWWWWWWW",
    "tracking_url": "https://www.acikkapi.gov.tr",
    "code": "999999",
}
ENCODINGS_ALLOWED = {"tr": {GSM7, GSM7_TURKISH}, "en": {GSM7}}
CASES = [(template, language) for template, texts in TEMPLATES.items() for language in texts]
# What each template may take, as the issues asked: the received SMS, the reminder and the one-time
# code one segment, the concluded one and the objection's receipt (with their links) two.
SEGMENTS_ASKED = {"application_received": 1, "tracking_code_reminder": 1, "application_answered": 2,
                  "objection_received": 2, "phone_verification_code": 1}
# No application exists yet when the one-time code goes: no number, no link.
WITHOUT_LINK = {"phone_verification_code"}


def test_every_template_has_turkish_and_english_and_declares_its_values():
    assert set(REQUIRED_VALUES) == set(TEMPLATES)
    for texts in TEMPLATES.values():
        assert set(texts) == set(ENCODINGS_ALLOWED)


def test_each_template_is_allowed_the_segments_asked_for():
    assert {template: SEGMENTS.get(template, 1) for template in TEMPLATES} == SEGMENTS_ASKED


@pytest.mark.parametrize("template, language", CASES)
def test_longest_rendering_fits_its_segments(template, language):
    text = render(template, language, LONGEST_VALUES)

    encoding = measure(text)
    assert encoding.segments <= SEGMENTS_ASKED[template], (text, encoding)
    assert encoding.name in ENCODINGS_ALLOWED[language]


@pytest.mark.parametrize("language", ["tr", "en"])
@pytest.mark.parametrize("template", ["application_answered", "tracking_code_reminder", "objection_received"])
def test_the_link_opens_the_tracking_page_with_the_number_filled_in(template, language):
    text = render(template, language, LONGEST_VALUES)

    link = "https://www.acikkapi.gov.tr/takip?no=2026-0001234"
    assert link in text
    assert re.search(re.escape(link) + r"(\s|$)", text), "the link must end at a space or the text's end: " + text


@pytest.mark.parametrize("language", ["tr", "en"])
def test_the_concluded_sms_never_carries_the_tracking_code(language):
    text = render("application_answered", language, LONGEST_VALUES)

    assert LONGEST_VALUES["tracking_code"] not in text


@pytest.mark.parametrize("tracking_url", ["acikkapi.gov.tr/", "https://acikkapi.gov.tr/"])
def test_a_trailing_slash_of_the_address_is_not_doubled(tracking_url):
    text = render("application_answered", "tr", dict(LONGEST_VALUES, tracking_url=tracking_url))

    assert tracking_url + "takip?no=2026-0001234" in text


@pytest.mark.parametrize("template, language", CASES)
def test_rendering_carries_the_values_and_no_placeholder(template, language):
    text = render(template, language, LONGEST_VALUES)

    for name in REQUIRED_VALUES[template]:
        assert LONGEST_VALUES[name] in text
    assert (LONGEST_VALUES["tracking_url"] in text) is (template not in WITHOUT_LINK)
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


@pytest.mark.parametrize("language", ["tr", "en"])
def test_the_one_time_code_says_how_long_it_holds_and_carries_nothing_of_an_application(language):
    text = render("phone_verification_code", language, LONGEST_VALUES)

    assert "999999" in text and "5" in text.replace("999999", "")
    for other in ("application_no", "tracking_code", "tracking_url"):
        assert LONGEST_VALUES[other] not in text
    assert measure(text).segments == 1


def test_the_one_time_code_is_needed():
    with pytest.raises(ValueError, match="code"):
        render("phone_verification_code", "tr", {"application_no": "dogrulama:1"})
