"""A unit's answer signed with Ed25519, so that anyone holding the public key can check that an answer
they were given (printed, mailed, pasted) is the one the unit gave, unaltered.

What is signed is a small set of fields (``signed_fields``): the application, the unit, when it
answered, the SHA-256 of the answer's text and a short verification code the citizen can type in. The
text itself is not in the signature, its digest is: the digest is taken of the normalized text
(``normalized_answer_text``), so that a copy pasted from a print or a browser — other line endings,
trailing spaces, another Unicode form — still matches while any changed word does not.

Keys come from the ``ANSWER_SIGNING_KEYS`` setting (``key_id:seed,key_id:seed``). The first key signs
new answers; the others only verify answers signed before a rotation, which is why every signature
names its key id. ``python -m services.routing.answer_signing new-key <key_id>`` prints a new entry.

No I/O here (the ``__main__`` block aside): the service reads the setting and stores the results.
"""
import base64
import binascii
import hashlib
import json
import re
import secrets
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from common import clock

SETTING = "ANSWER_SIGNING_KEYS"
ALGORITHM = "Ed25519"
# Names the format of the signed fields: a signature made for something else by the same key can
# never pass for an answer's, and a later format can be told apart from this one.
SIGNED_FORMAT = "acikkapi.answer.v1"
SEED_BYTES = 32
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}", re.ASCII)
# base64url with optional padding; the decoder alone would skip any character outside the alphabet.
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}", re.ASCII)

# Crockford's base32: no I, L, O or U, so what is read off a print cannot be mistyped into another code.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 random bits: not guessable, still short enough to read out over the phone
CODE_GROUP = 5
# What people type for the symbols Crockford leaves out; U stays invalid (it has no look-alike).
# "İ" is the Turkish dotted capital I, what a Turkish keyboard gives for an upper-case i.
_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "İ": "1"})
# Separators people type or a print's text carries: spaces, hyphens and the Unicode dashes.
_CODE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_key: Ed25519PrivateKey = field(repr=False)  # a log line needs the key id only

    @property
    def public_key_b64(self) -> str:
        """The raw 32-byte public key in base64url without padding."""
        return _b64encode(self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


# --- keys and the setting ----------------------------------------------------------------------

def parse_signing_keys(text: str | None) -> list[SigningKey]:
    """The keys of the ``ANSWER_SIGNING_KEYS`` setting, the signing one first (blank: none).

    A bad setting raises ``ValueError`` naming the setting and the entry by its position or key id —
    never the seed, since the message ends up in logs.
    """
    if text is None or not text.strip():
        return []
    keys: list[SigningKey] = []
    seen: set[str] = set()
    for position, entry in enumerate(text.split(","), start=1):
        key = _parse_key_entry(entry, position)
        if key.key_id in seen:
            raise ValueError("{} names key id {!r} twice".format(SETTING, key.key_id))
        seen.add(key.key_id)
        keys.append(key)
    return keys


def _parse_key_entry(entry: str, position: int) -> SigningKey:
    key_id, separator, seed = (part.strip() for part in entry.partition(":"))
    if not separator:
        # The entry is not echoed: without its ':' it may be nothing but a seed.
        raise ValueError("{} entry {} is not key_id:seed".format(SETTING, position))
    if not _KEY_ID.fullmatch(key_id):
        # Nor is an invalid key id: with the two halves swapped it would be the seed.
        raise ValueError("{} entry {} has an empty or invalid key id (1 to 32 of A-Z a-z 0-9 . _ -)".format(
            SETTING, position))
    raw = _b64decode(seed)
    if raw is None:
        raise ValueError("{} seed of key {!r} is not base64url".format(SETTING, key_id))
    if len(raw) != SEED_BYTES:
        raise ValueError("{} seed of key {!r} must be {} bytes, not {}".format(SETTING, key_id, SEED_BYTES, len(raw)))
    return SigningKey(key_id, Ed25519PrivateKey.from_private_bytes(raw))


def new_signing_key(key_id: str) -> SigningKey:
    """A new random key (the operator's ``new-key`` command)."""
    if not _KEY_ID.fullmatch(key_id):
        raise ValueError("key id {!r} is not 1 to 32 of A-Z a-z 0-9 . _ -".format(key_id))
    return SigningKey(key_id, Ed25519PrivateKey.generate())


def key_setting(key: SigningKey) -> str:
    """The key as an ``ANSWER_SIGNING_KEYS`` entry: ``key_id:seed``."""
    seed = key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return "{}:{}".format(key.key_id, _b64encode(seed))


def public_key_view(key: SigningKey) -> dict[str, str]:
    """What is published for verifiers, one per key still in the setting."""
    return {"key_id": key.key_id, "algorithm": ALGORITHM, "public_key": key.public_key_b64}


# --- what is signed ----------------------------------------------------------------------------

def normalized_answer_text(text: str) -> str:
    """The answer's text as its digest sees it: NFC, LF line endings, no trailing whitespace on a line,
    no blank lines before or after — what a print, a mail client or a browser's copy may change."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def answer_digest(text: str) -> str:
    """Hex SHA-256 of the normalized text in UTF-8."""
    return hashlib.sha256(normalized_answer_text(text).encode("utf-8")).hexdigest()


def signed_fields(application_no: str, unit_id: str, unit_name: str, answered_at: datetime, text_sha256: str,
                  verification_code: str, key_id: str) -> dict[str, Any]:
    """The fields an answer's signature covers (``answered_at`` stays a datetime, as it is stored)."""
    return {
        "format": SIGNED_FORMAT,
        "application_no": application_no,
        "unit_id": unit_id,
        "unit_name": unit_name,
        "answered_at": answered_at,
        "text_sha256": text_sha256,
        "verification_code": verification_code,
        "key_id": key_id,
    }


def canonical_bytes(fields: Mapping[str, Any]) -> bytes:
    """The one byte string signed for ``fields``: sorted compact JSON in UTF-8.

    Datetimes are rendered to the millisecond in Turkey's time: MongoDB keeps milliseconds (cut off,
    not rounded, which is what ``isoformat`` does too) and hands back UTC, so the value read back
    renders exactly as the one signed.
    """
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_render_datetime).encode("utf-8")


