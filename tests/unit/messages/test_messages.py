"""The server's message catalogues (messages/): Turkish and English complete and alike, and every
message id the code asks for written in both, so a text cannot go missing in one language."""
import re
import string
from pathlib import Path

import pytest

from messages import CATALOGUES, LANGUAGES, SEPARATOR, bilingual, by_language, message

ROOT = Path(__file__).resolve().parents[3]
CODE = ("common", "contracts", "gateway", "messages", "services")
# A lookup names its message id as a literal, so that this scan (and a reader's grep) finds it.
LOOKUP = re.compile(r"""\b(?:bilingual|by_language|message)\(\s*["']([^"']+)["']""")


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def ids_in_code():
    found = {}
    for package in CODE:
        for path in sorted((ROOT / package).rglob("*.py")):
            for message_id in LOOKUP.findall(path.read_text(encoding="utf-8")):
                found.setdefault(message_id, path.relative_to(ROOT).as_posix())
    return found


def test_turkish_comes_first_and_english_second():
    assert LANGUAGES == ("tr", "en")


def test_every_message_exists_in_both_languages():
    turkish, english = set(CATALOGUES["tr"]), set(CATALOGUES["en"])
    assert sorted(turkish - english) == [], "no English text"
    assert sorted(english - turkish) == [], "no Turkish text"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_is_empty_or_padded(language):
    for message_id, text in CATALOGUES[language].items():
        assert isinstance(text, str) and text.strip(), message_id
        assert text == text.strip(), message_id


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_holds_the_separator_of_the_bilingual_answers(language):
    """Clients and tests split a bilingual text at " / " into its Turkish and its English."""
    for message_id, text in CATALOGUES[language].items():
        assert SEPARATOR not in text, message_id


def test_both_languages_have_the_same_placeholders():
    for message_id, turkish in CATALOGUES["tr"].items():
        assert placeholders(turkish) == placeholders(CATALOGUES["en"][message_id]), message_id


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_formats_with_its_named_placeholders(language):
    """Only named ``{placeholders}``: a positional ``{}`` or a stray brace would fail at run time."""
    for message_id, text in CATALOGUES[language].items():
        names = placeholders(text)
        assert "" not in names and not any(name.isdigit() for name in names), message_id
        text.format(**{name: "x" for name in names})


def test_every_message_id_the_code_asks_for_exists():
    found = ids_in_code()
    assert len(found) > 50  # the scan sees the lookups at all
    missing = {message_id: path for message_id, path in found.items() if message_id not in CATALOGUES["tr"]}
    assert missing == {}


def test_every_message_in_the_catalogues_is_used():
    """A text no code asks for is a text nobody maintains."""
    assert sorted(set(CATALOGUES["tr"]) - set(ids_in_code())) == []


def test_ids_are_dotted_lower_case_names():
    for message_id in CATALOGUES["tr"]:
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", message_id), message_id


def test_a_bilingual_text_is_the_turkish_then_the_english():
    assert bilingual("field.required") == "zorunlu alan / required"
    assert bilingual("field.length", shortest=5, longest=150) == "5–150 karakter olmalı / must be 5–150 characters"


def test_a_message_without_values_is_its_template():
    assert "{application_no}" in message("sms.application_answered", "en")
    assert message("sms.application_answered", "tr", application_no="2026-000001", tracking_url="x").startswith(
        "Başvurunuz sonuçlandı. Yanıtı takip kodunuzla x/takip?no=2026-000001 ")


def test_by_language_is_every_language_of_one_message():
    assert by_language("field.required") == {"tr": "zorunlu alan", "en": "required"}


def test_an_unknown_id_or_language_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        bilingual("no.such.message")
    with pytest.raises(KeyError):
        message("field.required", "de")
