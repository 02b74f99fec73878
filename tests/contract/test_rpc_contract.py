"""What the gateway calls over RPC exists on the services, as an ``@rpc`` entrypoint that takes
those arguments; and the answers the gateway is tested with have the shapes the services give."""
import inspect
import json

import mongomock
import pytest
from nameko.exceptions import deserialize, serialize
from nameko.rpc import Rpc
from nameko.testing.services import worker_factory

from common.errors import AppError, Conflict, NotAllowed, NotFound, Unauthorized, ValidationFailed
from common.handlers import unsupported_reason
from common.places import places
from contracts.events import new_event
from contracts.intake import rpc as intake_rpc
from contracts.intake.rpc import Catalogue, Receipt
from contracts.notification import rpc as notification_rpc
from contracts.routing import rpc as routing_rpc
from contracts.tracking import rpc as tracking_rpc
from contracts.tracking.rpc import StatusView, TimelineEntry
from gateway import errors as gateway_errors
from gateway.app import create_app
from gateway.settings import Settings
from services.intake import domain as intake_domain
from services.intake.service import IntakeService
from services.intake.store import IntakeStore
from services.notification import domain as notification_domain
from services.notification.delivery_reports import DeliveryReports
from services.notification.providers.twilio import signature_for
from services.notification.service import NotificationService
from services.notification.store import NotificationStore
from services.routing.accounts_store import AccountsStore
from services.routing.passwords import hash_password
from services.routing.service import RoutingService
from services.routing.store import RoutingStore
from services.routing.unit_catalog import seed_units
from services.tracking.service import TrackingService
from services.tracking.store import TrackingStore
from tests.support.fake_events import FakeEventPublisher
from tests.support.fake_relay import FakeRelay
from tests.support.samples import (  # noqa: E402
    PASSWORD,
    answer_keyring,
    application_body,
    intake_worker,
    staff_principal,
)

SERVICES = {cls.name: cls for cls in (IntakeService, RoutingService, NotificationService, TrackingService)}

NUMBER = "2026-000001"
CODE = "K7M2PQ9X"
APPLICATION_BODY = application_body()
PLAUSIBLE_ANSWERS = {
    ("intake", "submit_application"): {
        "application_no": NUMBER, "tracking_code": CODE, "status": "received",
        "received_at": "2026-03-02T10:15:00+03:00", "due_at": "2026-03-09T10:15:00+03:00",
    },
    ("intake", "get_catalog"): {
        "kinds": [{"code": "complaint", "name": {"tr": "Şikâyet", "en": "Complaint"}}],
        "categories": [{"code": "health", "name": {"tr": "Sağlık", "en": "Health"}},
                       {"code": "transport", "name": {"tr": "Ulaşım", "en": "Transport"}}],
        "provinces": [],
        "requirements": {"identity_registry": True, "phone_verification": True, "code_length": 6,
                         "code_lifetime_seconds": 300, "max_attempts": 3}},
    ("intake", "request_phone_verification"): {
        "verification_id": "5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f", "expires_at": "2026-03-02T10:20:00+03:00",
        "attempts_left": 3},
    ("intake", "prove_phone"): {
        "verification_id": "5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f", "verified": True,
        "valid_until": "2026-03-02T10:47:00+03:00"},
    ("tracking", "get_application_status"): {
        "application_no": NUMBER, "status": "received", "kind": "complaint", "category": "general",
        "province": "İstanbul", "district": "Kadıköy", "received_at": "2026-03-02T10:15:00+03:00",
        "due_at": "2026-03-09T10:15:00+03:00", "updated_at": "2026-03-02T10:15:00+03:00",
        "timeline": [{"at": "2026-03-02T10:15:00+03:00", "status": "received", "text": "Başvurunuz alındı."}],
        "deadlines": {"answer": {"due_at": "2026-03-09T10:15:00+03:00", "days_left": 7},
                      "statutory": {"due_at": "2026-04-01T10:15:00+03:00", "days_left": 30}},
    },
}
PLAUSIBLE_ANSWERS.update({(name, "ping"): {"service": name, "ok": True} for name in SERVICES})
RATING = {"score": 4, "comment": None, "given_at": "2026-03-06T10:00:00+03:00"}
PLAUSIBLE_ANSWERS[("tracking", "file_objection")] = dict(
    PLAUSIBLE_ANSWERS[("tracking", "get_application_status")], status="objected",
    answer={"text": "Gereği yapıldı.", "outcome": "positive", "answered_at": "2026-03-05T14:00:00+03:00",
            "verification_code": "7KQ2M-9XH4T", "feedback": RATING},
    objection={"text": "Yanıt başka bir sokağı anlatıyor.", "filed_at": "2026-03-06T11:00:00+03:00", "answer": None})
