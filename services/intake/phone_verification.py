"""The phone proven by a one-time code: the rules, with no I/O (docs/identity.md#phone).

A citizen asks for a code for a phone (``POST /api/v1/phone-verifications``): intake stores a
verification holding only keyed digests of the phone and the code, and owes
``phone_verification_requested`` (the code's one trip, to notification, which texts it). The code
proves the phone within ``CODE_LIFETIME``, in at most ``MAX_ATTEMPTS`` tries; a proven verification
is spent by one submission for the same phone within ``PROOF_LIFETIME``. How often a phone and an
address may ask is the gateway's to limit (gateway/limits.py), before intake is called.
"""
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from common import clock, outbox
from common.errors import Conflict, ValidationFailed
from contracts.events import new_event
from contracts.intake.requests import VERIFICATION_CODE_LENGTH
from messages import bilingual

OFF, REQUIRED = "off", "required"
SETTINGS = (OFF, REQUIRED)

CODE_LIFETIME = timedelta(minutes=5)  # PHONE_CODE_LIFETIME_SECONDS may shorten or lengthen it (30 s – 15 min)
PROOF_LIFETIME = timedelta(minutes=30)  # from the proof to the submission: time to write the application
MAX_ATTEMPTS = 3
# A verification's record (digests, times) is deleted this long after it was asked for.
KEPT_FOR = timedelta(days=1)

FIELD = "phone_verification"
CODE_FIELD = "phone_verification.code"


def new_code() -> str:
    return str(secrets.randbelow(10 ** VERIFICATION_CODE_LENGTH)).zfill(VERIFICATION_CODE_LENGTH)


def digest(key: bytes, *parts: str) -> str:
    """Keyed, so a copy of the store cannot be reversed by trying every 6-digit code or phone."""
    return hmac.new(key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def new_verification(phone: str, language: str, now: datetime, key: bytes,
                     lifetime: timedelta = CODE_LIFETIME) -> dict[str, Any]:
    """The stored verification, owing the event that carries the code to notification (one write).
    The code leaves with the event: the outbox drops it once the broker confirmed it."""
    verification_id = uuid.uuid4().hex
    code = new_code()
    expires_at = now + lifetime
    event = new_event("phone_verification_requested", None, verification_id=verification_id, phone=phone,
                      code=code, language=language, expires_at=clock.to_iso(expires_at))
    return dict(
        _id=verification_id,
        phone_digest=digest(key, phone),
        code_digest=digest(key, verification_id, code),
        created_at=now,
        expires_at=expires_at,
        discard_at=now + KEPT_FOR,
        attempts=0,
        proven_at=None,
        used_by=None,
        **outbox.new_document_fields([event]),
    )


def created_view(verification: Mapping[str, Any]) -> dict[str, Any]:
    return {"verification_id": verification["_id"], "expires_at": clock.to_iso(verification["expires_at"]),
            "attempts_left": MAX_ATTEMPTS - verification["attempts"]}


def proven_view(verification: Mapping[str, Any]) -> dict[str, Any]:
    return {"verification_id": verification["_id"], "verified": True,
            "valid_until": clock.to_iso(proof_valid_until(verification))}


def proof_valid_until(verification: Mapping[str, Any]) -> datetime:
    return clock.aware(verification["proven_at"]) + PROOF_LIFETIME


def code_matches(verification: Mapping[str, Any], code: str, key: bytes) -> bool:
    return hmac.compare_digest(verification["code_digest"], digest(key, verification["_id"], code))


def phone_matches(verification: Mapping[str, Any], phone: str, key: bytes) -> bool:
    return hmac.compare_digest(verification["phone_digest"], digest(key, phone))


# Why a verification cannot prove anything (any more), in the order they are looked at.
USED, LOCKED, EXPIRED = "used", "locked", "expired"
REQUIRED_REASON, OTHER_PHONE, CODE_NEEDED = "required", "other_phone", "code_needed"
REASONS = {
    USED: bilingual("phone_verification.used"),
    LOCKED: bilingual("phone_verification.locked"),
    EXPIRED: bilingual("phone_verification.expired"),
    REQUIRED_REASON: bilingual("phone_verification.required"),
    OTHER_PHONE: bilingual("phone_verification.other_phone"),
    CODE_NEEDED: bilingual("phone_verification.code_needed"),
}


def unusable(verification: Mapping[str, Any], now: datetime, spender: str | None = None) -> str | None:
    """USED (another submission spent it), LOCKED (too many wrong codes), EXPIRED (the code's time
    ran out unproven, or the proof's unspent), or None. ``spender``: the submission asking, whose
    own earlier try (the same idempotency key) does not count as another."""
    if verification["used_by"] is not None and verification["used_by"] != spender:
        return USED
    if verification["proven_at"] is not None:
        return EXPIRED if now >= proof_valid_until(verification) else None
    if verification["attempts"] >= MAX_ATTEMPTS:
        return LOCKED
    if now >= clock.aware(verification["expires_at"]):
        return EXPIRED
    return None


def refused(reason: str) -> Conflict:
    """The code endpoint's 409: the verification can prove nothing; a new code is needed."""
    return Conflict("verification_" + reason, REASONS[reason])


def wrong_code(attempts: int, field: str = "code") -> Exception:
    """A wrong code: 422 naming the field with the tries left, or, at the last, the lock."""
    left = MAX_ATTEMPTS - attempts
    if left <= 0:
        return refused(LOCKED) if field == "code" else ValidationFailed({field: REASONS[LOCKED]})
    return ValidationFailed({field: bilingual("phone_verification.wrong_code", left=left)})


def submission_refusal(reason: str, field: str = FIELD) -> ValidationFailed:
    """A submission's proof that cannot be used: 422 naming the field, as any bad input is."""
    return ValidationFailed({field: REASONS[reason]})


def requirement(setting: str, lifetime: timedelta = CODE_LIFETIME) -> dict[str, Any]:
    """What the catalogue tells forms: whether the phone must be proven, and how long a code lives."""
    return {"phone_verification": setting == REQUIRED, "code_length": VERIFICATION_CODE_LENGTH,
            "code_lifetime_seconds": int(lifetime.total_seconds()), "max_attempts": MAX_ATTEMPTS}
