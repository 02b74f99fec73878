"""services/routing/history_chain: the staff timeline as a hash chain, and what each kind of tampering
looks like to ``chain_state`` and ``first_broken``."""
from datetime import UTC, datetime, timedelta

import bson
import pytest
from bson.codec_options import CodecOptions

from common import clock
from services.routing.history_chain import chain_state, chained, entry_hash, first_broken

RECEIVED_AT = datetime(2026, 3, 2, 9, 15, 7, 654321, tzinfo=clock.TURKEY)
ENTRIES = [
    {"at": RECEIVED_AT, "action": "received", "by": None},
    {"at": RECEIVED_AT + timedelta(hours=2, microseconds=999), "action": "routed", "by": "ankara.router",
     "unit_id": "06-health", "note": "Sağlık müdürlüğünün işi"},
    {"at": RECEIVED_AT + timedelta(days=1), "action": "returned", "by": "ankara.health",
     "reason": "Belediyenin görev alanında", "details": {"asked": [RECEIVED_AT], "count": 1}},
    {"at": RECEIVED_AT + timedelta(days=2, microseconds=500), "action": "routed", "by": "ankara.router",
     "unit_id": "06-municipality", "note": None},
]


def chain(entries, previous=None):
    timeline = []
    for entry in entries:
        timeline.append(chained(entry, timeline[-1] if timeline else previous))
    return timeline


def read_back(timeline, tz_aware=True):
    """The timeline as MongoDB hands it back: milliseconds cut off, UTC (naive unless tz_aware)."""
    document = bson.decode(bson.encode({"timeline": timeline}), codec_options=CodecOptions(tz_aware=tz_aware))
    return document["timeline"]


def test_an_intact_chain():
    timeline = chain(ENTRIES)

    assert chain_state(timeline) == "intact" and first_broken(timeline) is None
    assert timeline[0]["prev_hash"] is None
    assert [entry["prev_hash"] for entry in timeline[1:]] == [entry["hash"] for entry in timeline[:-1]]
    assert len({entry["hash"] for entry in timeline}) == 4


def test_chained_copies_and_does_not_change_the_entry():
    entry = dict(ENTRIES[1])
    linked = chained(entry, {"action": "received", "hash": "ab" * 32})

    assert entry == ENTRIES[1]
    assert linked == dict(ENTRIES[1], prev_hash="ab" * 32, hash=entry_hash(ENTRIES[1], "ab" * 32))


def test_the_hash_covers_the_fields_and_the_previous_hash_but_not_its_own_chain_fields():
    base = entry_hash(ENTRIES[1], "ab" * 32)

    assert entry_hash(dict(ENTRIES[1], hash="x", prev_hash="y"), "ab" * 32) == base
    assert entry_hash(ENTRIES[1], "cd" * 32) != base
    assert entry_hash(ENTRIES[1], None) != base
    assert entry_hash(dict(ENTRIES[1], note="Başka bir not"), "ab" * 32) != base
    assert entry_hash(dict(ENTRIES[1], extra=None), "ab" * 32) != base
    assert entry_hash(dict(reversed(list(ENTRIES[1].items()))), "ab" * 32) == base
    assert len(base) == 64 and set(base) <= set("0123456789abcdef")


@pytest.mark.parametrize("index, field, value", [
    (0, "by", "ankara.router"),
    (1, "unit_id", "06-education"),
    (2, "details", {"asked": [RECEIVED_AT + timedelta(seconds=1)], "count": 1}),
    (3, "at", RECEIVED_AT + timedelta(days=1)),
    (3, "note", "sonradan eklendi"),
])
def test_a_tampered_field_breaks_the_chain_at_its_entry(index, field, value):
    timeline = chain(ENTRIES)
    timeline[index] = dict(timeline[index], **{field: value})

    assert chain_state(timeline) == "broken" and first_broken(timeline) == index


@pytest.mark.parametrize("removed", [0, 1, 2])
def test_a_removed_entry_breaks_the_chain_after_the_gap(removed):
    timeline = chain(ENTRIES)
    del timeline[removed]

    assert chain_state(timeline) == "broken" and first_broken(timeline) == removed


def test_entries_cut_off_the_end_cannot_be_seen_by_the_chain_alone():
    # What the module's docstring says: the last hash has to be kept elsewhere for that.
    assert chain_state(chain(ENTRIES)[:2]) == "intact"


def test_an_entry_inserted_without_a_hash_breaks_the_chain_where_it_is():
    timeline = chain(ENTRIES)
    timeline.insert(2, {"at": RECEIVED_AT, "action": "contacted", "by": "ankara.router"})

    assert chain_state(timeline) == "broken" and first_broken(timeline) == 2


