"""Intake's rules with no I/O: numbers, tracking codes, idempotency, the stored record."""
import hashlib
import hmac
import json
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta
from typing import Any

from common import clock, outbox
from common.errors import Conflict, Forbidden, ValidationFailed
from common.fields import Refused, check_body
from contracts.events import new_event
from contracts.intake.requests import (
    CITIZEN_CHANNELS,
    DESK_CHANNELS,
    OPEN311_CHANNELS,
    PERSONAL_DATA_ERASURE_FIELDS,
    PERSONAL_DATA_EXPORT_FIELDS,
    PHONE_CODE_FIELDS,
    PHONE_VERIFICATION_FIELDS,
    SEARCH_QUERY_FIELDS,
    TRACKING_CODE_REQUEST_FIELDS,
    ValidApplication,
)
from contracts.intake.requests import verification_id as verification_id_rule
from messages import LANGUAGES, bilingual, by_language
from services.intake import identity, periods, phone_verification, search

TRACKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a desk
TRACKING_CODE_LENGTH = 8

CHANNELS_BY_ENTRY_POINT = {"citizen": CITIZEN_CHANNELS, "desk": DESK_CHANNELS, "open311": OPEN311_CHANNELS}

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")
IDEMPOTENCY_KEY_FIELD = "headers.Idempotency-Key"


def channels_for(entry_point: str) -> frozenset[str]:
    return CHANNELS_BY_ENTRY_POINT[entry_point]


def new_tracking_code() -> str:
    """Random, so it cannot be derived from the application number. One read of the system's
    randomness (``secrets.choice`` made one per character); 256 is a multiple of the alphabet's 32
    letters, so each byte picks a letter with the same odds."""
    return "".join(TRACKING_CODE_ALPHABET[byte % len(TRACKING_CODE_ALPHABET)]
                   for byte in secrets.token_bytes(TRACKING_CODE_LENGTH))


def sequence_name(received_at: datetime) -> str:
    return "application_no:{}".format(received_at.year)


def application_number(received_at: datetime, sequence: int) -> str:
    """``2026-000123``: the year, then the year's running number; nothing personal."""
    return "{}-{:06d}".format(received_at.year, sequence)


def idempotency_scope(entry_point: str, client: Mapping[str, Any] | None = None) -> str:
    """Keys are the client's own: an Open311 app's keys cannot meet another app's."""
    if entry_point == "open311":
        if client is None:
            raise ValueError("an Open311 application needs the client app that sent it")
        return "open311/{}".format(client["client_id"])
    return entry_point


def scoped_idempotency_key(entry_point: str, key: object) -> str | None:
    """The stored key: the client's key within its entry point, or None when it sent none."""
    if key is None:
        return None
    if not isinstance(key, str) or not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed({
            IDEMPOTENCY_KEY_FIELD: bilingual("intake.idempotency_key_format"),
        })
    return "{}:{}".format(entry_point, key)


