"""Tracking's RPC interface, as the gateway sees it.

``get_application_status(application_no, tracking_code, language=None) -> StatusView``
    raises NotFound, the same for an unknown number and a wrong code.
"""
from typing import List, TypedDict


class TimelineEntry(TypedDict):
    at: str
    status: str
    text: str


class StatusView(TypedDict):
    application_no: str
    status: str
    kind: str
    category: str
    province: str
    district: str
    received_at: str
    due_at: str
    updated_at: str
    timeline: List[TimelineEntry]
