"""Notification's RPC interface, as the gateway sees it.

``record_delivery_report(provider, callback) -> {"applied": n, "ignored": m}``
    ``callback``: ``{url, content_type, form, json, signature}`` as the gateway received it;
    raises NotAllowed (bad signature), ValidationFailed (unreadable body), NotFound (no such provider).
``list_messages(principal, application_no) -> [MessageView]``   (the gateway checked scope first)
``list_failed_messages(principal, limit=100) -> [MessageView]``   (the admin's province)
``export_personal_data(principal, application_nos) -> {application_no: {recipient, erased_at, messages}}``
    KVKK export: the recipient's phone (null once erased) and the SMS records; the admin's province only.
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
