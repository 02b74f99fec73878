import pytest

from services.notification.segments import (
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENSION,
    GSM7_TURKISH,
    TURKISH_SINGLE_SHIFT,
    UCS2,
    SmsEncoding,
    measure,
)

TURKISH_LETTERS = "ŞşĞğİıç"
EMOJI = "\U0001F600"  # outside the BMP: a surrogate pair in UTF-16


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", SmsEncoding(GSM7, 0, 1)),
        ("a" * 160, SmsEncoding(GSM7, 160, 1)),
        ("a" * 161, SmsEncoding(GSM7, 161, 2)),
        ("a" * 306, SmsEncoding(GSM7, 306, 2)),
        ("a" * 307, SmsEncoding(GSM7, 307, 3)),
        ("{" + "a" * 158, SmsEncoding(GSM7, 160, 1)),
        ("{" + "a" * 159, SmsEncoding(GSM7, 161, 2)),
        ("€[]~\\|^}", SmsEncoding(GSM7, 16, 1)),
        ("ÖZÜR Ünlü Çay", SmsEncoding(GSM7, 13, 1)),
        ("ş" + "a" * 153, SmsEncoding(GSM7_TURKISH, 155, 1)),
        ("ş" + "a" * 154, SmsEncoding(GSM7_TURKISH, 156, 2)),
        ("ı" * 77 + "a", SmsEncoding(GSM7_TURKISH, 155, 1)),
        ("a" * 298, SmsEncoding(GSM7, 298, 2)),
        ("ç" + "a" * 296, SmsEncoding(GSM7_TURKISH, 298, 2)),
        ("ç" + "a" * 297, SmsEncoding(GSM7_TURKISH, 299, 3)),
        ("Ğ{", SmsEncoding(GSM7_TURKISH, 4, 1)),
        ("a" * 69 + "\u0627", SmsEncoding(UCS2, 70, 1)),
        ("a" * 70 + "\u0627", SmsEncoding(UCS2, 71, 2)),
        ("\u0627" * 70, SmsEncoding(UCS2, 70, 1)),
        ("\u0627" * 71, SmsEncoding(UCS2, 71, 2)),
        ("\u0627" * 134, SmsEncoding(UCS2, 134, 2)),
        ("\u0627" * 135, SmsEncoding(UCS2, 135, 3)),
        (EMOJI * 35, SmsEncoding(UCS2, 70, 1)),
        (EMOJI * 36, SmsEncoding(UCS2, 72, 2)),
        ("ş" + EMOJI, SmsEncoding(UCS2, 3, 1)),
    ],
)
def test_measure(text, expected):
    assert measure(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # 152 plain septets then an escape pair: the pair may not straddle parts 1 and 2.
        ("a" * 152 + "{" + "a" * 152, SmsEncoding(GSM7, 306, 3)),
        ("a" * 148 + "ş" + "a" * 148, SmsEncoding(GSM7_TURKISH, 298, 3)),
        ("a" * 66 + EMOJI + "a" * 66, SmsEncoding(UCS2, 134, 3)),
    ],
)
def test_a_character_is_never_split_across_parts(text, expected):
    assert measure(text) == expected


def test_the_tables_have_the_sizes_of_3gpp_ts_23_038():
    assert len(GSM7_BASIC) == 127  # 128 code points less the escape
    assert len(GSM7_EXTENSION) == 10
    assert TURKISH_SINGLE_SHIFT == GSM7_EXTENSION | set(TURKISH_LETTERS)


@pytest.mark.parametrize("letter", TURKISH_LETTERS)
def test_each_letter_missing_from_gsm7_needs_the_turkish_table(letter):
    assert measure(letter) == SmsEncoding(GSM7_TURKISH, 2, 1)


@pytest.mark.parametrize("letter", "ÖöÜüÇ")
def test_turkish_letters_in_the_default_alphabet_stay_plain_gsm7(letter):
    assert measure(letter) == SmsEncoding(GSM7, 1, 1)
