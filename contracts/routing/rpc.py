"""Routing's RPC interface, as the gateway sees it.

``principal`` is what ``authenticate`` returned and the gateway signed into the staff token:
``{username, role, province_code, unit_id}``. Scope is routing's to enforce: another province's
application, or (for a unit officer) one not routed to their unit, is ``NotFound``.

``authenticate(username, password) -> Principal``                       raises Unauthorized
``token_generation(username) -> Optional[int]``  what a token must carry; None: no token is honoured
``list_applications(principal, query) -> QueuePage``  query: status, unit_id, overdue, page, page_size, sort
``get_application(principal, application_no) -> Record``
``route_application(principal, application_no, {unit_id, note?}) -> Record``
``record_contact(principal, application_no, {channel, note}) -> Record``
``return_application(principal, application_no, {reason}) -> Record``
``answer_application(principal, application_no, {text, outcome}) -> Record``
    transitions raise Conflict (code ``invalid_transition``, ``unit_not_available``, ``state_changed``)
``list_units(principal, province=None) -> [Unit]``
``create_unit(principal, {name, type, name_en?, district?}) -> Unit``
``update_unit(principal, unit_id, {name?, name_en?, active?}) -> Unit``
``list_staff(principal) -> [Account]``
``create_staff(principal, {username, password, role, province, unit_id?}) -> Account``
``update_staff(principal, username, {password?, role?, unit_id?, active?}) -> Account``
    raises Conflict ``last_admin`` for the last active admin of the province
``export_personal_data(principal, application_nos) -> {application_no: {contacts, erased_at}}``
    KVKK export: the contact log of the admin's province's applications among ``application_nos``.
``create_open311_client(principal, {name}) -> Open311ClientKey``  the key in this answer only
``list_open311_clients(principal) -> [Open311Client]``
``update_open311_client(principal, client_id, {active}) -> Open311Client``  raises NotFound
``authenticate_open311_client(api_key) -> Open311ClientIdentity``  raises Unauthorized (unknown or inactive)
Bodies are validated here: ValidationFailed names the field.
"""
from typing import Any, Optional, TypedDict


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


class QueuePage(TypedDict):
    items: list[QueueEntry]
    total: int
    page: int
    page_size: int


class Record(QueueEntry):
    timeline: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    answer: Optional[dict[str, Any]]


class Unit(TypedDict):
    unit_id: str
    province_code: str
    province: str
    district: Optional[str]
    type: str
    name: str
    name_en: str
    active: bool


class Account(Principal):
    active: bool


class Open311ClientIdentity(TypedDict):
    client_id: str
    name: str


class Open311Client(Open311ClientIdentity):
    active: bool
    created_by: str
    created_at: str


class Open311ClientKey(Open311Client):
    api_key: str
