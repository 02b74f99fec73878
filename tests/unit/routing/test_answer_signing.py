"""services/routing/answer_signing: answers signed with Ed25519, the keys' setting, the text's digest
and the verification code."""
import base64
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bson
import pytest
from bson.codec_options import CodecOptions

from common import clock
from services.routing import answer_signing as signing

ROOT = Path(__file__).resolve().parents[3]
ANSWERED_AT = datetime(2026, 3, 9, 14, 30, 5, 123456, tzinfo=clock.TURKEY)
TEXT = "Sayın başvuru sahibi,\nTalebiniz incelenmiş ve sağlık ocağının çalışma saatleri uzatılmıştır.\n"
# A fixed seed, so that the parse-error tests can look for it in the messages.
SEED = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
OTHER_SEED = base64.urlsafe_b64encode(bytes(range(100, 132))).rstrip(b"=").decode()


def fields_for(key_id="k2026", **changes):
    fields = signing.signed_fields("AK-2026-000123", "06-health", "Ankara İl Sağlık Müdürlüğü", ANSWERED_AT,
                                   signing.answer_digest(TEXT), "7QK2M-9XHDA", key_id)
    fields.update(changes)
    return fields


def published(*keys):
    return {key.key_id: key.public_key_b64 for key in keys}


@pytest.fixture
def key():
    return signing.parse_signing_keys("k2026:" + SEED)[0]


# --- signing and verifying ---------------------------------------------------------------------

def test_a_signature_verifies_with_the_signing_keys_public_key(key):
    signature = signing.sign(key, fields_for())

    assert signing.signature_valid(published(key), "k2026", fields_for(), signature)
    assert "=" not in signature and len(base64.urlsafe_b64decode(signature + "==")) == 64


@pytest.mark.parametrize("changed", [
    {"text_sha256": signing.answer_digest(TEXT + " Ek bilgi.")},
    {"answered_at": ANSWERED_AT + timedelta(days=1)},
    {"answered_at": ANSWERED_AT + timedelta(milliseconds=1)},
    {"unit_id": "06-education"},
    {"unit_name": "Ankara İl Milli Eğitim Müdürlüğü"},
    {"application_no": "AK-2026-000124"},
    {"verification_code": "7QK2M-9XHDB"},
], ids=["text", "date", "one-millisecond", "unit", "unit-name", "number", "code"])
def test_a_changed_field_fails(key, changed):
    signature = signing.sign(key, fields_for())

    assert not signing.signature_valid(published(key), "k2026", fields_for(**changed), signature)


def test_a_signature_by_another_key_fails(key):
    impostor = signing.SigningKey("k2026", signing.parse_signing_keys("x:" + OTHER_SEED)[0].private_key)

    assert not signing.signature_valid(published(key), "k2026", fields_for(), signing.sign(impostor, fields_for()))


def test_an_unknown_key_id_is_false_not_an_error(key):
    signature = signing.sign(key, fields_for())

    assert not signing.signature_valid(published(key), "k2025", fields_for(), signature)
    assert not signing.signature_valid({}, "k2026", fields_for(), signature)


def test_fields_naming_another_key_fail(key):
    other = signing.new_signing_key("k2025")
    fields = fields_for(key_id="k2025")
    signature = signing.sign(key, fields)

    assert not signing.signature_valid(dict(published(other), k2026=key.public_key_b64), "k2026", fields, signature)


@pytest.mark.parametrize("public_key, signature", [
    ("not base64!", None),
    ("AAAA", None),  # three bytes, not a key
    ("", None),
    (None, "not base64!"),
    (None, "AAAA"),  # too short for a signature
    (None, ""),
    (None, "A"),  # no whole byte
], ids=["key-alphabet", "key-length", "key-empty", "sig-alphabet", "sig-length", "sig-empty", "sig-one-char"])
def test_a_malformed_key_or_signature_is_false_not_an_error(key, public_key, signature):
    good = signing.sign(key, fields_for())
    keys = {"k2026": key.public_key_b64 if public_key is None else public_key}

    assert not signing.signature_valid(keys, "k2026", fields_for(), good if signature is None else signature)


def test_a_signature_verifies_padded_or_not(key):
    signature = signing.sign(key, fields_for())
    keys = {"k2026": key.public_key_b64 + "="}

    assert signing.signature_valid(keys, "k2026", fields_for(), signature + "==")


def test_after_a_rotation_the_first_key_signs_and_the_second_still_verifies():
    old = signing.new_signing_key("k2025")
    old_signature = signing.sign(old, fields_for(key_id="k2025"))
    new = signing.new_signing_key("k2026")
    setting = ",".join([signing.key_setting(new), signing.key_setting(old)])

    keys = signing.parse_signing_keys(setting)
    public_keys = {view["key_id"]: view["public_key"] for view in map(signing.public_key_view, keys)}
    new_signature = signing.sign(keys[0], fields_for(key_id=keys[0].key_id))

    assert [k.key_id for k in keys] == ["k2026", "k2025"]
    assert signing.signature_valid(public_keys, "k2025", fields_for(key_id="k2025"), old_signature)
    assert signing.signature_valid(public_keys, "k2026", fields_for(key_id="k2026"), new_signature)
    assert not signing.signature_valid(public_keys, "k2025", fields_for(key_id="k2025"), new_signature)


