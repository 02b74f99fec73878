"""Intake's RPC interface, as the gateway sees it.

``submit_application(body, entry_point="citizen"|"desk"|"open311", idempotency_key=None, officer=None,
client=None) -> Receipt``  (desk: the officer; open311: the client app ``{client_id, name}``, channel app)
    raises ValidationFailed (field paths as in the HTTP body; the key as
    ``headers.Idempotency-Key``) or Conflict (key reused with another body).
``get_catalog() -> Catalogue``  with ``requirements``: what a citizen's submission must prove here.
``request_phone_verification({phone, language?}) -> PhoneVerification``  a one-time code texted to the phone
    (owes ``phone_verification_requested``); the same answer whoever the phone is. ValidationFailed names
    ``phone`` / ``language``.
``prove_phone(verification_id, {code}) -> ProvenPhone``  ValidationFailed names ``code`` (a wrong one says
    the tries left); Conflict ``verification_locked`` / ``verification_expired`` / ``verification_used``;
    NotFound for an unknown or malformed id.
``request_tracking_code(application_no, {national_id}) -> None``  a lost tracking code: when the national ID
    is the applicant's (an erased applicant's never is), owes ``tracking_code_requested`` (the SMS), at most
    once an hour per application; None whether or not it matched, and for a malformed number.
    ValidationFailed names ``national_id``.
``get_access_log(application_no, tracking_code, language=None) -> AccessLog``  every audited read of
    the applicant's personal data, oldest first: when, role, unit (``unit_id`` for a unit's officer,
    else the office's name as ``unit``), purpose; never who. NotFound unless the code is the application's.
``get_application_record(principal, application_no, purpose=None) -> staff record``  with the applicant (audited)
    and ``privacy_notice_version`` (the privacy notice acknowledged at submission; None when not recorded).
``export_personal_data(principal, {national_id}) -> {national_id, applications: [...]}``  audited (kvkk_export)
``erase_personal_data(principal, {national_id, reason}) -> {erased: [application_no], erased_at}``
    audited (kvkk_erasure); each erasure owes ``applicant_data_erased``. Both: the admin's province
    only; ValidationFailed names ``national_id`` / ``reason``; NotFound when nobody (left) to find.
``list_personal_data_requests(principal) -> [PersonalDataRequest]``  the province's KVKK requests,
    newest first, at most 100; the national ID only masked (null for requests made before it was kept).
``find_applications(principal, q) -> SearchResult``  the staff search within the principal's province:
    ``NNNN-NNNNNN`` that application; 11 digits the applicant's (router and admin only, else Forbidden
    ``national_id_search_forbidden``; audited, purpose ``search``); else every word (2+ letters,
    Turkish-folded, 3+ letters also as a prefix) in subject or description. Newest first, at most
    1000 numbers. ValidationFailed names ``q``.
``application_subjects(principal, application_nos) -> {application_no: subject | None}``  every number
    asked (at most 1000); None when erased, unknown or of another province.
``similar_applications(principal, application_no) -> [SimilarApplication]``  likely duplicates in the
    principal's province (services/intake/similarity.py), the same applicant first, then by score; at
    most 20. NotFound for an unknown number or another province's.
"""
from typing import Any, Optional, TypedDict


class SimilarApplication(TypedDict):
    application_no: str
    score: float  # 0..1: how alike the texts are
    reasons: list[str]  # same_applicant (within 30 days), similar_text (same district and category, 14 days)
    received_at: str
    subject: Optional[str]


class Receipt(TypedDict):
    application_no: str
    tracking_code: str
    status: str
    received_at: str
    due_at: str


class CatalogueEntry(TypedDict):
    code: str
    name: dict[str, str]


class Requirements(TypedDict):
    identity_registry: bool  # the population registry checks the applicant: birth_year (YKN: birth_date) needed
    phone_verification: bool  # a submission carries phone_verification {id, code}
    code_length: int
    code_lifetime_seconds: int
    max_attempts: int


class Catalogue(TypedDict):
    kinds: list[CatalogueEntry]
    categories: list[CatalogueEntry]
    provinces: list[dict[str, Any]]
    requirements: Requirements


class PhoneVerification(TypedDict):
    verification_id: str
    expires_at: str  # the code's end: five minutes after it was asked for
    attempts_left: int


class ProvenPhone(TypedDict):
    verification_id: str
    verified: bool
    valid_until: str  # a submission for the same phone may spend it until then


class SearchResult(TypedDict):
    matched_by: str  # number, national_id or words
    application_nos: list[str]


class PersonalDataRequest(TypedDict):
    action: str  # kvkk_export or kvkk_erasure
    at: str
    by: str
    national_id_masked: Optional[str]
    applications: int
    reason: Optional[str]


class AccessLogRead(TypedDict, total=False):
    at: str
    role: str  # desk, router, unit or admin
    role_text: str
    unit_id: str  # a unit's officer (the gateway puts the unit's name in ``unit``)
    unit: str  # any other reader: the office
    purpose: str


class AccessLog(TypedDict):
    application_no: str
    language: str
    reads: list[AccessLogRead]