def test_an_entry_inserted_with_its_own_hash_breaks_the_chain_at_the_next_one():
    timeline = chain(ENTRIES)
    timeline.insert(2, chained({"at": RECEIVED_AT, "action": "contacted", "by": "ankara.router"}, timeline[1]))

    assert chain_state(timeline) == "broken" and first_broken(timeline) == 3


def test_an_entry_appended_with_chained_keeps_the_chain_intact():
    timeline = chain(ENTRIES)
    timeline.append(chained({"at": RECEIVED_AT + timedelta(days=3), "action": "answered", "by": "x"}, timeline[-1]))

    assert chain_state(timeline) == "intact"


@pytest.mark.parametrize("first, second", [(0, 1), (1, 2), (2, 3), (0, 3)])
def test_reordered_entries_break_the_chain_at_the_first_moved(first, second):
    timeline = chain(ENTRIES)
    timeline[first], timeline[second] = timeline[second], timeline[first]

    assert chain_state(timeline) == "broken" and first_broken(timeline) == first


@pytest.mark.parametrize("change, index", [
    (lambda entry: {name: value for name, value in entry.items() if name != "hash"}, 2),
    (lambda entry: {name: value for name, value in entry.items() if name not in ("hash", "prev_hash")}, 2),
    (lambda entry: dict(entry, hash=None), 2),
    (lambda entry: dict(entry, hash=entry["hash"].upper()), 2),
    (lambda entry: dict(entry, prev_hash=None), 2),
    (lambda entry: dict(entry, details={"asked": [object()]}), 2),
], ids=["hash-removed", "both-removed", "hash-none", "hash-altered", "link-removed", "unhashable-value"])
def test_an_entry_whose_chain_fields_are_tampered_with_is_broken(change, index):
    timeline = chain(ENTRIES)
    timeline[index] = change(timeline[index])

    assert chain_state(timeline) == "broken" and first_broken(timeline) == index


def test_stripping_the_chain_off_the_first_entries_breaks_it():
    timeline = chain(ENTRIES)
    timeline[0] = ENTRIES[0]
    timeline[1] = ENTRIES[1]

    assert chain_state(timeline) == "broken" and first_broken(timeline) == 2


@pytest.mark.parametrize("timeline", [[], ENTRIES, ENTRIES[:1]], ids=["empty", "four", "one"])
def test_a_timeline_stored_before_the_chain_is_unchained(timeline):
    assert chain_state(timeline) == "unchained" and first_broken(timeline) is None


def test_a_chain_begun_mid_history_is_partial():
    timeline = ENTRIES[:2] + chain(ENTRIES[2:], previous=ENTRIES[1])

    assert timeline[2]["prev_hash"] is None
    assert chain_state(timeline) == "partial" and first_broken(timeline) is None


def test_a_partial_chain_is_checked_from_its_first_hashed_entry():
    timeline = ENTRIES[:2] + chain(ENTRIES[2:])
    tampered = timeline[:3] + [dict(timeline[3], note="değişti")]
    unlinked = timeline[:2] + [dict(timeline[2], prev_hash="ab" * 32, hash=entry_hash(timeline[2], "ab" * 32)),
                               timeline[3]]
    unhashed_after = timeline + [{"at": RECEIVED_AT, "action": "contacted", "by": "x"}]

    assert chain_state(tampered) == "broken" and first_broken(tampered) == 3
    assert chain_state(unlinked) == "broken" and first_broken(unlinked) == 2
    assert chain_state(unhashed_after) == "broken" and first_broken(unhashed_after) == 4
    # An old entry may be changed unseen: the chain begins after it.
    assert chain_state([dict(ENTRIES[0], by="x")] + timeline[1:]) == "partial"


@pytest.mark.parametrize("tz_aware", [True, False], ids=["aware", "naive"])
def test_a_chain_read_back_from_mongodb_is_still_intact(tz_aware):
    timeline = chain(ENTRIES)
    stored = read_back(timeline, tz_aware)

    # the store cut the microseconds off (and, naive, the time zone)
    assert stored[1]["at"].microsecond == ENTRIES[1]["at"].microsecond // 1000 * 1000 != ENTRIES[1]["at"].microsecond
    assert chain_state(stored) == "intact"
    stored[3]["at"] = stored[3]["at"] + timedelta(milliseconds=1)
    assert chain_state(stored) == "broken" and first_broken(stored) == 3


def test_a_moment_hashes_the_same_in_any_time_zone_and_to_the_millisecond():
    moment = datetime(2026, 3, 2, 6, 15, 7, 654999, tzinfo=UTC)
    entry = {"action": "received", "by": None}

    same = [moment, moment.astimezone(clock.TURKEY), moment.replace(microsecond=654000),
            moment.replace(microsecond=654000, tzinfo=None)]
    hashes = {entry_hash(dict(entry, at=value), None) for value in same}
    assert len(hashes) == 1
    assert entry_hash(dict(entry, at=moment.replace(microsecond=655000)), None) not in hashes
