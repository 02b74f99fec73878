"""An application's staff timeline as a hash chain: each entry carries the SHA-256 of its own fields
and of the entry before it, so an entry altered, removed from the middle, inserted or moved is found.

What the chain cannot show on its own: entries cut off the end (the shorter timeline is a valid
chain), or a timeline rewritten whole with every hash recomputed — there is no secret in a hash.
Catching those takes the last hash kept somewhere else (an event, a signed answer).

Applications stored before the chain existed have no hashes (``unchained``); one whose chain began
mid-history has hashed entries after unhashed ones (``partial``), the first hashed one linking to
nothing. No I/O here: the store keeps the entries as ``chained`` returns them.
"""
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from common import clock

INTACT, BROKEN, UNCHAINED, PARTIAL = "intact", "broken", "unchained", "partial"
HASH, PREV_HASH = "hash", "prev_hash"
# The canonical form is this module's own (not shared with answer signing): a change there must
# never change what stored hashes are recomputed from.


def entry_hash(entry: Mapping[str, Any], previous_hash: str | None) -> str:
    """Hex SHA-256 of the entry's fields (but its own ``hash`` and ``prev_hash``) and ``previous_hash``.

    Datetimes, however deep, count to the millisecond in Turkey's time: MongoDB keeps milliseconds
    (cut off, as ``isoformat`` cuts them) and hands back UTC, so an entry read back hashes as written.
    """
    fields = {name: value for name, value in entry.items() if name not in (HASH, PREV_HASH)}
    # One object with both parts: no choice of field values can pass for another previous hash.
    hashed = {"entry": fields, "prev_hash": previous_hash}
    canonical = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=_render_datetime)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _render_datetime(value: object) -> str:
    if isinstance(value, datetime):
        return clock.to_iso(value, "milliseconds")
    raise TypeError("cannot hash a {}".format(type(value).__name__))


def chained(entry: Mapping[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of ``entry`` linked to ``previous`` (the timeline's last entry, None for the first)."""
    previous_hash = previous.get(HASH) if previous is not None else None
    linked = {name: value for name, value in entry.items() if name not in (HASH, PREV_HASH)}
    linked[PREV_HASH] = previous_hash
    linked[HASH] = entry_hash(linked, previous_hash)
    return linked


def chain_state(timeline: Sequence[Mapping[str, Any]]) -> str:
    """``intact``, ``broken``, ``unchained`` (no entry hashed, an empty timeline too) or ``partial``
    (an intact chain begun after unhashed entries)."""
    start = _chain_start(timeline)
    if start is None:
        return UNCHAINED
    if first_broken(timeline) is not None:
        return BROKEN
    return PARTIAL if start > 0 else INTACT


def first_broken(timeline: Sequence[Mapping[str, Any]]) -> int | None:
    """The index of the first entry that fails the chain, or None when none does (unchained included).

    From the first chained entry on, every entry must be chained, link to the hash of the entry
    before it (the first chained one to none) and hash to what it carries. A removed or moved entry
    shows at the entry after the gap, whose link no longer matches.
    """
    start = _chain_start(timeline)
    if start is None:
        return None
    previous_hash: str | None = None
    for index in range(start, len(timeline)):
        entry = timeline[index]
        if not _entry_intact(entry, previous_hash):
            return index
        previous_hash = entry[HASH]
    return None


def _chain_start(timeline: Sequence[Mapping[str, Any]]) -> int | None:
    # An entry with either field is chained: one whose hash was stripped is not taken for an old one.
    return next((index for index, entry in enumerate(timeline) if HASH in entry or PREV_HASH in entry), None)


def _entry_intact(entry: Mapping[str, Any], previous_hash: str | None) -> bool:
    carried = entry.get(HASH)
    if not isinstance(carried, str) or entry.get(PREV_HASH) != previous_hash:
        return False
    try:
        return carried == entry_hash(entry, previous_hash)
    except (TypeError, ValueError):
        # A value no chained entry can hold (chained() would have refused it) was put in afterwards.
        return False
