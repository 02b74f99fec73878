"""An answer anyone can verify (docs/api.md#verify), with no I/O: the seal given to each answer when
the unit gives it (a verification code and an Ed25519 signature over the application, the unit, the
time and the text's SHA-256), and what ``GET /api/v1/verify/{code}`` shows of it — nothing personal:
no applicant, no officer, not the text itself, only its digest, and whether the signature and the
application's history chain hold.
"""
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from common import clock
from common.errors import NotFound
from services.routing.answer_keys import Keyring
from services.routing.answer_signing import (
    ALGORITHM,
    answer_digest,
    canonical_bytes,
    new_verification_code,
    normalize_verification_code,
    sign,
    signature_valid,
    signed_fields,
)
from services.routing.history_chain import chain_state


def sealed(application: Mapping[str, Any], text: str, now: datetime, keyring: Keyring) -> dict[str, str]:
    """The verification of an answer given ``now`` to ``application`` (routed: its unit answers)."""
    code = new_verification_code()
    digest = answer_digest(text)
    key = keyring.signing
    fields = signed_fields(application["application_no"], application["unit_id"], application["unit_name"], now,
                           digest, code, key.key_id)
    return {"code": code, "key_id": key.key_id, "signature": sign(key, fields), "text_sha256": digest}


def wanted_code(typed: Any) -> str:
    """The code as stored, from what someone typed; NotFound for what cannot be one."""
    code = normalize_verification_code(typed) if isinstance(typed, str) else None
    if code is None:
        raise NotFound("verification")
    return code


def answer_with_code(application: Mapping[str, Any] | None, code: str) -> tuple[str, Mapping[str, Any]]:
    """``(which, answer)`` of the application's answer sealed with ``code``: ``first`` (the
    application's answer, objected to since) or ``latest``."""
    for which, field in (("latest", "answer"), ("first", "first_answer")):
        answer = (application or {}).get(field) or {}
        if (answer.get("verification") or {}).get("code") == code:
            return which, answer
    raise NotFound("verification")


def verification_view(application: Mapping[str, Any], code: str, keyring: Keyring,
                      pasted_text: str | None = None) -> dict[str, Any]:
    """What anyone holding the code may see: whose answer (number, unit, date), the text's digest,
    the signature's check against the published keys, whether a pasted text is the answer's, and
    whether the application's history chain is intact."""
    which, answer = answer_with_code(application, code)
    seal = answer["verification"]
    fields = signed_fields(application["application_no"], answer["unit_id"], answer["unit_name"],
                           answer["answered_at"], seal["text_sha256"], code, seal["key_id"])
    signature_holds = signature_valid(keyring.public_keys, seal["key_id"], fields, seal["signature"])
    return {
        "verification_code": code,
        "application_no": application["application_no"],
        "unit": answer["unit_name"],
        "answered_at": clock.to_iso(answer["answered_at"]),
        "answer_to": "objection" if which == "latest" and application.get("objection") else "application",
        "text_sha256": seal["text_sha256"],
        "key_id": seal["key_id"],
        "algorithm": ALGORITHM,
        "signature": seal["signature"],
        # what was signed, as signed: anyone can check the signature with the published key without
        # trusting signature_valid (the signature is over this object as compact JSON with sorted
        # keys, UTF-8)
        "signed": json.loads(canonical_bytes(fields)),
        # the stored text must still be the one signed: an answer altered in the database fails here
        "signature_valid": signature_holds and answer_digest(answer["text"]) == seal["text_sha256"],
        "text_matches": None if pasted_text is None else answer_digest(pasted_text) == seal["text_sha256"],
        "history": chain_state(application.get("timeline") or []),
    }
