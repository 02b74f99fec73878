"""The event catalogue of docs/architecture.md#events: who publishes what, with which fields.

Producers build payloads with ``new_event`` so an event can never leave a
service without the fields its consumers rely on; contract tests compare
each consumer's reads against this table. Changes are additive only.
"""
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from common import clock

ENVELOPE_FIELDS = ("event_name", "event_version", "event_id", "occurred_at", "application_no")

# The envelope and field set an event of this catalogue has; a consumer refuses other versions
# (parks them as dead letters) rather than guess at their meaning.
EVENT_VERSION = 1


@dataclass(frozen=True)
class EventSpec:
    producer: str
    fields: tuple[str, ...]
    consumers: tuple[str, ...] = ()  # the services that handle it; their queues are declared up front


CATALOGUE = {
    # due_at: Açık Kapı's answer target; statutory_due_at (since 2026-12-06): the law's limit (Law 3071,
    # or as STATUTORY_PERIODS sets per kind). Consumers read it with .get: older events lack it.
    # email (since issue 23): the applicant's optional address (null when not given), for notification's
    # e-mail when an SMS fails; read with .get. With the phone, the only personal data on the bus.
    "application_received": EventSpec("intake", (
        "kind", "category", "province", "province_code", "district", "channel",
        "received_at", "due_at", "statutory_due_at", "phone", "tracking_code", "language", "email",
    ), consumers=("routing", "notification", "tracking")),
    # step: the application's count of routing transitions, ordering steps that share a timestamp.
    "application_routed": EventSpec(
        "routing", ("unit_id", "unit_name", "routed_by", "due_at", "step"), consumers=("tracking",)),
    "application_returned": EventSpec("routing", ("unit_id", "reason", "step"), consumers=("tracking",)),
    "applicant_contacted": EventSpec(
        "routing", ("channel", "contacted_by", "step"), consumers=("tracking",)),
    # answers_objection (since 2026-12-06): the answer to the applicant's objection, not the first one;
    # verification_code: the code printed with the answer, under which anyone can verify it (GET
    # /api/v1/verify/{code}). Consumers read both with .get: older events lack them.
    "application_answered": EventSpec(
        "routing", ("unit_id", "outcome", "answer_text", "answered_at", "step", "answers_objection",
                    "verification_code"),
        consumers=("notification", "tracking")),
    "deadline_approaching": EventSpec("routing", ("unit_id", "due_at"), consumers=("tracking",)),
    "deadline_missed": EventSpec("routing", ("unit_id", "due_at"), consumers=("tracking",)),
    # An incident's applications changed (a router grouped or added some): tracking tells each member's
    # applicant how many were considered together. ``version`` orders the changes; ``application_no`` is
    # null (an incident is many applications).
    "incident_changed": EventSpec("routing", ("incident_id", "application_nos", "version"), consumers=("tracking",)),
    # Past the statutory limit (statutory_due_at of application_received) without an answer: owed once.
    "application_escalated": EventSpec("routing", ("unit_id", "statutory_due_at"), consumers=("tracking",)),
    # No longer published (issue 20): only staff views used it, and the staff record asks notification.
    # Tracking still handles it, so one published by an older notification during a rolling deploy lands.
    "sms_sent": EventSpec("notification", ("message_id", "template", "provider"), consumers=("tracking",)),
    # Published only when it clears a citizen's notice: an earlier SMS of the same application and
    # template had failed (tracking shows "we could not reach you" until one is delivered).
    "sms_delivered": EventSpec(
        "notification", ("message_id", "template", "provider"), consumers=("tracking",)),
    # notification consumes its own: the failed SMS's notice then goes by e-mail (issue 23).
    "sms_failed": EventSpec(
        "notification", ("message_id", "template", "provider", "reason"), consumers=("tracking", "notification")),
    # An e-mail (issue 23: the notice of a failed SMS, or one beside every SMS) was taken by the SMTP
    # server: tracking names the address in the citizen's notice, masked (a***@e***.com) — the full
    # address never travels here.
    "email_sent": EventSpec(
        "notification", ("message_id", "template", "email_masked"), consumers=("tracking",)),
    # KVKK erasure of the applicant's personal data: the number alone, nothing personal. Consumed by
    # every service that holds personal data of an application (tracking holds none).
    "applicant_data_erased": EventSpec("intake", (), consumers=("notification", "routing", "tracking")),
    # The applicant objected to the answer (tracking checked the code, the window and that it is the
    # first): routing gives it back to the unit that answered (unit_id), due by due_at and by the law
    # at statutory_due_at; notification confirms receipt by SMS. text: the applicant's words.
    "objection_filed": EventSpec("tracking", ("unit_id", "text", "filed_at", "due_at", "statutory_due_at"),
                                 consumers=("routing", "notification")),
    # A citizen who lost the tracking code proved the national ID of the application: notification
    # texts the code to the phone on record. requested_at tells one request from another (at most
    # one an hour), so a redelivered event still gives one SMS.
    "tracking_code_requested": EventSpec("intake", ("tracking_code", "requested_at"), consumers=("notification",)),
    # A citizen asked to prove a phone number (issue 24): notification texts the one-time ``code`` to
    # ``phone`` until ``expires_at``, and keeps neither once the SMS is out. The only event carrying a
    # secret: intake keeps only the code's digest. ``application_no`` is null (no application yet).
    "phone_verification_requested": EventSpec(
        "intake", ("verification_id", "phone", "code", "language", "expires_at"), consumers=("notification",)),
    # An SMS provider's delivery report as the gateway received it, once its URL token matched:
    # published with confirms before the provider is answered, applied by notification (which holds
    # the providers' secrets and checks signatures). ``callback``: url, content_type, form, json,
    # signature. A report covers many messages, so ``application_no`` is null.
    "sms_report_received": EventSpec("gateway", ("provider", "callback"), consumers=("notification",)),
}


# What an application is, as every consumer of application_received keeps it.
APPLICATION_FACTS = ("application_no", "kind", "category", "province", "province_code", "district", "channel")


def facts(event: Mapping[str, Any], names: tuple[str, ...] = APPLICATION_FACTS) -> dict[str, Any]:
    """The named fields of ``event``: what a consumer copies into its own record."""
    return {name: event[name] for name in names}


def new_event(name: str, application_no: str | None, **fields: Any) -> dict[str, Any]:
    """A payload for ``name``; refuses missing or unknown fields."""
    spec = CATALOGUE[name]
    missing = set(spec.fields) - set(fields)
    unknown = set(fields) - set(spec.fields)
    if missing or unknown:
        raise ValueError("event {}: missing {} unknown {}".format(name, sorted(missing), sorted(unknown)))
    return dict(
        fields,
        event_name=name,
        event_version=EVENT_VERSION,
        event_id=uuid.uuid4().hex,
        occurred_at=clock.to_iso(clock.now(), "milliseconds"),
        application_no=application_no,
    )
