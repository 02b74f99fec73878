"""Intake's rules with no I/O: numbers, tracking codes, idempotency, the stored record."""
import hashlib
import json
import re
import secrets
from dataclasses import asdict
from functools import lru_cache

from common import clock, outbox
from common.config import setting
from common.errors import Conflict, ValidationFailed
from common.fields import check_body
from contracts.events import new_event
from contracts.intake.requests import CITIZEN_CHANNELS, DESK_CHANNELS, OPEN311_CHANNELS
from contracts.intake.requests import PERSONAL_DATA_ERASURE_FIELDS, PERSONAL_DATA_EXPORT_FIELDS
from services.intake import periods

TRACKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a desk
TRACKING_CODE_LENGTH = 8

CHANNELS_BY_ENTRY_POINT = {"citizen": CITIZEN_CHANNELS, "desk": DESK_CHANNELS, "open311": OPEN311_CHANNELS}

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")
IDEMPOTENCY_KEY_FIELD = "headers.Idempotency-Key"


def channels_for(entry_point):
    return CHANNELS_BY_ENTRY_POINT[entry_point]


def new_tracking_code():
    """Random, so it cannot be derived from the application number."""
    return "".join(secrets.choice(TRACKING_CODE_ALPHABET) for _ in range(TRACKING_CODE_LENGTH))


def sequence_name(received_at):
    return "application_no:{}".format(received_at.year)


def application_number(received_at, sequence):
    """``2026-000123``: the year, then the year's running number; nothing personal."""
    return "{}-{:06d}".format(received_at.year, sequence)


def idempotency_scope(entry_point, client=None):
    """Keys are the client's own: an Open311 app's keys cannot meet another app's."""
    if entry_point == "open311":
        if client is None:
            raise ValueError("an Open311 application needs the client app that sent it")
        return "open311/{}".format(client["client_id"])
    return entry_point


def scoped_idempotency_key(entry_point, key):
    """The stored key: the client's key within its entry point, or None when it sent none."""
    if key is None:
        return None
    if not isinstance(key, str) or not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed({
            IDEMPOTENCY_KEY_FIELD: "1-100 yazdırılabilir ASCII karakter olmalı / must be 1-100 printable ASCII characters",
        })
    return "{}:{}".format(entry_point, key)


