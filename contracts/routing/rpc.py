"""Routing's RPC interface, as the gateway sees it.

``principal`` is what ``authenticate`` returned and the gateway signed into the staff token:
``{username, role, province_code, unit_id}``. Scope is routing's to enforce: another province's
application, or (for a unit officer) one not routed to their unit, is ``NotFound``.

``authenticate(username, password) -> Principal``                       raises Unauthorized
``token_generation(username) -> Optional[int]``  what a token must carry; None: no token is honoured
``staff_profile(principal) -> StaffProfile``  who is logged in, with the names of province and unit
``list_applications(principal, query, application_nos=None) -> QueuePage``  query: status (or ``open``),
    unit_id, overdue, page, page_size, sort (due, received, status; newest = received);
    ``application_nos``: only these (what a search found; [] is an empty page with zero counts)
``get_application(principal, application_no) -> Record``  with ``staff_names`` of the officers in it
``route_application(principal, application_no, {unit_id, note?}) -> Record``
``record_contact(principal, application_no, {channel, note}) -> Record``
``return_application(principal, application_no, {reason}) -> Record``
``answer_application(principal, application_no, {text, outcome}) -> Record``
    transitions raise Conflict (code ``invalid_transition``, ``unit_not_available``, ``state_changed``)
``unit_names(unit_ids) -> {unit_id: name}``  the units among at most 100 ids that exist (a unit's name is
    public). ValidationFailed names ``unit_ids``.
``list_units(principal, province=None) -> [Unit]``  each with its active unit officers
``create_unit(principal, {name, type, name_en?, district?}) -> Unit``
``update_unit(principal, unit_id, {name?, name_en?, active?}) -> Unit``
    raises Conflict ``unit_has_open_applications`` to deactivate a unit with routed applications
``list_staff(principal) -> [Account]``
``create_staff(principal, {username, password, role, province, unit_id?, display_name?}) -> Account``
``update_staff(principal, username, {password?, role?, unit_id?, active?, display_name?}) -> Account``
    raises Conflict ``last_admin`` for the last active admin of the province
``reset_password(principal, username) -> PasswordReset``  a new random password, in this answer only;
    the account's earlier tokens are revoked; NotFound outside the admin's province
``staff_display_names(principal, usernames) -> {username: display_name}``  the province's officers among them
``export_personal_data(principal, application_nos) -> {application_no: {contacts, erased_at}}``
    KVKK export: the contact log of the admin's province's applications among ``application_nos``.
``create_open311_client(principal, {name}) -> Open311ClientKey``  the key in this answer only
``list_open311_clients(principal) -> [Open311Client]``
``update_open311_client(principal, client_id, {active}) -> Open311Client``  raises NotFound
``authenticate_open311_client(api_key) -> Open311ClientIdentity``  raises Unauthorized (unknown or inactive)
Bodies are validated here: ValidationFailed names the field.
"""
from typing import Any, Optional, Required, TypedDict


class Principal(TypedDict):
    username: str
    role: str
    province_code: str
    unit_id: Optional[str]


class UnitRef(TypedDict):
    unit_id: str
    name: str


class QueueEntry(TypedDict):
    application_no: str
    status: str
    kind: str
    category: str
    province: str
    province_code: str
    district: str
    channel: str
    received_at: str
    due_at: str
    overdue: bool
    unit: Optional[UnitRef]
    suggested_unit: Optional[UnitRef]
    days_left: Optional[int]  # whole days to the deadline, negative once passed; None once answered
    due_state: str  # overdue, due_soon (within 24 hours), fine, closed (answered)
    statutory_due_at: Optional[str]  # the law's limit; None on records of before 2026-12-06
    statutory_days_left: Optional[int]  # as days_left, to the law's limit; None once answered or without one
    escalated: bool  # past the statutory limit unanswered
    objected: bool  # the applicant objected to the answer: back with the unit that gave it
    incident_id: Optional[str]  # the incident it belongs to (docs/api.md#incidents), if any


class QueueCounts(TypedDict):
    """Applications per status in the caller's queue with its filters but the status (the tabs)."""
    unrouted: int
    routed: int
    returned: int
    answered: int
    open: int


class QueuePage(TypedDict):
    items: list[QueueEntry]
    total: int
    page: int
    page_size: int
    counts: QueueCounts


class RecordObjection(TypedDict):
    text: Optional[str]  # None once the applicant's personal data was erased
    filed_at: str


class Record(QueueEntry, total=False):
    timeline: Required[list[dict[str, Any]]]
    contacts: Required[list[dict[str, Any]]]
    answer: Required[Optional[dict[str, Any]]]  # with its verification_code
    staff_names: Required[dict[str, str]]  # username → display name, for every officer named in the record
    objection: RecordObjection  # only once objected
    first_answer: Optional[dict[str, Any]]  # the answer objected to


class IncidentAnswer(TypedDict):
    text: str
    outcome: str
    by: str
    answered_at: str


class Incident(TypedDict):
    """Applications of one province handled as one: each keeps its own transitions and SMS."""
    incident_id: str
    title: str
    province_code: str
    created_by: str
    created_at: str
    unit: Optional[UnitRef]  # where it is routed
    answer: Optional[IncidentAnswer]
    application_count: int  # every member, seen or not
    applications: list[QueueEntry]  # the members the caller may see


class VerificationKey(TypedDict):
    key_id: str
    algorithm: str  # Ed25519
    public_key: str  # the raw 32-byte key, base64url without padding


class Verification(TypedDict):
    """An answer as anyone holding its code may check it: nothing personal, the text by its digest."""
    verification_code: str
    application_no: str
    unit: str
    answered_at: str
    answer_to: str  # application, or objection (the answer to the applicant's objection)
    text_sha256: str  # of the normalized text (services/routing/answer_signing.py)
    key_id: str
    algorithm: str
    signature: str  # base64url
    # the signed object itself: the signature is over its compact JSON with sorted keys in UTF-8
    signed: dict[str, Any]
    signature_valid: bool  # the signature holds under the published key, and the stored text is the signed one
    text_matches: Optional[bool]  # a pasted text's digest equals the signed one; None: nothing pasted
    history: str  # the application's history chain: intact, broken, partial or unchained


class Unit(TypedDict):
    unit_id: str
    province_code: str
    province: str
    district: Optional[str]
    type: str
    name: str
    name_en: str
    active: bool
    active_officers: int  # active unit officers assigned to it


class Account(Principal):
    active: bool
    display_name: str


class StaffProfile(TypedDict):
    username: str
    display_name: str
    role: str
    province_code: str
    province_name: str
    unit_id: Optional[str]
    unit_name: Optional[str]


class PasswordReset(TypedDict):
    username: str
    password: str  # shown once: routing keeps only its hash


class Open311ClientIdentity(TypedDict):
    client_id: str
    name: str


class Open311Client(Open311ClientIdentity):
    active: bool
    created_by: str
    created_at: str


class Open311ClientKey(Open311Client):
    api_key: str
