"""Finding applications from the staff queue's search box, with no I/O: what a query means and
the words an application is found by (docs/api.md#staff-search).

A query is an application number (``2026-000123``: that one), eleven digits (the applicant's
national ID) or words. Words are compared folded: Turkish case rules (``I`` is the capital of
``ı``, ``İ`` of ``i``), then accents and cedillas dropped and ``ı`` taken as ``i``, so "IŞIK",
"ışık", "Işık" and "isik" (typed on a keyboard without Turkish letters) are one word, and so are
"İzmir" and "izmir", "şikâyet" and "sikayet".

An application keeps its folded words in ``search_words`` (a multikey index with the province),
together with the first 3 and the first 5 letters of every longer word (``STEM_LENGTHS``): Turkish
adds its endings to the word ("yol", "yoldaki"; "çukur", "çukurda"), so a query word of 3 letters
or more is looked up by its longest stem and then compared as a prefix (``WordQuery``): "yol" finds
"yoldaki", "çukurd" finds "çukurda". A 2-letter query word must be a whole word.
"""
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

NUMBER = "number"
NATIONAL_ID = "national_id"
WORDS = "words"

APPLICATION_NUMBER = re.compile(r"\d{4}-\d{6}")
NATIONAL_ID_DIGITS = re.compile(r"\d{11}")
SHORTEST_WORD = 2
STEM_LENGTHS = (5, 3)  # longest first: a query word is looked up by the longest stem it has
# Letters and digits; what separates words is everything else (spaces, punctuation, hyphens) but
# the apostrophe, which in Turkish only sets an ending off a name ("İzmir'de": one word, izmirde).
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = str.maketrans("", "", "'\u2019")


def fold(text: str) -> str:
    """``text`` as words are compared: Turkish lower case, no accents, ``ı`` as ``i``."""
    lowered = text.replace("İ", "i").replace("I", "ı").lower()
    bare = "".join(char for char in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare).replace("ı", "i")


def words(text: str | None) -> list[str]:
    """The folded words of ``text`` of at least SHORTEST_WORD letters, in order, each once."""
    if not text:
        return []
    found = _WORD.findall(fold(text).translate(_APOSTROPHES))
    return list(dict.fromkeys(word for word in found if len(word) >= SHORTEST_WORD))


def search_words(*texts: str | None) -> list[str]:
    """What an application is found by (``search_words``): the words of its texts and their stems
    (``STEM_LENGTHS``, of the words longer than the stem); sorted, each once."""
    found: set[str] = set()
    for text in texts:
        for word in words(text):
            found.add(word)
            found.update(word[:length] for length in STEM_LENGTHS if len(word) > length)
    return sorted(found)


@dataclass(frozen=True)
class WordQuery:
    """One query word: ``key`` is looked up in ``search_words`` (the index narrows by it);
    ``prefix`` set means a stored word must also start with it (the key was its stem)."""

    key: str
    prefix: str | None


@dataclass(frozen=True)
class Query:
    matched_by: str  # NUMBER, NATIONAL_ID or WORDS
    value: str  # the number or the national ID; the folded query for words
    words: tuple[WordQuery, ...] = ()


def parse(q: str) -> Query | None:
    """What a checked query (trimmed, 1–100 characters) asks for; None when it has no word of
    SHORTEST_WORD letters, so nothing could be looked up."""
    if APPLICATION_NUMBER.fullmatch(q):
        return Query(NUMBER, q)
    if NATIONAL_ID_DIGITS.fullmatch(q):
        return Query(NATIONAL_ID, q)
    asked = words(q)
    if not asked:
        return None
    # The longest word first: the store narrows by the first condition, and a long word is rarer.
    ordered = sorted(asked, key=len, reverse=True)
    return Query(WORDS, " ".join(asked), tuple(word_query(word) for word in ordered))


def word_query(word: str) -> WordQuery:
    """By its longest stem, then as a prefix; a word shorter than every stem as a whole word."""
    for length in STEM_LENGTHS:
        if len(word) >= length:
            return WordQuery(word[:length], None if len(word) == length else word)
    return WordQuery(word, None)


def matches(query: Query, stored_words: Iterable[str]) -> bool:
    """Whether an application with ``stored_words`` answers a words ``query`` (what the store's
    filter says, for tests and for engines to agree on)."""
    stored = set(stored_words)
    return all(wanted.key in stored and (wanted.prefix is None or any(word.startswith(wanted.prefix)
                                                                      for word in stored))
               for wanted in query.words)