def fingerprint(body: Any) -> str:
    """What "the same body" means for an idempotency key: the same JSON, key order aside.

    It runs before validation, so it takes any body: a lone surrogate (the gateway refuses them,
    another caller might not) is hashed as its UTF-16 unit instead of failing the call; valid
    text hashes exactly as it always did."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


# Every kind's periods when ANSWER_PERIODS and STATUTORY_PERIODS are not set; the service passes the settings'.
DEFAULT_ANSWER_PERIODS = periods.default_answer_periods()
DEFAULT_STATUTORY_PERIODS = periods.default_statutory_periods()


def due_at(received_at: datetime, kind: str, answer_periods: Mapping[str,
           periods.AnswerPeriod] = DEFAULT_ANSWER_PERIODS) -> datetime:
    return periods.due_at(received_at, answer_periods[kind])


def check_desk_officer(application: ValidApplication, officer: Mapping[str, Any] | None) -> None:
    """A desk takes applications for its own province, and records who typed them in."""
    if officer is None:
        raise ValueError("a desk application needs the officer who entered it")
    if application.province_code != officer["province_code"]:
        raise ValidationFailed({"province": bilingual("intake.desk_own_province")})


# Fields of a submission that serve a check at intake and are then dropped (data minimisation, KVKK).
NOT_KEPT = ("birth_year", "birth_date", "phone_verification")


def new_application(application: ValidApplication, number: str, received_at: datetime, idempotency_key: str | None,
                    body_fingerprint: str, entered_by: str | None = None,
                    client: Mapping[str, Any] | None = None,
                    answer_periods: Mapping[str, periods.AnswerPeriod] = DEFAULT_ANSWER_PERIODS,
                    statutory_periods: Mapping[str, periods.AnswerPeriod] = DEFAULT_STATUTORY_PERIODS,
                    identity: Mapping[str, Any] | None = None, phone_verified: bool = False,
                    ) -> dict[str, Any]:
    """The stored record, owing its ``application_received`` event (one write). Two deadlines run
    from the receipt: Açık Kapı's answer target (``due_at``) and the law's limit (``statutory_due_at``).
    ``identity``: how the applicant was identified (services/intake/identity.py ``checked``);
    ``phone_verified``: whether a one-time code proved the phone. The birth year or date and the
    proof itself served their checks and are not kept."""
    tracking_code = new_tracking_code()
    due = due_at(received_at, application.kind, answer_periods)
    statutory_due = due_at(received_at, application.kind, statutory_periods)
    # its fields are all plain values: no deep copy (asdict's) needed
    fields = {field.name: getattr(application, field.name) for field in dataclass_fields(application)}
    applicant = {name: fields.pop(name) for name in ("national_id", "first_name", "last_name", "phone", "email")}
    for checked_only in NOT_KEPT:
        fields.pop(checked_only)
    event = new_event(
        "application_received", number,
        kind=application.kind, category=application.category,
        province=application.province, province_code=application.province_code,
        district=application.district, channel=application.channel,
        received_at=clock.to_iso(received_at, "milliseconds"), due_at=clock.to_iso(due),
        statutory_due_at=clock.to_iso(statutory_due), phone=application.phone,
        tracking_code=tracking_code, language=application.language, email=application.email,
    )
    return dict(
        fields,
        _id=number,
        application_no=number,
        applicant=applicant,
        tracking_code=tracking_code,
        received_at=received_at,
        due_at=due,
        statutory_due_at=statutory_due,
        idempotency_key=idempotency_key or "none:{}".format(number),
        entered_by=entered_by,
        client=client and {"client_id": client["client_id"], "name": client["name"]},
        fingerprint=body_fingerprint,
        search_words=search.search_words(application.subject, application.description),
        identity=dict(identity) if identity else None,
        phone_verified=phone_verified,
        **outbox.new_document_fields([event]),
    )


def receipt(document: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "application_no": document["application_no"],
        "tracking_code": document["tracking_code"],
        "status": "received",
        "received_at": clock.to_iso(document["received_at"]),
        "due_at": clock.to_iso(document["due_at"]),
    }


def replay(document: Mapping[str, Any], body_fingerprint: str) -> dict[str, Any]:
    """The first answer again for a repeated key, unless the body differs."""
    if document["fingerprint"] != body_fingerprint:
        raise Conflict("idempotency_key_reused", bilingual("intake.idempotency_key_reused"))
    return receipt(document)


DEFAULT_READ_PURPOSE = "application_handling"


def read_purpose(purpose: object) -> str:
    """Why an officer reads personal data, as the audit log keeps it."""
    if purpose is None:
        return DEFAULT_READ_PURPOSE
    if not isinstance(purpose, str) or not 1 <= len(purpose.strip()) <= 200:
        raise ValidationFailed({"reason": bilingual("field.length", shortest=1, longest=200)})
    return purpose.strip()


def audit_entry(reader: Mapping[str, Any], application_no: str, purpose: object, now: datetime) -> dict[str, Any]:
    return {"at": now, "reader": reader["username"], "role": reader["role"], "unit_id": reader.get("unit_id"),
            "province_code": reader["province_code"], "application_no": application_no, "purpose": purpose}


def staff_record(document: Mapping[str, Any]) -> dict[str, Any]:
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
        "privacy_notice_version": document.get("privacy_notice_version"),
        "personal_data_erased": erased and {"at": clock.to_iso(erased["at"]), "by": erased["by"]},
        "identity": identity_view(document.get("identity")),
        "phone_verified": bool(document.get("phone_verified")),
    }


def identity_view(checked: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """How the applicant was identified (None for applications older than the check)."""
    if not checked:
        return None
    return {"checked_by": checked["checked_by"], "checked_at": clock.to_iso(checked["checked_at"]),
            "officer": checked.get("officer")}


def phone_verification_request(body: Any) -> tuple[str, str]:
    """(phone as E.164, language) of ``POST /api/v1/phone-verifications``; ValidationFailed naming the field."""
    fields = check_body(body, PHONE_VERIFICATION_FIELDS)
    return fields["phone"], fields["language"]


def phone_code(verification_id: object, body: Any) -> tuple[str | None, str]:
    """(verification id or None when malformed — the caller answers 404 as for an unknown one, code)."""
    fields = check_body(body, PHONE_CODE_FIELDS)
    try:
        return verification_id_rule(verification_id), fields["code"]
    except Refused:
        return None, fields["code"]


# --- a lost tracking code, sent again (docs/api.md#lost-tracking-code) ---------------------------
# The answer never says whether number and national ID matched; only the SMS to the phone on
# record does, so the code reaches no one but the applicant.

TRACKING_CODE_INTERVAL = timedelta(hours=1)  # at most one reminder SMS per application in this time
_WELL_FORMED_NUMBER = re.compile(r"[0-9]{4}-[0-9]{6,9}", re.ASCII)  # as application_number makes them
# Compared with when no national ID is held (unknown number, erased applicant), so that a miss costs
# the comparison a match costs; it starts with 0, which no checked national ID does.
_NO_NATIONAL_ID = "0" * 11


def tracking_code_request(application_no: object, body: Any) -> tuple[str | None, str]:
    """``(number to look up, national_id)``: ValidationFailed naming ``national_id`` when it is not
    a valid one; the number None when it is not of our format (nothing to look up, the same
    answer)."""
    national_id: str = check_body(body, TRACKING_CODE_REQUEST_FIELDS)["national_id"]
    number = (application_no if isinstance(application_no, str) and _WELL_FORMED_NUMBER.fullmatch(application_no)
              else None)
    return number, national_id


def applicant_matches(document: Mapping[str, Any] | None, national_id: str) -> bool:
    """Whether ``national_id`` is that of ``document``'s applicant, compared in constant time; never
    for an unknown application (None) or an erased applicant."""
    held = ((document or {}).get("applicant") or {}).get("national_id")
    same = hmac.compare_digest((held or _NO_NATIONAL_ID).encode("utf-8"), national_id.encode("utf-8"))
    return bool(held) and same


def reminded_before(now: datetime) -> datetime:
    """An application last sent its code before this moment may be sent it again."""
    return now - TRACKING_CODE_INTERVAL


def tracking_code_requested(document: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The event that has notification text the code to the phone on record."""
    return new_event("tracking_code_requested", document["application_no"], tracking_code=document["tracking_code"],
                     requested_at=clock.to_iso(now, "milliseconds"))


