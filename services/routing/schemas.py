"""Routing's RPC interface, as the gateway sees it.

``list_applications(province_code, status="unrouted", limit=100) -> [QueueEntry]``
"""
from typing import TypedDict


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
