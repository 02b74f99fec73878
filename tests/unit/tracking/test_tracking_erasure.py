"""KVKK at tracking: its read model holds no personal data of the application
(docs/privacy.md#what-is-personal); what the applicant writes after the answer (the objection, a
rating's comment) is erased on ``applicant_data_erased`` (tests/unit/tracking/test_objection_and_rating.py)."""
from nameko.testing.services import worker_factory

from contracts.events import CATALOGUE
from services.tracking.service import TrackingService
from services.tracking.store import TrackingStore

NUMBER = "2026-000001"
CODE = "K7M2PQ9X"
PHONE = "+905321234567"


def test_tracking_consumes_the_erasure_for_the_applicants_words():
    assert "tracking" in CATALOGUE["applicant_data_erased"].consumers
    assert hasattr(TrackingService, "handle_applicant_data_erased")


def test_what_tracking_stores_of_a_received_application_holds_no_phone(mongo_db, received_event):
    store = TrackingStore(mongo_db)
    tracking = worker_factory(TrackingService, applications=store)

    tracking.handle_application_received(received_event(NUMBER, tracking_code=CODE, phone=PHONE))

    stored = str(store.find(NUMBER))
    assert PHONE not in stored and PHONE[3:] not in stored and CODE not in stored
    assert tracking.get_application_status(NUMBER, CODE)["status"] == "received"