# --- KVKK: an applicant's personal data, exported or erased (docs/privacy.md#kvkk) ---------------
# An applicant is identified as a KVKK request comes in: by national ID, proven at the desk, within
# the admin's province (another province's applications are invisible, as everywhere for staff).

KVKK_EXPORT = "kvkk_export"
KVKK_ERASURE = "kvkk_erasure"
# What erasure removes from the stored application. The free text goes too: a citizen's own
# words routinely carry names, addresses, health details, and no rule can tell which do; so do
# the words the search finds it by (folded copies of that text). What
# stays is the non-personal record: number, kind, category, province, district, channel, language,
# dates, tracking code (random), idempotency key (the client's), who entered it at a desk.
ERASED_FIELDS = ("applicant", "subject", "description", "fingerprint", "search_words")


def personal_data_request(body: Any, with_reason: bool) -> tuple[str, str | None]:
    """``(national_id, reason)`` of an export (reason None) or erasure request; the national ID is
    checked by the very rule a submission is (format and TC Kimlik No/YKN check digits)."""
    values = check_body(body, PERSONAL_DATA_ERASURE_FIELDS if with_reason else PERSONAL_DATA_EXPORT_FIELDS)
    return values["national_id"], values.get("reason")


def kvkk_audit_entries(principal: Mapping[str, Any], application_nos: Iterable[str], purpose: object, now: datetime,
                       reason: str | None = None, request_id: str | None = None) -> list[dict[str, Any]]:
    """One audit entry per application, as a staff read has: who, when, which, why, and the KVKK
    request's record (``request_id``) it was part of. The national ID is not in it: the audit log
    must not keep what erasure removes."""
    entries: list[dict[str, Any]] = []
    for application_no in application_nos:
        entry = audit_entry(principal, application_no, purpose, now)
        if reason is not None:
            entry["reason"] = reason
        if request_id is not None:
            entry["request_id"] = request_id
        entries.append(entry)
    return entries


