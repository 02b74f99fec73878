"""Intake's RPC interface, as the gateway sees it.

``submit_application(body, entry_point="citizen"|"desk"|"open311", idempotency_key=None, officer=None,
client=None) -> Receipt``  (desk: the officer; open311: the client app ``{client_id, name}``, channel app)
    raises ValidationFailed (field paths as in the HTTP body; the key as
    ``headers.Idempotency-Key``) or Conflict (key reused with another body).
``get_catalog() -> Catalogue``
``export_personal_data(principal, {national_id}) -> {national_id, applications: [...]}``  audited (kvkk_export)
``erase_personal_data(principal, {national_id, reason}) -> {erased: [application_no], erased_at}``
    audited (kvkk_erasure); each erasure owes ``applicant_data_erased``. Both: the admin's province
    only; ValidationFailed names ``national_id`` / ``reason``; NotFound when nobody (left) to find.
"""
from typing import Any, TypedDict


class Receipt(TypedDict):
    application_no: str
    tracking_code: str
    status: str
    received_at: str
    due_at: str


class CatalogueEntry(TypedDict):
    code: str
    name: dict[str, str]


class Catalogue(TypedDict):
    kinds: list[CatalogueEntry]
    categories: list[CatalogueEntry]
    provinces: list[dict[str, Any]]
