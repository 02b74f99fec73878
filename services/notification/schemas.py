"""Notification's RPC interface, as the gateway sees it.

``record_delivery_report(provider, callback) -> {"applied": n, "ignored": m}``
    ``callback``: ``{url, content_type, form, json, signature}`` as the gateway received it;
    raises NotAllowed (bad signature), ValidationFailed (unreadable body), NotFound (no such provider).
``list_messages(principal, application_no) -> [MessageView]``   (the gateway checked scope first)
``list_failed_messages(principal, limit=100) -> [MessageView]``   (the admin's province)
"""
from typing import Optional, TypedDict


class MessageView(TypedDict):
    message_id: str
    application_no: str
    template: str
    state: str
    attempts: int
    provider: Optional[str]
    last_error: Optional[str]
    created_at: str
    updated_at: str