def personal_data_view(document: Mapping[str, Any]) -> dict[str, Any]:
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
        "privacy_notice_version": document.get("privacy_notice_version"),
    }


def erasure_changes(document: Mapping[str, Any], principal: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The fields to set that erase the applicant's personal data from ``document`` and owe
    ``applicant_data_erased`` (one write: ``IntakeStore.erase_applicant``). An event still owed
    from before (the broker was away) loses its phone and e-mail too: what has not left yet must not leave
    with personal data."""
    owed = [dict(event, phone=None, email=None) if event.get("phone") or event.get("email") else event
            for event in document.get("outbox", [])]
    owed.append(new_event("applicant_data_erased", document["application_no"]))
    erased = {name: None for name in ERASED_FIELDS}
    return dict(erased, personal_data_erased={"at": now, "by": principal["username"]},
                outbox=owed, **{outbox.PENDING: True})


def erasure_receipt(application_nos: Iterable[str], now: datetime) -> dict[str, Any]:
    return {"erased": list(application_nos), "erased_at": clock.to_iso(now)}


def personal_data_request_record(principal: Mapping[str, Any], action: str, national_id: str,
                                 application_nos: Iterable[str], now: datetime,
                                 reason: str | None = None) -> dict[str, Any]:
    """The record of one KVKK request as the admin screen lists it (``personal_data_request_view``):
    who, when, what, for how many applications; the national ID only masked, so the record of
    having erased someone does not keep what was erased."""
    return {"_id": uuid.uuid4().hex, "action": action, "at": now, "by": principal["username"],
            "role": principal["role"], "province_code": principal["province_code"],
            "national_id_masked": mask_national_id(national_id), "applications": len(list(application_nos)),
            "reason": reason}


def mask_national_id(national_id: str) -> str:
    """``12345678946`` → ``123******46``: enough to tell two requests apart, not to find a person."""
    return national_id[:3] + "*" * (len(national_id) - 5) + national_id[-2:]


def personal_data_request_view(record: Mapping[str, Any]) -> dict[str, Any]:
    return {"action": record["action"], "at": clock.to_iso(record["at"]), "by": record["by"],
            "national_id_masked": record.get("national_id_masked"), "applications": record["applications"],
            "reason": record.get("reason")}


PERSONAL_DATA_REQUESTS_SHOWN = 100


def requests_from_audit_entries(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """KVKK requests made before they had their own record, rebuilt from their audit entries (one
    per application, sharing reader, purpose and time; entries without a ``request_id``): the
    national ID was never kept, so it is unknown (None). Each carries a stable ``_id``, so
    rebuilding twice stores each once."""
    grouped: dict[tuple[str, str, datetime], dict[str, Any]] = {}
    for entry in entries:
        key = (entry["purpose"], entry["reader"], entry["at"])
        if key not in grouped:
            stable_id = "audit:{}:{}:{}".format(entry["purpose"], entry["reader"], clock.to_iso(entry["at"]))
            grouped[key] = {"_id": stable_id, "action": entry["purpose"], "at": entry["at"], "by": entry["reader"],
                            "role": entry.get("role"), "province_code": entry["province_code"],
                            "national_id_masked": None, "applications": 0, "reason": entry.get("reason")}
        grouped[key]["applications"] += 1
    return list(grouped.values())


# --- the staff queue's search (services/intake/search.py; docs/api.md#staff-search) --------------

SEARCH_QUERY_FIELD = "q"  # as the gateway has it from the queue's query string (SEARCH_QUERY_FIELDS)
SEARCH_PURPOSE = "search"
SEARCH_RESULTS_LIMIT = 1000
NATIONAL_ID_SEARCH_ROLES = frozenset({"router", "admin"})


def search_query(principal: Mapping[str, Any], q: object) -> search.Query:
    """The checked query ``q`` of ``principal``: ValidationFailed naming ``q`` when it is not 1–100
    printable characters or has nothing to look up; Forbidden when a role other than router and
    admin searches by national ID (unit officers see their unit's applications, not applicants)."""
    values = check_body({SEARCH_QUERY_FIELD: q}, SEARCH_QUERY_FIELDS)
    query = search.parse(values[SEARCH_QUERY_FIELD])
    if query is None:
        raise ValidationFailed({SEARCH_QUERY_FIELD: bilingual("intake.search_needs_a_word")})
    if query.matched_by == search.NATIONAL_ID and principal["role"] not in NATIONAL_ID_SEARCH_ROLES:
        raise Forbidden("national_id_search_forbidden", bilingual("intake.national_id_search_forbidden"))
    return query


def search_answer(query: search.Query, application_nos: Iterable[str]) -> dict[str, Any]:
    return {"matched_by": query.matched_by, "application_nos": list(application_nos)[:SEARCH_RESULTS_LIMIT]}


def subjects_view(asked: Iterable[str], found: Iterable[Mapping[str, Any]]) -> dict[str, str | None]:
    """``{application_no: subject}`` for every number asked: None when erased, unknown or not the
    caller's province (``found`` holds only the caller's)."""
    subjects = {document["_id"]: document.get("subject") for document in found}
    return {application_no: subjects.get(application_no) for application_no in asked}


SUBJECTS_LIMIT = 1000


def requested_numbers(application_nos: object) -> list[str]:
    """The numbers a caller asks subjects for: a list of at most SUBJECTS_LIMIT strings."""
    if (not isinstance(application_nos, (list, tuple)) or len(application_nos) > SUBJECTS_LIMIT
            or not all(isinstance(number, str) for number in application_nos)):
        raise ValidationFailed({"application_nos": bilingual("field.length", shortest=0, longest=SUBJECTS_LIMIT)})
    return list(dict.fromkeys(application_nos))


# --- who looked at my data (docs/api.md#access-log) ----------------------------------------------
# The applicant sees every audited read of their personal data: when, in what role, in which unit
# (officers of the governorship's own office are named as the office), and why — never who.

READER_ROLES = {
    "desk": by_language("access_log.role.desk"),
    "router": by_language("access_log.role.router"),
    "unit": by_language("access_log.role.unit"),
    "admin": by_language("access_log.role.admin"),
}
NAMED_PURPOSES = {  # any other purpose is the officer's own words, shown as typed
    DEFAULT_READ_PURPOSE: by_language("access_log.purpose.application_handling"),
    SEARCH_PURPOSE: by_language("access_log.purpose.search"),
    KVKK_EXPORT: by_language("access_log.purpose.kvkk_export"),
    KVKK_ERASURE: by_language("access_log.purpose.kvkk_erasure"),
}
THE_OFFICE = by_language("access_log.office")
A_UNIT = by_language("access_log.unknown_unit")


def code_matches(document: Mapping[str, Any] | None, tracking_code: object) -> bool:
    """Whether ``tracking_code`` is the application's, compared in constant time."""
    if document is None or not isinstance(tracking_code, str):
        return False
    return hmac.compare_digest(document["tracking_code"].encode("utf-8"), tracking_code.strip().encode("utf-8"))


def access_log_view(document: Mapping[str, Any], entries: Iterable[Mapping[str, Any]],
                    language: str | None) -> dict[str, Any]:
    """The reads of the application's personal data, oldest first, in ``language`` (else the
    application's own). A read by a unit's officer names the unit by ``unit_id`` (the gateway
    knows unit names; a service does not ask another), any other the office."""
    chosen = language if language in LANGUAGES else document.get("language", "tr")
    reads = []
    for entry in sorted(entries, key=lambda entry: entry["at"]):
        purpose = entry["purpose"]
        read = {"at": clock.to_iso(entry["at"]), "role": entry["role"],
                "role_text": READER_ROLES[entry["role"]][chosen],
                "purpose": NAMED_PURPOSES[purpose][chosen] if purpose in NAMED_PURPOSES else purpose}
        if entry["role"] != "unit":
            read["unit"] = THE_OFFICE[chosen]
        elif entry.get("unit_id"):
            read["unit_id"] = entry["unit_id"]
        else:  # audited before reads kept the reader's unit (2026-12-06)
            read["unit"] = A_UNIT[chosen]
        reads.append(read)
    return {"application_no": document["application_no"], "language": chosen, "reads": reads}


def requirements(configured: Any) -> dict[str, Any]:
    """What a citizen's submission must carry beyond the form's fields (``configured``: intake's
    settings), for the catalogue: forms show the birth field and the code step only when needed."""
    return dict(phone_verification.requirement(configured.phone_verification, configured.phone_code_lifetime),
                identity_registry=configured.identity_registry != identity.OFF)