def test_the_public_key_view(key):
    view = signing.public_key_view(key)

    assert view == {"key_id": "k2026", "algorithm": "Ed25519", "public_key": key.public_key_b64}
    assert len(view["public_key"]) == 43 and len(base64.urlsafe_b64decode(view["public_key"] + "=")) == 32
    assert SEED not in repr(key)


def test_the_canonical_bytes_are_sorted_compact_utf8_json():
    fields = {"b": "ğ", "a": datetime(2026, 3, 9, 11, 30, 5, 123999, tzinfo=UTC)}

    assert signing.canonical_bytes(fields) == '{"a":"2026-03-09T14:30:05.123+03:00","b":"ğ"}'.encode()


# --- datetimes as MongoDB gives them back ------------------------------------------------------

def stored_and_read_back(moment, tz_aware):
    """The value BSON keeps (milliseconds, cut off) and pymongo hands back (UTC; naive unless tz_aware)."""
    document = bson.decode(bson.encode({"at": moment}), codec_options=CodecOptions(tz_aware=tz_aware))
    return document["at"]


@pytest.mark.parametrize("tz_aware", [True, False], ids=["aware", "naive"])
@pytest.mark.parametrize("microsecond", [123456, 999999, 0, 1000])
def test_a_datetime_signs_as_its_copy_read_back_from_mongodb(key, tz_aware, microsecond):
    answered_at = ANSWERED_AT.replace(microsecond=microsecond)
    read_back = stored_and_read_back(answered_at, tz_aware)
    signature = signing.sign(key, fields_for(answered_at=answered_at))

    assert read_back.microsecond == microsecond // 1000 * 1000 and (read_back.tzinfo is None) is not tz_aware
    assert signing.canonical_bytes(fields_for(answered_at=read_back)) == signing.canonical_bytes(
        fields_for(answered_at=answered_at))
    assert signing.signature_valid(published(key), "k2026", fields_for(answered_at=read_back), signature)


def test_milliseconds_are_cut_off_not_rounded(key):
    truncated = datetime(2026, 3, 9, 11, 30, 5, 123000, tzinfo=UTC)
    signature = signing.sign(key, fields_for(answered_at=truncated))

    assert signing.signature_valid(published(key), "k2026", fields_for(answered_at=truncated.replace(
        microsecond=123999)), signature)
    assert not signing.signature_valid(published(key), "k2026", fields_for(answered_at=truncated.replace(
        microsecond=124000)), signature)


# --- the setting -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [None, "", "  ", "\n"])
def test_a_blank_setting_has_no_keys(text):
    assert signing.parse_signing_keys(text) == []


def test_the_setting_reads_padding_and_spaces():
    keys = signing.parse_signing_keys(" k2026 : {}= ,\n k.2025_old-1:{}\n".format(SEED, OTHER_SEED))

    assert [key.key_id for key in keys] == ["k2026", "k.2025_old-1"]
    assert signing.key_setting(keys[0]) == "k2026:" + SEED


@pytest.mark.parametrize("text, message", [
    (SEED, "entry 1 is not key_id:seed"),
    ("k2026:{},{}".format(SEED, OTHER_SEED), "entry 2 is not key_id:seed"),
    ("k2026:{},".format(SEED), "entry 2 is not key_id:seed"),
    (":" + SEED, "entry 1 has an empty or invalid key id"),
    ("k 2026:" + SEED, "entry 1 has an empty or invalid key id"),
    ("k/2026:" + SEED, "entry 1 has an empty or invalid key id"),
    ("x" * 33 + ":" + SEED, "entry 1 has an empty or invalid key id"),
    ("{}:k2026".format(SEED), "entry 1 has an empty or invalid key id"),  # the halves swapped
    ("k2026:" + SEED[:-1] + "!", "seed of key 'k2026' is not base64url"),
    ("k2026:" + SEED[:20] + " " + SEED[20:], "seed of key 'k2026' is not base64url"),
    ("k2026:" + SEED.replace("_", "/").replace("-", "+") + "+/", "seed of key 'k2026' is not base64url"),
    ("k2026:" + SEED + "AAAA", "seed of key 'k2026' must be 32 bytes, not 35"),
    ("k2026:" + SEED[:-4], "seed of key 'k2026' must be 32 bytes, not 29"),
    ("k2026:", "seed of key 'k2026' must be 32 bytes, not 0"),
    ("k2026:{},k2026:{}".format(SEED, OTHER_SEED), "names key id 'k2026' twice"),
], ids=["no-colon", "second-no-colon", "trailing-comma", "empty-id", "space-in-id", "slash-in-id", "long-id",
        "swapped", "bad-char", "space-in-seed", "standard-base64", "long-seed", "short-seed", "empty-seed",
        "duplicate"])