def fingerprint(body):
    """What "the same body" means for an idempotency key: the same JSON, key order aside.

    It runs before validation, so it takes any body: a lone surrogate (the gateway refuses them,
    another caller might not) is hashed as its UTF-16 unit instead of failing the call; valid
    text hashes exactly as it always did."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


@lru_cache(maxsize=1)
def answer_periods():
    """``ANSWER_PERIODS`` (e.g. ``complaint=7,request=10w``), read once per process."""
    return periods.parse_answer_periods(setting("ANSWER_PERIODS"))


def due_at(received_at, kind):
    return periods.due_at(received_at, answer_periods()[kind])


def check_desk_officer(application, officer):
    """A desk takes applications for its own province, and records who typed them in."""
    if officer is None:
        raise ValueError("a desk application needs the officer who entered it")
    if application.province_code != officer["province_code"]:
        raise ValidationFailed({"province": "yalnızca masanın bulunduğu il / only the desk's own province"})


def new_application(application, number, received_at, idempotency_key, body_fingerprint, entered_by=None,
                    client=None):
    """The stored record, owing its ``application_received`` event (one write)."""
    tracking_code = new_tracking_code()
    due = due_at(received_at, application.kind)
    fields = asdict(application)
    applicant = {name: fields.pop(name) for name in ("national_id", "first_name", "last_name", "phone", "email")}
    event = new_event(
        "application_received", number,
        kind=application.kind, category=application.category,
        province=application.province, province_code=application.province_code,
        district=application.district, channel=application.channel,
        received_at=clock.to_iso(received_at, "milliseconds"), due_at=clock.to_iso(due),
        phone=application.phone, tracking_code=tracking_code, language=application.language,
    )
    return dict(
        fields,
        _id=number,
        application_no=number,
        applicant=applicant,
        tracking_code=tracking_code,
        received_at=received_at,
        due_at=due,
        idempotency_key=idempotency_key or "none:{}".format(number),
        entered_by=entered_by,
        client=client and {"client_id": client["client_id"], "name": client["name"]},
        fingerprint=body_fingerprint,
        **outbox.new_document_fields([event]),
    )


def receipt(document):
    return {
        "application_no": document["application_no"],
        "tracking_code": document["tracking_code"],
        "status": "received",
        "received_at": clock.to_iso(document["received_at"]),
        "due_at": clock.to_iso(document["due_at"]),
    }


def replay(document, body_fingerprint):
    """The first answer again for a repeated key, unless the body differs."""
    if document["fingerprint"] != body_fingerprint:
        raise Conflict("idempotency_key_reused",
                       "Bu Idempotency-Key başka bir istekle kullanıldı. / "
                       "This Idempotency-Key was already used with a different request.")
    return receipt(document)


DEFAULT_READ_PURPOSE = "application_handling"


def read_purpose(purpose):
    """Why an officer reads personal data, as the audit log keeps it."""
    if purpose is None:
        return DEFAULT_READ_PURPOSE
    if not isinstance(purpose, str) or not 1 <= len(purpose.strip()) <= 200:
        raise ValidationFailed({"reason": "1–200 karakter olmalı / must be 1–200 characters"})
    return purpose.strip()


def audit_entry(reader, application_no, purpose, now):
    return {"at": now, "reader": reader["username"], "role": reader["role"],
            "province_code": reader["province_code"], "application_no": application_no, "purpose": purpose}


def staff_record(document):
    """Everything intake holds about an application, personal data included: for staff only.
    After a KVKK erasure the applicant, subject and description are null and
    ``personal_data_erased`` says when and by whom."""
    erased = document.get("personal_data_erased")
    return {
        "application_no": document["application_no"],
        "applicant": dict(document["applicant"]) if document.get("applicant") else None,
        "subject": document["subject"],
        "description": document["description"],
        "language": document["language"],
        "channel": document["channel"],
        "entered_by": document.get("entered_by"),
        "client": (document.get("client") or {}).get("name"),
        "received_at": clock.to_iso(document["received_at"]),
        "personal_data_erased": erased and {"at": clock.to_iso(erased["at"]), "by": erased["by"]},
    }


# --- KVKK: an applicant's personal data, exported or erased (docs/privacy.md#kvkk) ---------------
# An applicant is identified as a KVKK request comes in: by national ID, proven at the desk, within
# the admin's province (another province's applications are invisible, as everywhere for staff).

KVKK_EXPORT = "kvkk_export"
KVKK_ERASURE = "kvkk_erasure"
# What erasure removes from the stored application. The free text goes too: a citizen's own
# words routinely carry names, addresses, health details, and no rule can tell which do. What
# stays is the non-personal record: number, kind, category, province, district, channel, language,
# dates, tracking code (random), idempotency key (the client's), who entered it at a desk.
ERASED_FIELDS = ("applicant", "subject", "description", "fingerprint")


def personal_data_request(body, with_reason):
    """``(national_id, reason)`` of an export (reason None) or erasure request; the national ID is
    checked by the very rule a submission is (format and TC Kimlik No/YKN check digits)."""
    values = check_body(body, PERSONAL_DATA_ERASURE_FIELDS if with_reason else PERSONAL_DATA_EXPORT_FIELDS)
    return values["national_id"], values.get("reason")


def kvkk_audit_entries(principal, application_nos, purpose, now, reason=None):
    """One audit entry per application, as a staff read has: who, when, which, why. The national
    ID is not in it: the audit log must not keep what erasure removes."""
    entries = []
    for application_no in application_nos:
        entry = audit_entry(principal, application_no, purpose, now)
        if reason is not None:
            entry["reason"] = reason
        entries.append(entry)
    return entries


def personal_data_view(document):
    """One application as the applicant's export shows it: what intake holds about them."""
    return {
        "application_no": document["application_no"],
        "kind": document["kind"],
        "category": document["category"],
        "province": document["province"],
        "district": document["district"],
        "channel": document["channel"],
        "language": document["language"],
        "received_at": clock.to_iso(document["received_at"]),
        "applicant": dict(document["applicant"]),
        "subject": document["subject"],
        "description": document["description"],
    }


def erasure_update(document, principal, now):
    """The write that erases the applicant's personal data from ``document`` and owes
    ``applicant_data_erased`` (one write). An event still owed from before (the broker was away)
    loses its phone too: what has not left yet must not leave with personal data."""
    owed = [dict(event, phone=None) if event.get("phone") else event for event in document.get("outbox", [])]
    owed.append(new_event("applicant_data_erased", document["application_no"]))
    erased = {name: None for name in ERASED_FIELDS}
    return {"$set": dict(erased, personal_data_erased={"at": now, "by": principal["username"]},
                         outbox=owed, **{outbox.PENDING: True})}


def erasure_receipt(application_nos, now):
    return {"erased": list(application_nos), "erased_at": clock.to_iso(now)}
