"""Intake's RPC interface, as the gateway sees it.

``submit_application(body, entry_point="citizen"|"desk", idempotency_key=None) -> Receipt``
    raises ValidationFailed (field paths as in the HTTP body; the key as
    ``headers.Idempotency-Key``) or Conflict (key reused with another body).
``get_catalog() -> Catalogue``
"""
from typing import List, TypedDict


class Receipt(TypedDict):
    application_no: str
    tracking_code: str
    status: str
    received_at: str
    due_at: str


class CatalogueEntry(TypedDict):
    code: str
    name: dict


class Catalogue(TypedDict):
    kinds: List[CatalogueEntry]
    categories: List[CatalogueEntry]
    provinces: List[dict]
