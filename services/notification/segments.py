"""How an SMS text will be encoded and how many segments (billed parts) it takes.

Character tables from 3GPP TS 23.038: §6.2.1 (GSM 7-bit default alphabet), §6.2.1.1 (its
extension table) and A.2.1 (Turkish National Language Single Shift Table). Limits as in
stack-notes.md and Verimor's "SMS boy karakter limitleri" table: 160/153, 155/149, 70/67.
"""
from dataclasses import dataclass

GSM7 = "gsm7"
GSM7_TURKISH = "gsm7_turkish"
UCS2 = "ucs2"

# 0x1B (escape) is left out: it is not a character a text can contain.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
TURKISH_SINGLE_SHIFT = GSM7_EXTENSION | frozenset("ĞİŞçğış")

_LIMITS = {
    # encoding: (septets or code units in a single message, per part of a concatenated one)
    GSM7: (160, 153),
    GSM7_TURKISH: (155, 149),
    UCS2: (70, 67),
}


@dataclass(frozen=True)
class SmsEncoding:
    name: str
    units: int
    segments: int


def measure(text: str) -> SmsEncoding:
    """The cheapest encoding that can carry ``text``, its length in that encoding's units
    (septets for GSM-7, UTF-16 code units for UCS-2) and its segment count."""
    characters = set(text)
    if characters <= GSM7_BASIC | GSM7_EXTENSION:
        name, shifted = GSM7, GSM7_EXTENSION
    elif characters <= GSM7_BASIC | TURKISH_SINGLE_SHIFT:
        name, shifted = GSM7_TURKISH, TURKISH_SINGLE_SHIFT
    else:
        name, shifted = UCS2, frozenset()
    if name == UCS2:
        costs = [2 if ord(character) > 0xFFFF else 1 for character in text]
    else:
        # A shift-table character is sent as escape + code. Verimor's own table seems to count
        # Turkish letters as one character; counting two never under-counts what it bills.
        costs = [2 if character in shifted else 1 for character in text]
    single, per_part = _LIMITS[name]
    units = sum(costs)
    return SmsEncoding(name, units, 1 if units <= single else _parts(costs, per_part))


def _parts(costs: list[int], per_part: int) -> int:
    # An escape pair or a surrogate pair is never split across parts, so a part may end short.
    parts, used = 1, 0
    for cost in costs:
        if used + cost > per_part:
            parts, used = parts + 1, 0
        used += cost
    return parts