def test_a_bad_setting_is_refused_without_showing_the_seed(text, message):
    with pytest.raises(ValueError) as raised:
        signing.parse_signing_keys(text)

    assert str(raised.value).startswith("ANSWER_SIGNING_KEYS ")
    assert message in str(raised.value)
    for secret in (SEED, OTHER_SEED, SEED[:20], SEED[20:]):
        assert secret not in str(raised.value)


def test_a_new_key_is_random_and_its_setting_parses_back():
    first, second = signing.new_signing_key("a"), signing.new_signing_key("a")
    parsed = signing.parse_signing_keys(signing.key_setting(first))[0]

    assert first.public_key_b64 != second.public_key_b64
    assert parsed.key_id == "a" and parsed.public_key_b64 == first.public_key_b64
    with pytest.raises(ValueError):
        signing.new_signing_key("no spaces")


def run_module(*args):
    return subprocess.run([sys.executable, "-m", "services.routing.answer_signing", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_the_new_key_command_prints_an_entry_that_parses_back():
    done = run_module("new-key", "k2027")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("k2027:")
    (key,) = signing.parse_signing_keys(lines[0])
    assert key.key_id == "k2027"
    fields = fields_for(key_id="k2027")
    assert signing.signature_valid(published(key), "k2027", fields, signing.sign(key, fields))


@pytest.mark.parametrize("args", [(), ("new-key",), ("new-key", "bad id"), ("old-key", "k1")])
def test_the_command_refuses_other_arguments(args):
    done = run_module(*args)

    assert done.returncode == 2 and done.stdout == ""


# --- the text's digest -------------------------------------------------------------------------

@pytest.mark.parametrize("copy", [
    TEXT.replace("\n", "\r\n"),
    TEXT.replace("\n", "\r"),
    TEXT.replace("\n", "  \t\n"),
    "\n\n  \n" + TEXT + "\n \n\n",
    TEXT.rstrip("\n"),
    unicodedata.normalize("NFD", TEXT),  # as macOS and some PDF viewers hand it over
], ids=["crlf", "cr", "trailing-spaces", "blank-lines-around", "no-final-newline", "nfd"])
def test_a_pasted_copy_has_the_same_digest(copy):
    assert copy != TEXT
    assert signing.answer_digest(copy) == signing.answer_digest(TEXT)


@pytest.mark.parametrize("changed", [
    TEXT.replace("uzatılmıştır", "kısaltılmıştır"),
    TEXT.replace("Talebiniz", "talebiniz"),
    TEXT.replace("\nTalebiniz", "\n\nTalebiniz"),  # a blank line inside the text is part of it
    TEXT.replace("\nTalebiniz", "\n  Talebiniz"),  # so is indentation
    TEXT.replace("ı", "i"),
], ids=["word", "case", "inner-blank-line", "indentation", "dotless-i"])
def test_a_changed_text_has_another_digest(changed):
    assert signing.answer_digest(changed) != signing.answer_digest(TEXT)


def test_the_normalized_text_and_its_digest():
    assert signing.normalized_answer_text("\r\n  a  \r\ne\u0301\t\r\n\r\n") == "  a\n\u00e9"
    assert signing.answer_digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert len(signing.answer_digest(TEXT)) == 64


# --- the verification code ---------------------------------------------------------------------

def test_a_verification_code_is_two_groups_of_crockford_base32():
    for _ in range(200):
        code = signing.new_verification_code()
        first, dash, second = code.partition("-")
        assert dash and len(first) == len(second) == 5
        assert set(first + second) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        assert signing.normalize_verification_code(code) == code


def test_a_thousand_codes_are_distinct():
    assert len({signing.new_verification_code() for _ in range(1000)}) == 1000


@pytest.mark.parametrize("typed", [
    "7qk2m-9xhda", "7QK2M9XHDA", " 7QK2M 9XHDA ", "7Q-K2M-9X-HDA", "7QK2M–9XHDA", "７ＱＫ２Ｍ－９ＸＨＤＡ",
], ids=["lower-case", "no-dash", "spaces", "dashes-anywhere", "en-dash", "full-width"])
def test_a_typed_code_is_normalized(typed):
    assert signing.normalize_verification_code(typed) == "7QK2M-9XHDA"


@pytest.mark.parametrize("typed, code", [
    ("O0oO0-1IiLl", "00000-11111"),
    ("ıİ111-11111", "11111-11111"),  # what a Turkish keyboard gives for i
])
def test_look_alikes_are_read_as_what_they_look_like(typed, code):
    assert signing.normalize_verification_code(typed) == code


@pytest.mark.parametrize("typed", [
    "", "7QK2M-9XHD", "7QK2M-9XHDAB", "7QK2U-9XHDA", "7qk2u9xhda", "7QK2M-9XHD!", "7QK2M_9XHDA", "ŞQK2M-9XHDA",
], ids=["empty", "short", "long", "U", "lower-u", "punctuation", "underscore", "turkish-letter"])
def test_what_cannot_be_a_code_is_refused(typed):
    assert signing.normalize_verification_code(typed) is None
