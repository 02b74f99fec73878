"""common/fields.py judges characters with compiled patterns (every text field of every request
passes through them twice): each pattern is checked here against the definition it stands for, on
every code point there is."""
import sys
import unicodedata

from common import fields
from common.fields import Refused, echoable, is_unreadable, text

EVERY_CODE_POINT = [chr(code) for code in range(sys.maxunicode + 1)]


def is_xml_char(char):
    """XML 1.0's Char production."""
    code = ord(char)
    return char in "\t\n\r" or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def test_controls_and_surrogates_are_exactly_unicode_categories_cc_and_cs():
    by_pattern = {char for char in EVERY_CODE_POINT if fields._CONTROL_OR_SURROGATE.fullmatch(char)}
    by_category = {char for char in EVERY_CODE_POINT if unicodedata.category(char) in ("Cc", "Cs")}
    assert by_pattern == by_category and len(by_category) == 65 + 2048


def test_unreadable_means_nul_or_a_lone_surrogate_anywhere():
    unreadable = {char for char in EVERY_CODE_POINT if is_unreadable("a" + char + "b")}
    assert unreadable == {"\x00"} | {chr(code) for code in range(0xD800, 0xE000)}


def test_echoable_escapes_exactly_what_xml_cannot_hold():
    escaped = {char for char in EVERY_CODE_POINT if echoable(char) != char}
    assert escaped == {char for char in EVERY_CODE_POINT if not is_xml_char(char)}
    assert echoable("ad\x00ı\ud800\ufffe") == "ad\\u0000ı\\ud800\\ufffe"
    plain = "Çukur, Ankara\n"
    assert echoable(plain) is plain


def test_text_refuses_controls_but_those_allowed_and_normalises():
    assert text("  Cadde\u0301  ") == "Caddé"
    for bad in ("a\x07b", "a\x85b", "a\ud800b", "satır\nsatır"):
        try:
            text(bad)
        except Refused:
            continue
        raise AssertionError("{!r} was accepted".format(bad))
    assert text("satır\nsatır\tsekme", allowed_controls="\n\t") == "satır\nsatır\tsekme"
