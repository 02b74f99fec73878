"""bench/preload.py: a DATA_DIR filled with applications as the services would have stored them.

A few hundred are preloaded, then the whole system starts on that DATA_DIR: the preloaded
applications are tracked and listed like any other, nothing is owed (no event published, no
SMS sent at start), a new submission continues intake's numbering, and the documents the
running services write for it have the very fields the preloaded ones have.
"""
import contextlib
from datetime import timedelta

import pytest
import requests

from bench.preload import preload
from common import clock
from common.outbox import PENDING
from docstore import EmbeddedClient
from services.intake import domain as intake_domain
from tests.support.broker import temporary_vhost
from tests.support.processes import RunningSystem, wait_until
from tests.support.samples import application_body
from tests.support.staff_client import StaffApi, settle, submit

pytestmark = pytest.mark.broker

COUNT = 300
OUTBOXES = {"intake": "applications", "routing": "applications", "notification": "messages"}


@contextlib.contextmanager
def stored(data_dir, service):
    """The service's database in ``data_dir``, read beside the running system (WAL)."""
    client = EmbeddedClient(str(data_dir / "{}.db".format(service)))
    try:
        yield client.get_database(service)
    finally:
        client.close()


def find(data_dir, service, collection, query, projection=None):
    with stored(data_dir, service) as database:
        return list(database.get_collection(collection).find(query, projection))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("preloaded")
    preload(path, COUNT, seed=3, workers=1, progress=lambda line: None)
    return path


@pytest.fixture(scope="module")
def system(data_dir):
    with temporary_vhost() as uri:
        running = RunningSystem(uri, data_dir)
        running.staff = StaffApi(running.url)
        try:
            yield running.start()
        finally:
            running.stop()


def test_every_service_holds_every_application_and_owes_nothing(data_dir):
    numbers = {service: {document["_id"] for document in find(data_dir, service, "applications", {}, {"_id": 1})}
               for service in ("intake", "routing", "tracking")}
    numbers["notification"] = {document["_id"] for document in find(data_dir, "notification", "recipients", {})}
    assert len(numbers["intake"]) == COUNT
    assert all(held == numbers["intake"] for held in numbers.values())
    for service, collection in OUTBOXES.items():
        assert find(data_dir, service, collection, {PENDING: True}) == []
    sequences = find(data_dir, "intake", "sequences", {})
    assert sum(counter["value"] for counter in sequences) == COUNT
    messages = find(data_dir, "notification", "messages", {"template": "application_received"})
    assert len(messages) == COUNT and {message["state"] for message in messages} == {"delivered"}


def test_preloaded_applications_are_spread_over_provinces_statuses_and_time(data_dir):
    queued = find(data_dir, "routing", "applications", {})
    provinces = {entry["province_code"] for entry in queued}
    in_ankara = sum(entry["province_code"] == "06" for entry in queued)
    assert len(provinces) > 40 and COUNT * 0.15 < in_ankara < COUNT * 0.4
    assert {entry["status"] for entry in queued} == {"unrouted", "routed", "answered"}
    now = clock.now()
    received = [entry["received_at"] for entry in queued]
    assert min(received) > now - timedelta(days=91) and max(received) < now
    assert any(entry["deadline_missed_sent"] for entry in queued)
    assert any(not entry["deadline_approaching_sent"] for entry in queued)


def test_a_preloaded_application_is_tracked_with_its_tracking_code(system, data_dir):
    application = find(data_dir, "intake", "applications", {"province_code": "34"})[-1]
    response = requests.get("{}/api/v1/applications/{}".format(system.url, application["_id"]),
                            params={"tracking_code": application["tracking_code"]}, timeout=15)
    assert response.status_code == 200, response.text
    assert response.json()["application_no"] == application["_id"]
    assert response.json()["timeline"][0]["status"] == "received"


def test_a_router_lists_the_provinces_preloaded_applications(system, data_dir):
    in_ankara = len(find(data_dir, "routing", "applications", {"province_code": "06"}, {"_id": 1}))
    response = system.staff.queue("ankara.router", page_size="20")
    assert response.status_code == 200, response.text
    assert response.json()["total"] == in_ankara
    assert len(response.json()["items"]) == 20


def test_a_new_submission_continues_the_numbering_and_is_the_only_one_texted(system, data_dir):
    settle(3)  # the relays and the dispatcher have run by now, had anything been owed
    assert system.sms_messages() == []
    year = clock.now().year
    counters = find(data_dir, "intake", "sequences", {"_id": intake_domain.sequence_name(clock.now())})
    expected = intake_domain.application_number(clock.now(), (counters[0]["value"] if counters else 0) + 1)

    number = submit(system.url, application_body(province="06", district="çankaya"))["application_no"]

    assert number == expected and number.startswith(str(year))
    wait_until(lambda: system.sms_for(number), 20, what="the new application's SMS")
    settle(1)
    assert len(system.sms_messages()) == len(system.sms_for(number)) == 1


def test_the_running_services_store_what_the_preload_stored(system, data_dir):
    """Field for field (names, not values): a new application once received, its SMS sent and
    delivered, against a preloaded one in the same state (unrouted, no deadline near)."""
    number = submit(system.url, application_body(province="34", district="kadıköy"))["application_no"]
    message = wait_until(lambda: find(data_dir, "notification", "messages",
                                      {"application_no": number, "state": "sent"}), 20, what="the SMS sent")[0]
    system.sms_report(message_id=message["_id"], status="delivered")
    # A delivery is news to tracking only after a failure (issue 20): notification alone records it.
    wait_until(lambda: find(data_dir, "notification", "messages", {"application_no": number, "state": "delivered"}),
               20, what="the delivery")
    wait_until(lambda: find(data_dir, "tracking", "applications", {"_id": number}), 20, what="tracking's record")
    [twin] = find(data_dir, "routing", "applications", {"status": "unrouted", "deadline_approaching_sent": False,
                                                        "_id": {"$ne": number}})[:1]
    for service, collection in [("intake", "applications"), ("routing", "applications"),
                                ("tracking", "applications"), ("notification", "recipients")]:
        [new] = find(data_dir, service, collection, {"_id": number})
        [old] = find(data_dir, service, collection, {"_id": twin["_id"]})
        assert sorted(new) == sorted(old), (service, collection)
    [new] = find(data_dir, "notification", "messages", {"application_no": number})
    [old] = find(data_dir, "notification", "messages", {"application_no": twin["_id"]})
    assert sorted(new) == sorted(old)
    [new] = find(data_dir, "tracking", "applications", {"_id": number})
    [old] = find(data_dir, "tracking", "applications", {"_id": twin["_id"]})
    assert new.get("sms", {}).keys() == old.get("sms", {}).keys()
    assert len(new["applied_events"]) == len(old["applied_events"])
