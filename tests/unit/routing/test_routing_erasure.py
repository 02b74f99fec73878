"""KVKK at routing: it holds no national ID, name or phone; what it holds about the applicant is the
contact log's notes. ``applicant_data_erased`` blanks them and keeps the rest; the export shows them."""
import copy

import pytest

from contracts.events import new_event
from docstore import EmbeddedClient
from tests.support.files_on_disk import holding
from tests.support.routing_stores import RoutingStores
from tests.unit.routing.test_routing import ADMIN, CANKAYA_HEALTH, HEALTH, ISTANBUL_ADMIN, ROUTER, make_worker, receive

NUMBER = "2026-000001"
NOTE = "Ayşe Hanım 0532 123 45 67'den arandı; adresi Kızılay Mah. 5. Sokak."


@pytest.fixture
def routing(routing_store, kick_counter):
    return make_worker(routing_store, kick_counter)


def erased_event(number=NUMBER):
    return new_event("applicant_data_erased", number)


@pytest.fixture
def contacted(routing):
    receive(routing, NUMBER)
    routing.route_application(ROUTER, NUMBER, {"unit_id": CANKAYA_HEALTH, "note": "Sağlık ocağı"})
    routing.record_contact(HEALTH, NUMBER, {"channel": "phone", "note": NOTE})
    routing.record_contact(ROUTER, NUMBER, {"channel": "in_person", "note": "Masada görüşüldü."})
    return NUMBER


def test_erasure_blanks_the_contact_notes_and_keeps_the_log(routing, routing_store, contacted):
    routing.handle_applicant_data_erased(erased_event())

    record = routing.get_application(ADMIN, NUMBER)
    assert [(contact["channel"], contact["by"], contact["note"]) for contact in record["contacts"]] == [
        ("phone", "ankara.health", None), ("in_person", "ankara.router", None)]
    assert record["status"] == "routed" and record["unit"]["unit_id"] == CANKAYA_HEALTH
    assert [entry["action"] for entry in record["timeline"]] == ["received", "routed", "contacted", "contacted"]
    stored = routing_store.find_application(NUMBER)
    assert "Ayşe" not in str(stored) and "0532" not in str(stored)
    assert stored["personal_data_erased_at"] is not None


def test_erasure_owes_no_event(routing, routing_store, contacted):
    owed = list(routing_store.find_application(NUMBER)["outbox"])

    routing.handle_applicant_data_erased(erased_event())

    assert routing_store.find_application(NUMBER)["outbox"] == owed


def test_erasure_replayed_changes_nothing(routing, routing_store, contacted):
    event = erased_event()
    routing.handle_applicant_data_erased(event)
    first = routing_store.find_application(NUMBER)

    routing.handle_applicant_data_erased(event)
    routing.handle_applicant_data_erased(erased_event())

    assert routing_store.find_application(NUMBER) == first


def test_erasure_of_an_application_routing_has_not_received_yet_is_a_no_op(routing, routing_store):
    routing.handle_applicant_data_erased(erased_event())

    assert routing_store.find_application(NUMBER) is None
    receive(routing, NUMBER)  # the received event, late: queued as usual, no contacts yet
    assert routing_store.find_application(NUMBER)["status"] == "unrouted"


def test_a_contact_recorded_meanwhile_is_erased_too(routing, routing_store, contacted, monkeypatch):
    """The erasure re-reads the log if a contact was added between its read and its write."""
    real_find = routing_store.find_application
    raced = []

    def find_then_contact(number):
        application = real_find(number)
        if not raced:
            raced.append(True)
            routing.record_contact(HEALTH, NUMBER, {"channel": "sms", "note": "Ayşe Hanıma SMS yazıldı."})
        return application

    monkeypatch.setattr(routing_store, "find_application", find_then_contact)
    routing.handle_applicant_data_erased(erased_event())
    monkeypatch.undo()

    assert [contact["note"] for contact in routing_store.find_application(NUMBER)["contacts"]] == [None] * 3


def test_export_shows_the_contact_log_of_the_admins_province_only(routing, contacted):
    exported = routing.export_personal_data(ADMIN, [NUMBER, "2026-999999"])

    assert list(exported) == [NUMBER]
    assert [contact["note"] for contact in exported[NUMBER]["contacts"]] == [NOTE, "Masada görüşüldü."]
    assert exported[NUMBER]["contacts"][0]["at"].endswith("+03:00")
    assert exported[NUMBER]["erased_at"] is None
    assert routing.export_personal_data(ISTANBUL_ADMIN, [NUMBER]) == {}


def test_export_after_erasure_holds_no_notes(routing, contacted):
    routing.handle_applicant_data_erased(erased_event())

    exported = routing.export_personal_data(ADMIN, [NUMBER])[NUMBER]

    assert [contact["note"] for contact in exported["contacts"]] == [None, None]
    assert exported["erased_at"]


def test_the_erased_notes_are_in_no_file_of_the_embedded_store(tmp_path, seeded_units, kick_counter):
    client = EmbeddedClient(str(tmp_path / "routing.db"))
    embedded = RoutingStores(client.get_database("routing"))
    embedded.create_indexes()
    embedded.seed_units(copy.deepcopy(seeded_units))
    worker = make_worker(embedded, kick_counter)
    receive(worker, NUMBER)
    worker.record_contact(ROUTER, NUMBER, {"channel": "phone", "note": NOTE})
    assert holding(tmp_path, "Kızılay Mah.")

    worker.handle_applicant_data_erased(erased_event())

    assert holding(tmp_path, "Kızılay Mah.") == set() and holding(tmp_path, "0532 123 45 67") == set()
    assert holding(tmp_path, CANKAYA_HEALTH)  # the rest stays
    client.close()