def _render_datetime(value: object) -> str:
    if isinstance(value, datetime):
        return clock.to_iso(value, "milliseconds")
    raise TypeError("cannot sign a {}".format(type(value).__name__))


def sign(key: SigningKey, fields: Mapping[str, Any]) -> str:
    """The base64url signature of ``canonical_bytes(fields)``."""
    return _b64encode(key.private_key.sign(canonical_bytes(fields)))


def signature_valid(public_keys: Mapping[str, str], key_id: str, fields: Mapping[str, Any], signature: str) -> bool:
    """Whether ``signature`` is ``key_id``'s over ``fields``; ``public_keys`` maps key id → public key (base64url).

    False, never an exception, for an unknown key id, a malformed key or signature, fields naming
    another key, or a mismatch: to a verifier they all mean the same, this is not the unit's answer.
    """
    encoded_key = public_keys.get(key_id)
    if not isinstance(encoded_key, str) or not isinstance(signature, str):
        return False
    if fields.get("key_id", key_id) != key_id:
        return False
    raw_key, raw_signature = _b64decode(encoded_key), _b64decode(signature)
    if raw_key is None or raw_signature is None:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(raw_signature, canonical_bytes(fields))
    except (InvalidSignature, ValueError):
        return False
    return True


# --- the verification code ---------------------------------------------------------------------

def new_verification_code() -> str:
    """A random code as shown to the citizen: ``XXXXX-XXXXX`` in Crockford's base32."""
    return _grouped("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))


def normalize_verification_code(typed: str) -> str | None:
    """The canonical ``XXXXX-XXXXX`` form of a typed code, or None when it cannot be one.

    Case, spaces and dashes do not matter, and the look-alikes Crockford excludes are read as
    what they look like (O as 0, I and L as 1); U and any other symbol make it no code.
    """
    # NFKC turns full-width letters and digits (from some input methods) into plain ones.
    symbols = _CODE_SEPARATORS.sub("", unicodedata.normalize("NFKC", typed))
    # The dotted capital first: upper() of "i" and "ı" already gives "I", but "İ".upper() stays "İ".
    symbols = symbols.translate(_CODE_LOOKALIKES).upper().translate(_CODE_LOOKALIKES)
    if len(symbols) != CODE_LENGTH or any(symbol not in CODE_ALPHABET for symbol in symbols):
        return None
    return _grouped(symbols)


def _grouped(symbols: str) -> str:
    return "{}-{}".format(symbols[:CODE_GROUP], symbols[CODE_GROUP:])


# --- base64url ---------------------------------------------------------------------------------

def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """The bytes of base64url text, padded or not; None when it is not base64url."""
    if not _BASE64URL.fullmatch(text):
        return None
    unpadded = text.rstrip("=")
    if len(unpadded) % 4 == 1:
        return None
    try:
        return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    except (binascii.Error, ValueError):
        return None


def _main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "new-key":
        print("usage: python -m services.routing.answer_signing new-key <key_id>", file=sys.stderr)
        return 2
    try:
        key = new_signing_key(argv[1])
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    # The whole entry, seed included: this is what goes into the ANSWER_SIGNING_KEYS secret.
    print(key_setting(key))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