PLAUSIBLE_ANSWERS[("tracking", "give_feedback")] = RATING
INCIDENT_ID = "5d8e89124ddd482baea0899ed704a33e"
PLAUSIBLE_ANSWERS[("routing", "answer_verification_keys")] = [
    {"key_id": "2026-12", "algorithm": "Ed25519", "public_key": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]
PLAUSIBLE_ANSWERS[("routing", "verify_answer")] = {
    "verification_code": "7KQ2M-9XH4T", "application_no": NUMBER, "unit": "Çankaya İlçe Sağlık Müdürlüğü",
    "answered_at": "2026-03-05T14:00:00+03:00", "answer_to": "application", "text_sha256": "ab" * 32,
    "key_id": "2026-12", "algorithm": "Ed25519", "signature": "c2ln", "signature_valid": True, "text_matches": None,
    "history": "intact", "signed": {"format": "acikkapi.answer.v1", "application_no": NUMBER}}
STATISTICS = {
    "province_code": "06", "unit_id": None, "from": "2026-03-01", "to": "2026-03-30",
    "generated_at": "2026-03-30T12:00:00+03:00", "total": 1,
    "by_status": {"received": 0, "routed": 1, "returned": 0, "answered": 0, "objected": 0},
    "by_kind": {"complaint": 1}, "by_channel": {"web": 1},
    "by_unit": [{"unit_id": "06-cankaya-health", "name": "Çankaya İlçe Sağlık Müdürlüğü", "total": 1,
                 "answered": 0, "overdue": 1, "escalated": 1}],
    "escalated": 1,
    "satisfaction": {"count": 1, "mean": 4.0, "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}},
    "satisfaction_by_unit": [{"unit_id": "06-cankaya-health", "name": "Çankaya İlçe Sağlık Müdürlüğü", "count": 1,
                              "mean": 4.0, "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}}],
    "answered": {"count": 0, "on_time": 0, "on_time_share": None, "median_hours": None, "p90_hours": None},
    "overdue": {"count": 1, "items": [{"application_no": NUMBER, "unit": {"unit_id": "06-cankaya-health",
                                                                          "name": "Çankaya İlçe Sağlık Müdürlüğü"},
                                       "due_at": "2026-03-09T10:15:00+03:00", "overdue_hours": 505.8}]},
}
PLAUSIBLE_ANSWERS[("tracking", "get_statistics")] = STATISTICS

# Routing's answers, in the shapes of contracts/routing/rpc.py.
PRINCIPALS = {role: staff_principal(username) for role, username in (
    ("desk", "ankara.desk"), ("router", "ankara.router"), ("unit", "ankara.health"), ("admin", "ankara.admin"))}
UNIT_REF = {"unit_id": "06-cankaya-health", "name": "Çankaya İlçe Sağlık Müdürlüğü"}
QUEUE_ENTRY = {
    "application_no": NUMBER, "status": "routed", "kind": "complaint", "category": "health", "province": "Ankara",
    "province_code": "06", "district": "Çankaya", "channel": "web", "received_at": "2026-03-02T10:15:00+03:00",
    "due_at": "2026-03-09T10:15:00+03:00", "overdue": False, "unit": UNIT_REF, "suggested_unit": UNIT_REF,
    "days_left": 3, "due_state": "fine", "statutory_due_at": "2026-04-01T10:15:00+03:00", "statutory_days_left": 26,
    "escalated": False, "objected": False, "incident_id": None,
}
INCIDENT = {"incident_id": INCIDENT_ID, "title": "Sokak lambası", "province_code": "06", "created_by": "ankara.router",
            "created_at": "2026-03-02T11:00:00+03:00", "unit": UNIT_REF, "answer": None, "application_count": 2,
            "applications": [QUEUE_ENTRY]}
SIMILAR = [{"application_no": "2026-000002", "score": 0.91, "reasons": ["similar_text"],
            "received_at": "2026-03-02T11:15:00+03:00", "subject": "Sokak lambası yanmıyor"}]
PLAUSIBLE_ANSWERS.update({("routing", method): INCIDENT for method in (
    "create_incident", "get_incident", "add_to_incident", "route_incident", "answer_incident")})
PLAUSIBLE_ANSWERS[("intake", "similar_applications")] = SIMILAR
PLAUSIBLE_ANSWERS[("routing", "visible_among")] = {NUMBER: QUEUE_ENTRY, "2026-000002": QUEUE_ENTRY}
QUEUE_COUNTS = {"unrouted": 0, "routed": 1, "returned": 0, "answered": 0, "open": 1}
RECORD = dict(QUEUE_ENTRY, timeline=[{"at": "2026-03-02T10:15:00+03:00", "action": "received", "by": None}],
              contacts=[], answer=None, staff_names={})
RECORD_OBJECTED = dict(RECORD, objected=True,
                       objection={"text": "Yanıt başka bir sokağı anlatıyor.", "filed_at": "2026-03-06T11:00:00+03:00"},
                       first_answer={"text": "Gereği yapıldı.", "outcome": "positive",
                                     "answered_at": "2026-03-05T14:00:00+03:00", "by": "ankara.health",
                                     "verification_code": "7KQ2M-9XH4T"})
UNIT = {"unit_id": "06-cankaya-health", "province_code": "06", "province": "Ankara", "district": "Çankaya",
        "type": "health", "name": UNIT_REF["name"], "name_en": "Cankaya District Health Directorate", "active": True,
        "active_officers": 1}
ACCOUNT = dict(PRINCIPALS["router"], active=True, display_name="Ayşe Demir")
STAFF_PROFILE = {"username": "ankara.router", "display_name": "Ayşe Demir", "role": "router", "province_code": "06",
                 "province_name": "Ankara", "unit_id": None, "unit_name": None}
PASSWORD_RESET = {"username": "ankara.router", "password": "abcd-efgh-ijkm-npqr"}
STAFF_RECORD = {"application_no": NUMBER, "applicant": {"national_id": "10000000146", "first_name": "Ayşe",
                                                        "last_name": "Yılmaz", "phone": "+905321234567",
                                                        "email": None},
                "subject": "Yoldaki çukur", "description": "Sokakta çukur var.", "language": "tr", "channel": "web",
                "entered_by": None, "client": None, "received_at": "2026-03-02T10:15:00+03:00",
                "privacy_notice_version": "2026-12", "personal_data_erased": None,
                "identity": {"checked_by": "population_registry", "checked_at": "2026-03-02T10:15:00+03:00",
                             "officer": None},
                "phone_verified": True}
PLAUSIBLE_ANSWERS.update({
    ("routing", "authenticate"): PRINCIPALS["router"],
    ("routing", "token_generation"): 0,
    ("routing", "list_applications"): {"items": [QUEUE_ENTRY], "total": 1, "page": 1, "page_size": 20,
                                       "counts": QUEUE_COUNTS},
    ("routing", "staff_profile"): STAFF_PROFILE,
    ("routing", "reset_password"): PASSWORD_RESET,
    ("routing", "staff_display_names"): {"ankara.admin": "Mehmet Kaya"},
    ("routing", "get_application"): RECORD_OBJECTED,
    ("routing", "route_application"): RECORD,
    ("routing", "record_contact"): RECORD,
    ("routing", "return_application"): RECORD,
    ("routing", "answer_application"): RECORD,
    ("routing", "list_units"): [UNIT],
    ("routing", "create_unit"): UNIT,
    ("routing", "update_unit"): UNIT,
    ("routing", "list_staff"): [ACCOUNT],
    ("routing", "create_staff"): ACCOUNT,
    ("routing", "update_staff"): ACCOUNT,
    ("intake", "get_application_record"): STAFF_RECORD,
    ("intake", "request_tracking_code"): None,  # the same whatever it found
})

# KVKK export and erasure, in the shapes of the services' export_personal_data / erase_personal_data.
PERSONAL_DATA_EXPORT = {"national_id": "10000000146", "applications": [dict(
    {key: STAFF_RECORD[key] for key in ("application_no", "applicant", "subject", "description", "channel",
                                         "language", "received_at", "privacy_notice_version")},
    kind="complaint", category="health", province="Ankara", district="Çankaya")]}
SMS_EXPORT = {NUMBER: {"recipient": {"phone": "+905321234567", "language": "tr", "email": "ayse.yilmaz@example.com"},
                       "erased_at": None, "messages": []}}
ROUTING_EXPORT = {NUMBER: {"contacts": [], "objection": None, "erased_at": None}}
TRACKING_EXPORT = {NUMBER: {"ratings": [{"score": 4, "comment": None, "given_at": "2026-03-06T10:00:00+03:00"}]}}
ERASURE_RECEIPT = {"erased": [NUMBER], "erased_at": "2026-03-02T10:15:00+03:00"}
PLAUSIBLE_ANSWERS.update({
    ("intake", "export_personal_data"): PERSONAL_DATA_EXPORT,
    ("intake", "erase_personal_data"): ERASURE_RECEIPT,
    ("notification", "export_personal_data"): SMS_EXPORT,
    ("routing", "export_personal_data"): ROUTING_EXPORT,
    ("tracking", "export_personal_data"): TRACKING_EXPORT,
})

# Notification's answers, in the shapes of services/notification/domain.message_view.
SMS_VIEW = {"message_id": "5d8e89124ddd482baea0899ed704a33e", "application_no": NUMBER,
            "template": "application_received", "channel": "sms", "state": "failed", "attempts": 8,
            "provider": "verimor",
            "last_error": "EXPIRED", "created_at": "2026-03-02T10:15:01+03:00",
            "updated_at": "2026-03-02T10:25:01+03:00", "sent_at": "2026-03-02T10:15:02+03:00",
            "delivered_at": None, "failed_at": "2026-03-02T10:25:01+03:00"}
FAILED_SMS_VIEW = dict(SMS_VIEW, resendable=True, resend_refusal=None, reason={
    "tr": "SMS geçerlilik süresi içinde iletilemedi.",
    "en": "The SMS could not be delivered within its validity period."})
RESENT_SMS_VIEW = dict(SMS_VIEW, message_id="9f0c2a5e1b7d4c3a8e6f1d2b3c4a5e6f", state="queued", attempts=0,
                       provider=None, last_error=None, sent_at=None, failed_at=None,
                       created_at="2026-03-02T11:00:00+03:00", updated_at="2026-03-02T11:00:00+03:00")
REPORT_OUTCOME = {"applied": 1, "ignored": 0}  # the RPC older gateways call (kept for a rolling deploy)
PLAUSIBLE_ANSWERS.update({
    ("notification", "list_messages"): [SMS_VIEW],
    ("notification", "list_failed_messages"): [FAILED_SMS_VIEW],
    ("notification", "resend_message"): RESENT_SMS_VIEW,
    ("notification", "record_delivery_report"): REPORT_OUTCOME,
})

# Intake's answers to the staff search, the queue's subjects and the KVKK request list.
PLAUSIBLE_ANSWERS.update({
    ("intake", "find_applications"): {"matched_by": "words", "application_nos": [NUMBER]},
    ("intake", "application_subjects"): {NUMBER: "Yoldaki çukur"},
    ("intake", "list_personal_data_requests"): [{
        "action": "kvkk_erasure", "at": "2026-03-02T10:15:00+03:00", "by": "ankara.admin",
        "national_id_masked": "100******46", "applications": 1, "reason": "KVKK silme başvurusu"}],
})

# Open311: client apps (routing) and public requests (tracking), in the shapes of their schemas.
OPEN311_CLIENT = {"client_id": "5e1f0c2a9b7d", "name": "Şehrim Uygulaması", "active": True,
                  "created_by": "ankara.admin", "created_at": "2026-03-02T10:15:00+03:00"}
PUBLIC_REQUEST = {"application_no": NUMBER, "status": "routed", "category": "health", "province": "Ankara",
                  "district": "Çankaya", "received_at": "2026-03-02T10:15:00+03:00",
                  "due_at": "2026-03-09T10:15:00+03:00", "updated_at": "2026-03-02T11:00:00+03:00",
                  "unit": "Çankaya İlçe Sağlık Müdürlüğü"}
PLAUSIBLE_ANSWERS.update({
    ("intake", "get_access_log"): {"application_no": NUMBER, "language": "en", "reads": [
        {"at": "2026-03-02T10:20:00+03:00", "role": "unit", "role_text": "Officer of the unit",
         "unit_id": "06-cankaya-health", "purpose": "Handling the application"}]},
    ("routing", "unit_names"): {"06-cankaya-health": "Çankaya İlçe Sağlık Müdürlüğü"},
    ("routing", "create_open311_client"): dict(OPEN311_CLIENT, api_key="ak311_" + "x" * 43),
    ("routing", "list_open311_clients"): [OPEN311_CLIENT],
    ("routing", "update_open311_client"): dict(OPEN311_CLIENT, active=False),
    ("routing", "authenticate_open311_client"): {"client_id": OPEN311_CLIENT["client_id"],
                                                 "name": OPEN311_CLIENT["name"]},
    ("tracking", "list_public_requests"): [PUBLIC_REQUEST],
})
OPEN311_FORM = {"api_key": "ak311_" + "x" * 43, "jurisdiction_id": "ankara.gov.tr", "service_code": "health",
                "first_name": "Ayşe", "last_name": "Yılmaz", "phone": "0532 123 45 67",
                "description": "Sağlık ocağının çalışma saatleri yetersiz.", "attribute[kind]": "complaint",
                "attribute[district]": "çankaya", "attribute[subject]": "Sağlık ocağı saatleri",
                "attribute[national_id]": "10000000146", "lat": "39.9", "long": "32.86"}
OPEN311 = "/open311/v2/"
ANKARA = "jurisdiction_id=ankara.gov.tr"

# Delivery reports as providers post them (the URL token is CALLBACK_TOKEN while exercising).
CALLBACK_TOKEN = "callback-token-for-contract-tests"
TWILIO_TOKEN = "twilio-auth-token"
CALLBACK_ENVIRONMENT = {
    "SMS_CALLBACK_TOKEN": CALLBACK_TOKEN, "SMS_CALLBACK_BASE_URL": "http://localhost",
    "VERIMOR_USERNAME": "908501234567", "VERIMOR_PASSWORD": "api-secret",
    "ILETIMERKEZI_KEY": "k", "ILETIMERKEZI_HASH": "h",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 31 + "1", "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_FROM": "ACIKKAPI",
}
VERIMOR_PUSH = [{"type": "outbound", "campaign_id": 20121, "message_custom_id": SMS_VIEW["message_id"],
                 "dest": "905321234567", "status": "DELIVERED", "gsm_error": "0", "done_at": "2026-03-02 10:15:09"}]
TWILIO_URL = "http://localhost/api/v1/sms/callbacks/twilio/{}?message_id={}".format(
    CALLBACK_TOKEN, SMS_VIEW["message_id"])
TWILIO_FORM = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"}
DESK_BODY = application_body(channel="desk", province="ankara", district="çankaya")

# Every route of the gateway, each in every way that reaches a service differently; the last item
# is the role whose token the request carries (None: no token).
STAFF_PATH = "/api/v1/staff/applications/" + NUMBER
EXERCISES = [
    ("citizen.submit_application", "POST", "/api/v1/applications", {"json": APPLICATION_BODY}, None),
    ("citizen.submit_application", "POST", "/api/v1/applications",
     {"json": APPLICATION_BODY, "headers": {"Idempotency-Key": "retry-77"}}, None),
    ("citizen.track_application", "GET", "/api/v1/applications/{}?tracking_code={}".format(NUMBER, CODE), {}, None),
    ("citizen.track_application", "GET",
     "/api/v1/applications/{}?tracking_code={}&language=en".format(NUMBER, CODE), {}, None),
    ("citizen.application_access_log", "GET",
     "/api/v1/applications/{}/access-log?tracking_code={}&language=en".format(NUMBER, CODE), {}, None),
    ("citizen.object_to_answer", "POST", "/api/v1/applications/{}/objection?language=en".format(NUMBER),
     {"json": {"tracking_code": CODE, "text": "Yanıt başka bir sokağı anlatıyor."}}, None),
    ("citizen.rate_answer", "POST", "/api/v1/applications/{}/feedback".format(NUMBER),
     {"json": {"tracking_code": CODE, "score": 4, "comment": "Hızlıydı."}}, None),
    ("verify.verification_keys", "GET", "/api/v1/verify/keys", {}, None),
    ("incidents.similar_applications", "GET", STAFF_PATH + "/similar", {}, "router"),
    ("incidents.create_incident", "POST", "/api/v1/staff/incidents",
     {"json": {"title": "Sokak lambası", "application_nos": [NUMBER, "2026-000002"]}}, "router"),
    ("incidents.get_incident", "GET", "/api/v1/staff/incidents/" + INCIDENT_ID, {}, "unit"),
    ("incidents.add_to_incident", "POST", "/api/v1/staff/incidents/{}/applications".format(INCIDENT_ID),
     {"json": {"application_nos": ["2026-000003"]}}, "router"),
    ("incidents.route_incident", "POST", "/api/v1/staff/incidents/{}/route".format(INCIDENT_ID),
     {"json": {"unit_id": "06-cankaya-health"}}, "router"),
    ("incidents.answer_incident", "POST", "/api/v1/staff/incidents/{}/answer".format(INCIDENT_ID),
     {"json": {"text": "Sokak lambası onarıldı.", "outcome": "positive"}}, "unit"),
    ("verify.verify_answer", "GET", "/api/v1/verify/7kq2m-9xh4t", {}, None),
    ("verify.verify_answer_text", "POST", "/api/v1/verify/7KQ2M9XH4T", {"json": {"text": "Gereği yapıldı."}}, None),
    ("citizen.request_tracking_code", "POST", "/api/v1/applications/{}/tracking-code".format(NUMBER),
     {"json": {"national_id": "10000000146"}}, None),
    ("citizen.catalog", "GET", "/api/v1/catalog", {}, None),
    ("citizen.request_phone_verification", "POST", "/api/v1/phone-verifications",
     {"json": {"phone": "0532 123 45 67", "language": "en"}}, None),
    ("citizen.prove_phone", "POST", "/api/v1/phone-verifications/5f0c1d2e3a4b5c6d7e8f9a0b1c2d3e4f",
     {"json": {"code": "482913"}}, None),
    ("health.healthz", "GET", "/healthz", {}, None),
    ("health.readyz", "GET", "/readyz", {}, None),
    ("metrics.serve", "GET", "/metrics", {}, None),
    ("openapi.document", "GET", "/api/v1/openapi.json", {}, None),
    ("openapi.docs", "GET", "/api/v1/docs", {}, None),
    ("staff.issue_token", "POST", "/api/v1/auth/token", {"json": {"username": "ankara.router", "password": PASSWORD}},
     None),
    ("staff.submit_at_desk", "POST", "/api/v1/desk/applications", {"json": DESK_BODY}, "desk"),
    ("staff.submit_at_desk", "POST", "/api/v1/desk/applications",
     {"json": DESK_BODY, "headers": {"Idempotency-Key": "desk-7"}}, "desk"),
    ("staff.queue", "GET", "/api/v1/staff/applications", {}, "router"),
    ("staff.queue", "GET", "/api/v1/staff/applications?status=routed&unit_id=06-health&overdue=true&page=2"
                           "&page_size=10&sort=due", {}, "unit"),
    ("staff.queue", "GET", "/api/v1/staff/applications?q=yol%20%C3%A7ukuru&status=open&sort=status", {}, "router"),
    ("staff.me", "GET", "/api/v1/auth/me", {}, "unit"),
    ("staff.record", "GET", STAFF_PATH, {}, "router"),
    ("staff.record", "GET", STAFF_PATH + "?reason=telefonla%20arama", {}, "unit"),
    ("staff.route", "POST", STAFF_PATH + "/route", {"json": {"unit_id": "06-cankaya-health", "note": "acil"}},
     "router"),
    ("staff.contact", "POST", STAFF_PATH + "/contacts", {"json": {"channel": "phone", "note": "Arandı."}}, "router"),
    ("staff.contact", "POST", STAFF_PATH + "/contacts", {"json": {"channel": "sms", "note": "Yazıldı."}}, "unit"),
    ("staff.return_to_router", "POST", STAFF_PATH + "/return", {"json": {"reason": "Yanlış birim."}}, "unit"),
    ("staff.answer", "POST", STAFF_PATH + "/answer",
     {"json": {"text": "Sağlık ocağı saatleri uzatıldı.", "outcome": "positive"}}, "unit"),
    ("staff.units", "GET", "/api/v1/units", {}, "desk"),
    ("staff.units", "GET", "/api/v1/units?province=ankara", {}, "router"),
    ("staff.statistics", "GET", "/api/v1/stats", {}, "router"),
    ("staff.statistics", "GET", "/api/v1/stats?province=ankara&unit_id=06-cankaya-health&from=2026-03-01"
                                "&to=2026-03-31", {}, "unit"),
    ("staff.create_unit", "POST", "/api/v1/admin/units", {"json": {"name": "Şehir Hastanesi", "type": "health"}},
     "admin"),
    ("staff.update_unit", "PATCH", "/api/v1/admin/units/06-cankaya-health", {"json": {"active": False}}, "admin"),
    ("staff.list_users", "GET", "/api/v1/admin/users", {}, "admin"),
    ("staff.create_user", "POST", "/api/v1/admin/users",
     {"json": {"username": "yeni.memur", "password": "yeterince-uzun-parola", "role": "router",
               "province": "ankara"}}, "admin"),
    ("staff.update_user", "PATCH", "/api/v1/admin/users/ankara.router", {"json": {"active": False}}, "admin"),
    ("staff.failed_sms", "GET", "/api/v1/admin/sms/failed", {}, "admin"),
    ("staff.resend_sms", "POST", "/api/v1/admin/sms/{}/resend".format(SMS_VIEW["message_id"]), {}, "admin"),
    ("staff.reset_password", "POST", "/api/v1/admin/users/ankara.router/password", {}, "admin"),
    ("admin_privacy.personal_data_requests", "GET", "/api/v1/admin/personal-data/requests", {}, "admin"),
    ("admin_privacy.export_personal_data", "POST", "/api/v1/admin/personal-data/export",
     {"json": {"national_id": "10000000146"}}, "admin"),
    ("admin_privacy.erase_personal_data", "POST", "/api/v1/admin/personal-data/erase",
     {"json": {"national_id": "10000000146", "reason": "KVKK silme başvurusu"}}, "admin"),
    ("open311.discovery", "GET", OPEN311 + "discovery.json", {}, None),
    ("open311.list_services", "GET", OPEN311 + "services.xml?" + ANKARA, {}, None),
    ("open311.service_definition", "GET", OPEN311 + "services/health.json?" + ANKARA, {}, None),
    ("open311.create_request", "POST", OPEN311 + "requests.json", {"data": OPEN311_FORM}, None),
    ("open311.create_request", "POST", OPEN311 + "requests.xml",
     {"data": dict(OPEN311_FORM, **{"attribute[language]": "en"}), "headers": {"Idempotency-Key": "app-1"}}, None),
    ("open311.list_requests", "GET", OPEN311 + "requests.xml?" + ANKARA, {}, None),
    ("open311.list_requests", "GET", OPEN311 + "requests.json?" + ANKARA + "&service_code=health,transport"
                                               "&status=open&start_date=2026-03-01T00:00:00Z"
                                               "&end_date=2026-03-31T00:00:00%2B03:00", {}, None),
    ("open311.list_requests", "GET", OPEN311 + "requests.json?" + ANKARA + "&service_request_id=" + NUMBER
                                               + ",2026-000002", {}, None),
    ("open311.get_request", "GET", OPEN311 + "requests/{}.json?{}".format(NUMBER, ANKARA), {}, None),
    ("open311.get_request_singular", "GET", OPEN311 + "request/{}.xml?{}".format(NUMBER, ANKARA), {}, None),
    ("open311.create_client", "POST", "/api/v1/admin/open311-clients", {"json": {"name": "Şehrim Uygulaması"}},
     "admin"),
    ("open311.list_clients", "GET", "/api/v1/admin/open311-clients", {}, "admin"),
    ("open311.update_client", "PATCH", "/api/v1/admin/open311-clients/" + OPEN311_CLIENT["client_id"],
     {"json": {"active": False}}, "admin"),
    ("callbacks.delivery_report", "POST", "/api/v1/sms/callbacks/verimor/" + CALLBACK_TOKEN,
     {"json": VERIMOR_PUSH}, None),
    ("callbacks.delivery_report", "POST", "/api/v1/sms/callbacks/iletimerkezi/" + CALLBACK_TOKEN,
     {"json": {"report": {"id": 1, "packet_id": 20121, "status": "delivered", "to": "+905321234567",
                          "body": "Başvurunuz alındı."}}}, None),
    ("callbacks.delivery_report", "POST", TWILIO_URL.replace("http://localhost", ""),
     {"data": TWILIO_FORM, "headers": {"X-Twilio-Signature": signature_for(TWILIO_URL, TWILIO_FORM, TWILIO_TOKEN)}},
     None),
    # the web clients' pages and files (gateway/web/): no RPC, they call the API from the browser
    ("web.page", "GET", "/", {}, None),
    ("web.page", "GET", "/konsol/kuyruk", {}, None),
    ("web.asset", "GET", "/web/common/api.js", {}, None),
    ("web.versioned_file", "GET", "/web/v/0123456789ab/common/api.js", {}, None),  # any version is served
    ("web.manifest", "GET", "/manifest.webmanifest", {}, None),
    ("web.service_worker", "GET", "/sw.js", {}, None),
    ("web.robots", "GET", "/robots.txt", {}, None),
]


class RecordingPool:
    def __init__(self, calls):
        self.calls = calls

    def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, args, kwargs))
        return PLAUSIBLE_ANSWERS[(service, method)]


def gateway_app(calls, events=None):
    app = create_app(Settings(amqp_uri="amqp://guest:guest@127.0.0.1:1/", rpc_timeout_seconds=1.0,
                              readiness_timeout_seconds=1.0, max_body_bytes=64 * 1024, retry_after_seconds=5))
    app.extensions["rpc"] = app.extensions["readiness_rpc"] = RecordingPool(calls)
    app.extensions["events"] = events or FakeEventPublisher()
    return app


@pytest.fixture(scope="module")
def callback_environment():
    """The callback token the gateway checks, and the provider settings notification builds from."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CALLBACK_ENVIRONMENT.items():
            patch.setenv(name, value)
        patch.delenv("SMS_PROVIDER", raising=False)
        yield


@pytest.fixture(scope="module")
def published_events():
    """What the gateway published while the exercises ran (delivery reports)."""
    return FakeEventPublisher()


@pytest.fixture(scope="module")
def recorded_calls(callback_environment, published_events):
    calls = []
    app = gateway_app(calls, published_events)
    client = app.test_client()
    for _, method, path, options, role in EXERCISES:
        if role is not None:
            token = app.extensions["token_signer"].issue(PRINCIPALS[role])
            options = dict(options, headers=dict(options.get("headers", {}), Authorization="Bearer " + token))
        response = client.open(path, method=method, **options)
        assert response.status_code < 300, (method, path, response.get_json())
    return calls


def rpc_entrypoint(service_class, method_name):
    method = getattr(service_class, method_name, None)
    entrypoints = getattr(method, "nameko_entrypoints", ())
    return method if any(isinstance(entrypoint, Rpc) for entrypoint in entrypoints) else None


def test_exercises_reach_every_route_of_the_gateway():
    app = gateway_app([])
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}

    assert {endpoint for endpoint, _, _, _, _ in EXERCISES} == routes


def test_gateway_calls_the_methods_it_is_known_to_need(recorded_calls):
    called = {(service, method) for service, method, _, _ in recorded_calls}

    assert called >= {("intake", "submit_application"), ("intake", "get_catalog"), ("intake", "request_tracking_code"),
                      ("intake", "get_access_log"), ("routing", "unit_names"),
                      ("tracking", "get_application_status"), ("intake", "get_application_record"),
                      ("intake", "find_applications"), ("intake", "application_subjects"),
                      ("intake", "list_personal_data_requests")}
    assert called >= {("routing", method) for method in (
        "authenticate", "list_applications", "get_application", "route_application", "record_contact",
        "return_application", "answer_application", "list_units", "create_unit", "update_unit", "list_staff",
        "create_staff", "update_staff", "staff_profile", "reset_password", "staff_display_names")}
    assert called >= {("notification", method) for method in (
        "list_messages", "list_failed_messages", "resend_message")}
    assert {(name, "ping") for name in SERVICES} <= called


def test_every_call_is_to_an_rpc_entrypoint_of_a_real_service(recorded_calls):
    for service, method, _, _ in recorded_calls:
        assert service in SERVICES, service
        assert rpc_entrypoint(SERVICES[service], method) is not None, "{}.{} is not an @rpc".format(
            service, method)


def test_every_call_binds_to_the_service_methods_signature(recorded_calls):
    for service, method, args, kwargs in recorded_calls:
        signature = inspect.signature(getattr(SERVICES[service], method))
        try:
            signature.bind(None, *args, **kwargs)
        except TypeError as refused:
            pytest.fail("{}.{}{} cannot take args={} kwargs={}: {}".format(
                service, method, signature, args, kwargs, refused))


def test_keyword_arguments_bind_by_name_including_officer_and_purpose(recorded_calls):
    """A keyword the gateway sends must be a named parameter: a ``**kwargs`` would swallow a misspelling."""
    sent = set()
    for service, method, args, kwargs in recorded_calls:
        signature = inspect.signature(getattr(SERVICES[service], method))
        assert all(parameter.kind is not parameter.VAR_KEYWORD for parameter in signature.parameters.values())
        bound = signature.bind(None, *args, **kwargs)
        assert set(kwargs) <= set(bound.arguments)
        sent |= {(service, method, name) for name in kwargs}

    assert sent >= {("intake", "submit_application", "entry_point"), ("intake", "submit_application", "officer"),
                    ("intake", "submit_application", "idempotency_key"),
                    ("intake", "get_application_record", "purpose")}


def test_desk_calls_carry_the_officer_and_staff_calls_the_principal(recorded_calls):
    principal_fields = set(routing_rpc.Principal.__annotations__)
    for service, method, args, kwargs in recorded_calls:
        if (service, method) == ("intake", "submit_application") and kwargs["entry_point"] == "desk":
            assert set(kwargs["officer"]) == principal_fields
        elif (service, method) == ("intake", "submit_application") and kwargs["entry_point"] == "open311":
            assert set(kwargs["client"]) == set(routing_rpc.Open311ClientIdentity.__annotations__)
        elif service == "routing" and method not in ("authenticate", "ping", "authenticate_open311_client",
                                                     "token_generation", "unit_names", "verify_answer",
                                                     "answer_verification_keys"):
            assert set(args[0]) == principal_fields, method
        elif (service, method) == ("intake", "get_application_record"):
            assert set(args[0]) == principal_fields
        elif (service, method) in (("notification", "list_messages"), ("notification", "list_failed_messages"),
                                   ("notification", "resend_message"), ("tracking", "get_statistics"),
                                   ("tracking", "export_personal_data"),
                                   ("intake", "find_applications"), ("intake", "application_subjects"),
                                   ("intake", "similar_applications"),
                                   ("intake", "list_personal_data_requests")):
            assert set(args[0]) == principal_fields, method


def test_recorded_calls_run_on_the_real_services_without_a_server_error(recorded_calls, application_workers):
    """Replayed on real workers over empty stores: an answer or an AppError (NotFound, …), never a crash."""
    for service, method, args, kwargs in recorded_calls:
        try:
            getattr(application_workers[service], method)(*args, **kwargs)
        except AppError:
            pass


def test_published_delivery_reports_are_read_by_the_real_providers(recorded_calls, published_events,
                                                                   application_workers):
    """What the gateway publishes for each provider parses (and a Twilio signature over the URL as
    called verifies): a report for a message notification does not know is acknowledged as ignored."""
    reports = [event for event in published_events.published if event["event_name"] == "sms_report_received"]

    assert sorted(event["provider"] for event in reports) == ["iletimerkezi", "twilio", "verimor"]
    for event in reports:
        assert unsupported_reason(event, "sms_report_received") is None
        assert application_workers["notification"].delivery_reports.record_received(event) == {
            "applied": 0, "ignored": 1}, event["provider"]


@pytest.fixture
def application_workers():
    database = mongomock.MongoClient(tz_aware=True)
    intake_store = IntakeStore(database.get_database("intake"))
    intake_store.create_indexes()
    routing_store = RoutingStore(database.get_database("routing"))
    routing_store.create_indexes()
    routing_store.seed_units([unit for unit in seed_units(places()) if unit["province_code"] == "06"])
    accounts_store = AccountsStore(database.get_database("routing"))
    accounts_store.create_indexes()
    tracking_store = TrackingStore(database.get_database("tracking"))
    notification_store = NotificationStore(database.get_database("notification"))
    notification_store.create_indexes()
    delivery_reports = DeliveryReports(store="messages")
    delivery_reports.setup()
    delivery_reports.store = notification_store
    return {
        "intake": intake_worker(applications=intake_store, publish_owed_events=FakeRelay()),
        "routing": worker_factory(RoutingService, applications=routing_store, accounts=accounts_store,
                                  publish_owed_events=lambda: None, watch_deadlines=lambda: None,
                                  reference_data=None, answer_keys=answer_keyring()),
        "tracking": worker_factory(TrackingService, applications=tracking_store),
        "notification": worker_factory(NotificationService, messages=notification_store,
                                       delivery_reports=delivery_reports, send_queued_sms=FakeRelay(leasing=dict)),
    }


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_answers_ping(name):
    service_class = SERVICES[name]

    assert rpc_entrypoint(service_class, "ping") is not None
    assert worker_factory(service_class).ping() == {"service": name, "ok": True}


# The answers the gateway's tests rely on are the shapes the services really give

def test_plausible_answers_have_the_schema_shapes():
    assert set(PLAUSIBLE_ANSWERS[("intake", "submit_application")]) == set(Receipt.__annotations__)
    assert set(PLAUSIBLE_ANSWERS[("intake", "get_catalog")]) == set(Catalogue.__annotations__)
    view = PLAUSIBLE_ANSWERS[("tracking", "get_application_status")]
    assert set(view) == set(StatusView.__annotations__)
    assert set(view["timeline"][0]) == set(TimelineEntry.__annotations__)
    page = PLAUSIBLE_ANSWERS[("routing", "list_applications")]
    assert set(page) == set(routing_rpc.QueuePage.__annotations__)
    assert set(page["items"][0]) == set(routing_rpc.QueueEntry.__annotations__)
    assert set(page["counts"]) == set(routing_rpc.QueueCounts.__annotations__)
    assert set(STAFF_PROFILE) == set(routing_rpc.StaffProfile.__annotations__)
    assert set(PASSWORD_RESET) == set(routing_rpc.PasswordReset.__annotations__)
    assert set(PLAUSIBLE_ANSWERS[("routing", "authenticate")]) == set(routing_rpc.Principal.__annotations__)
    assert set(RECORD) == routing_rpc.Record.__required_keys__
    assert set(RECORD_OBJECTED) == set(routing_rpc.Record.__annotations__)
    assert set(RECORD_OBJECTED["objection"]) == set(routing_rpc.RecordObjection.__annotations__)
    assert set(UNIT) == set(routing_rpc.Unit.__annotations__)
    assert set(ACCOUNT) == set(routing_rpc.Account.__annotations__)
    assert set(UNIT_REF) == set(routing_rpc.UnitRef.__annotations__)


def test_tracking_statistics_in_the_schema_shapes():
    """The real statistics and the plausible answer the gateway is tested with have one shape."""
    store = TrackingStore(mongomock.MongoClient(tz_aware=True).get_database("tracking"))
    store.create_indexes()
    tracking = worker_factory(TrackingService, applications=store)
    tracking.handle_application_received(new_event(
        "application_received", NUMBER, kind="complaint", category="health", province="Ankara",
        province_code="06", district="Çankaya", channel="web", received_at="2026-03-02T10:15:00+03:00",
        due_at="2026-03-09T10:15:00+03:00", statutory_due_at="2026-04-01T10:15:00+03:00", phone="+905321234567",
        tracking_code=CODE, language="tr", email=None))
    tracking.handle_application_routed(new_event(
        "application_routed", NUMBER, unit_id="06-cankaya-health", unit_name="Çankaya İlçe Sağlık Müdürlüğü",
        routed_by="ankara.router", due_at="2026-03-09T10:15:00+03:00", step=1))

    stats = tracking.get_statistics(PRINCIPALS["router"], {"from": "2026-03-01", "to": "2026-03-30"})

    for answer in (stats, STATISTICS):
        assert set(answer) == set(tracking_rpc.Statistics.__annotations__)
        assert set(answer["by_unit"][0]) == set(tracking_rpc.StatsUnit.__annotations__)
        assert set(answer["answered"]) == set(tracking_rpc.StatsAnswered.__annotations__)
        assert set(answer["overdue"]) == set(tracking_rpc.OverdueList.__annotations__)
        assert set(answer["overdue"]["items"][0]) == set(tracking_rpc.OverdueEntry.__annotations__)
        assert set(answer["overdue"]["items"][0]["unit"]) == set(tracking_rpc.OverdueUnit.__annotations__)
    assert stats["overdue"]["items"][0]["application_no"] == NUMBER


def test_notification_answers_in_the_shapes_the_gateway_is_tested_with(application_workers, callback_environment):
    from common import clock
    from tests.support.samples import received_event

    notification = application_workers["notification"]
    notification.handle_application_received(received_event(NUMBER, province_code="06"))
    [message] = notification.messages.messages.find({"application_no": NUMBER})
    notification.messages.messages.update_one({"_id": message["_id"]}, {"$set": {"state": "failed"}})
    push = dict(url="https://acikkapi.example/api/v1/sms/callbacks/verimor/t", content_type="application/json",
                form={}, signature=None, json=[dict(VERIMOR_PUSH[0], message_custom_id=message["_id"])])

    [view] = notification.list_messages(PRINCIPALS["router"], NUMBER)
    assert set(view) == set(SMS_VIEW) == set(notification_rpc.MessageView.__annotations__)
    [failed] = notification.list_failed_messages(PRINCIPALS["admin"])
    assert set(failed) == set(FAILED_SMS_VIEW) == set(notification_rpc.FailedMessageView.__annotations__)
    assert set(failed["reason"]) == set(FAILED_SMS_VIEW["reason"]) == set(
        notification_rpc.FailureReason.__annotations__)
    assert {key: failed[key] for key in SMS_VIEW} == view
    resent = notification.resend_message(PRINCIPALS["admin"], failed["message_id"])
    assert set(resent) == set(RESENT_SMS_VIEW) == set(SMS_VIEW)
    assert (resent["state"], resent["application_no"], resent["template"]) == ("queued", NUMBER, view["template"])
    assert set(notification.record_delivery_report("verimor", push)) == set(REPORT_OUTCOME)
    assert set(notification_domain.message_view(message)) == set(SMS_VIEW)
    assert clock.from_iso(view["created_at"]).utcoffset() is not None


def test_intake_search_subjects_and_kvkk_requests_have_the_shapes_the_gateway_is_tested_with(application_workers):
    intake = application_workers["intake"]
    admin = PRINCIPALS["admin"]
    number = intake.submit_application(DESK_BODY, entry_point="desk", officer=PRINCIPALS["desk"])["application_no"]
    intake.export_personal_data(admin, {"national_id": "10000000146"})

    for q in (number, "10000000146", DESK_BODY["subject"]):
        found = intake.find_applications(PRINCIPALS["router"], q)
        assert set(found) == set(PLAUSIBLE_ANSWERS[("intake", "find_applications")]) == set(
            intake_rpc.SearchResult.__annotations__)
        assert found["application_nos"] == [number], q
    subjects = intake.application_subjects(PRINCIPALS["router"], [number])
    assert subjects == {number: DESK_BODY["subject"]}
    [request] = intake.list_personal_data_requests(admin)
    [plausible] = PLAUSIBLE_ANSWERS[("intake", "list_personal_data_requests")]
    assert set(request) == set(plausible) == set(intake_rpc.PersonalDataRequest.__annotations__)
    assert request["national_id_masked"] == plausible["national_id_masked"]


def test_intake_answers_in_the_schema_shapes():
    store = IntakeStore(mongomock.MongoClient(tz_aware=True).get_database("intake"))
    store.create_indexes()
    intake = intake_worker(applications=store, publish_owed_events=FakeRelay())

    assert set(intake.submit_application(APPLICATION_BODY)) == set(Receipt.__annotations__)
    assert set(intake.get_catalog()) == set(Catalogue.__annotations__)


def test_tracking_answers_in_the_schema_shape():
    store = TrackingStore(mongomock.MongoClient(tz_aware=True).get_database("tracking"))
    tracking = worker_factory(TrackingService, applications=store)
    tracking.handle_application_received(new_event(
        "application_received", NUMBER, kind="complaint", category="general", province="İstanbul",
        province_code="34", district="Kadıköy", channel="web", received_at="2026-03-02T10:15:00+03:00",
        due_at="2026-03-09T10:15:00+03:00", statutory_due_at="2026-04-01T10:15:00+03:00", phone="+905321234567",
        tracking_code=CODE, language="tr", email=None))

    view = tracking.get_application_status(NUMBER, CODE)

    assert set(view) == set(StatusView.__annotations__)
    assert set(view["timeline"][0]) == set(TimelineEntry.__annotations__)


@pytest.mark.parametrize("raised", [
    ValidationFailed({"applicant.phone": "geçersiz telefon numarası / invalid phone number"}),
    NotFound("application"),
    Conflict("idempotency_key_reused", "reused / reused"),
    Conflict("invalid_transition", "Başvuru zaten yönlendirilmiş. / Already routed."),
    Unauthorized(),
    NotAllowed("callback"),
], ids=lambda exc: "{}-{}".format(type(exc).__name__, exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""))
def test_service_errors_reach_the_gateway_as_themselves(raised):
    over_the_wire = json.loads(json.dumps(serialize(raised)))

    received = deserialize(over_the_wire)

    assert type(received) is type(raised)
    assert received.args == raised.args
    assert gateway_errors.answer_for(received) is not None
    if isinstance(raised, ValidationFailed):
        assert received.fields == raised.fields



def test_routing_answers_in_the_schema_shapes(application_workers):
    routing = application_workers["routing"]
    routing.accounts.insert_staff({"_id": "ankara.router", "role": "router", "province_code": "06",
                                     "unit_id": None, "password_hash": hash_password(PASSWORD), "active": True})
    routing.handle_application_received(new_event(
        "application_received", NUMBER, kind="complaint", category="health", province="Ankara",
        province_code="06", district="Çankaya", channel="web", received_at="2026-03-02T10:15:00.000+03:00",
        due_at="2026-03-09T10:15:00+03:00", statutory_due_at="2026-04-01T10:15:00+03:00", phone="+905321234567",
        tracking_code=CODE, language="tr", email=None))
    principal = routing.authenticate("ankara.router", PASSWORD)
    admin = PRINCIPALS["admin"]

    assert set(principal) == set(routing_rpc.Principal.__annotations__)
    # The answer the gateway is tested with is an int; None for an unknown officer.
    plausible_generation = PLAUSIBLE_ANSWERS[("routing", "token_generation")]
    assert isinstance(routing.token_generation("ankara.router"), type(plausible_generation))
    assert routing.token_generation("nobody.here") is None
    page = routing.list_applications(principal, {})
    assert set(page) == set(routing_rpc.QueuePage.__annotations__)
    assert set(page["items"][0]) == set(routing_rpc.QueueEntry.__annotations__)
    assert set(page["counts"]) == set(QUEUE_COUNTS) == set(routing_rpc.QueueCounts.__annotations__)
    assert routing.list_applications(principal, {"status": "open"}, [NUMBER])["items"] == page["items"]
    assert routing.list_applications(principal, {}, [])["counts"] == dict.fromkeys(QUEUE_COUNTS, 0)
    assert set(routing.staff_profile(principal)) == set(STAFF_PROFILE)
    record = routing.route_application(principal, NUMBER, {"unit_id": "06-cankaya-health"})
    assert set(record) == routing_rpc.Record.__required_keys__
    assert set(record["unit"]) == set(routing_rpc.UnitRef.__annotations__)
    assert set(routing.get_application(principal, NUMBER)) == routing_rpc.Record.__required_keys__
    answered = routing.answer_application(PRINCIPALS["unit"], NUMBER,
                                          {"text": "Gereği yapıldı.", "outcome": "positive"})
    code = answered["answer"]["verification_code"]
    assert set(routing.verify_answer(code)) == set(routing_rpc.Verification.__annotations__)
    assert set(routing.verify_answer(code, {"text": "Gereği yapıldı."})) == set(PLAUSIBLE_ANSWERS[
        ("routing", "verify_answer")])
    [key] = routing.answer_verification_keys()
    assert set(key) == set(routing_rpc.VerificationKey.__annotations__)
    routing.handle_objection_filed(new_event(
        "objection_filed", NUMBER, unit_id="06-cankaya-health", text="Yanıt başka bir sokağı anlatıyor.",
        filed_at="2026-03-06T11:00:00.000+03:00", due_at="2026-03-13T11:00:00+03:00",
        statutory_due_at="2026-04-05T11:00:00+03:00"))
    objected = routing.get_application(principal, NUMBER)
    assert set(objected) == set(routing_rpc.Record.__annotations__) == set(RECORD_OBJECTED)
    assert set(objected["objection"]) == set(routing_rpc.RecordObjection.__annotations__)
    assert set(routing.list_units(principal)[0]) == set(routing_rpc.Unit.__annotations__)
    assert set(routing.create_unit(admin, {"name": "Şehir Hastanesi", "type": "health"})) == set(
        routing_rpc.Unit.__annotations__)
    assert set(routing.list_staff(admin)[0]) == set(routing_rpc.Account.__annotations__)
    assert set(routing.reset_password(admin, "ankara.router")) == set(PASSWORD_RESET)
    assert routing.staff_display_names(admin, ["ankara.router", "nobody"]) == {"ankara.router": "ankara.router"}
    assert set(routing.update_staff(admin, "ankara.router", {"active": False})) == set(
        routing_rpc.Account.__annotations__)


def test_intake_staff_record_has_the_shape_the_gateway_is_tested_with(application_workers):
    intake = application_workers["intake"]
    receipt = intake.submit_application(DESK_BODY, entry_point="desk", officer=PRINCIPALS["desk"])

    record = intake.get_application_record(PRINCIPALS["router"], receipt["application_no"], purpose="kontrol")

    assert set(record) == set(STAFF_RECORD) == set(intake_domain.staff_record(
        intake.applications.find_application(receipt["application_no"])))
    assert set(record["applicant"]) == set(STAFF_RECORD["applicant"])
    assert record["entered_by"] == "ankara.desk"


def test_intake_answers_a_lost_code_request_as_the_gateway_is_tested_with_whatever_it_found(application_workers):
    intake = application_workers["intake"]
    number = intake.submit_application(DESK_BODY, entry_point="desk", officer=PRINCIPALS["desk"])["application_no"]

    answers = [intake.request_tracking_code(asked, {"national_id": national_id}) for asked, national_id in (
        (number, "10000000146"), (number, "10000000078"), ("2026-999999", "10000000146"), ("x", "10000000146"))]

    assert answers == [PLAUSIBLE_ANSWERS[("intake", "request_tracking_code")]] * 4
    [owed] = [event for event in intake.applications.find_application(number)["outbox"]
              if event["event_name"] == "tracking_code_requested"]  # the match, and only it, owes the SMS
    assert owed["application_no"] == number


def test_kvkk_export_and_erasure_have_the_shapes_the_gateway_is_tested_with(application_workers):
    intake, routing, notification = (application_workers[name] for name in ("intake", "routing", "notification"))
    admin = PRINCIPALS["admin"]
    number = intake.submit_application(DESK_BODY, entry_point="desk", officer=PRINCIPALS["desk"])["application_no"]
    [event] = intake.applications.find_application(number)["outbox"]
    routing.handle_application_received(event)
    notification.handle_application_received(event)

    exported = intake.export_personal_data(admin, {"national_id": "10000000146"})
    [application] = [found for found in exported["applications"] if found["application_no"] == number]
    assert set(exported) == set(PERSONAL_DATA_EXPORT)
    assert set(application) == set(PERSONAL_DATA_EXPORT["applications"][0])
    assert set(application["applicant"]) == set(STAFF_RECORD["applicant"])
    assert set(notification.export_personal_data(admin, [number])[number]) == set(SMS_EXPORT[NUMBER])
    assert set(routing.export_personal_data(admin, [number])[number]) == set(ROUTING_EXPORT[NUMBER])
    application_workers["tracking"].handle_application_received(event)
    assert set(application_workers["tracking"].export_personal_data(admin, [number])[number]) == set(
        TRACKING_EXPORT[NUMBER])
    assert set(intake.erase_personal_data(admin, {"national_id": "10000000146", "reason": "KVKK silme"})) == set(
        ERASURE_RECEIPT)


def test_open311_answers_have_the_shapes_the_gateway_is_tested_with(application_workers):
    """Routing's client apps, intake's Open311 application and tracking's public requests, for real."""
    from services.tracking import public_requests as tracking_public_requests

    routing, intake, tracking = (application_workers[name] for name in ("routing", "intake", "tracking"))
    admin = PRINCIPALS["admin"]
    issued = routing.create_open311_client(admin, {"name": "Şehrim Uygulaması"})
    client = routing.authenticate_open311_client(issued["api_key"])
    [listed] = routing.list_open311_clients(admin)
    receipt = intake.submit_application(DESK_BODY | {"channel": "app"}, entry_point="open311", client=client)
    [event] = intake.applications.find_application(receipt["application_no"])["outbox"]
    tracking.handle_application_received(event)
    tracking.applications.create_indexes()

    assert set(issued) == set(routing_rpc.Open311ClientKey.__annotations__)
    assert set(client) == set(routing_rpc.Open311ClientIdentity.__annotations__)
    assert set(listed) == set(OPEN311_CLIENT) == set(routing_rpc.Open311Client.__annotations__)
    assert "api_key" not in listed and "key_digest" not in listed
    assert set(routing.update_open311_client(admin, client["client_id"], {"active": False})) == set(OPEN311_CLIENT)
    assert intake.get_application_record(admin, receipt["application_no"])["client"] == "Şehrim Uygulaması"
    [public] = tracking.list_public_requests({"province_code": "06", "application_nos": [receipt["application_no"]]})
    assert set(public) == set(PUBLIC_REQUEST) == set(tracking_rpc.PublicRequest.__annotations__)
    assert set(PUBLIC_REQUEST) <= set(tracking_public_requests.PUBLIC_REQUEST_FIELDS) | {"status", "updated_at", "unit"}
