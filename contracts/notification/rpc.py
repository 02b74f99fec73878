"""Notification's RPC interface, as the gateway sees it.

``record_delivery_report(provider, callback) -> {"applied": n, "ignored": m}``
    ``callback``: ``{url, content_type, form, json, signature}`` as the gateway received it;
    raises NotAllowed (bad signature), ValidationFailed (unreadable body), NotFound (no such provider).
``list_messages(principal, application_no) -> [MessageView]``   the SMS, then the e-mails (``channel``: "sms" or
    "email"; an e-mail stands in for a failed SMS, or goes beside every SMS: docs/sms.md#email) of one
    application (the gateway checked scope first)
``list_failed_messages(principal, limit=100) -> [FailedMessageView]``   (the admin's province, latest first)
``resend_message(principal, message_id) -> MessageView``   the new, queued message (same application,
    template and recipient), sent by the dispatcher; NotFound when no failed message of that id is in
    the admin's province; Conflict ``sms_not_resendable`` when it is not failed, was resent already,
    failed for the number's fault (invalid, blocked, unreachable) or its recipient's phone is gone.
``export_personal_data(principal, application_nos) -> {application_no: {recipient, erased_at, messages}}``
    KVKK export: the recipient's phone and e-mail address (null once erased) and the SMS and e-mail records
    (as ``list_messages``); the admin's province only.
"""
from typing import Optional, TypedDict


class MessageView(TypedDict):
    message_id: str
    application_no: str
    template: str
    channel: str  # sms, or email (an e-mail has no delivery report: never delivered)
    state: str  # queued, sending, sent, delivered, failed, cancelled
    attempts: int
    provider: Optional[str]  # an e-mail's: smtp or log
    last_error: Optional[str]
    created_at: str
    updated_at: str
    sent_at: Optional[str]  # null where the state was not reached
    delivered_at: Optional[str]
    failed_at: Optional[str]


class FailureReason(TypedDict):
    tr: str
    en: str


class FailedMessageView(MessageView):
    resendable: bool
    resend_refusal: Optional[FailureReason]  # why it may not be sent again, for people
    reason: FailureReason  # why it failed, for people
