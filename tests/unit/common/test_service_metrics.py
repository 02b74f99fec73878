"""common.metrics.MetricsEndpoint counts and times every RPC and event handler of every service
(outcome ok / expected_error / error, nothing else); the business counters and gauges; the
gateway counts requests by route *rule* and status and serves GET /metrics."""
from types import SimpleNamespace
from unittest.mock import MagicMock

import pytest
from nameko.events import EventHandler
from nameko.rpc import Rpc
from prometheus_client import REGISTRY

from common import metrics, topology
from common.errors import AppError, NotFound
from common.metrics import MetricsEndpoint
from gateway.app import create_app
from gateway.settings import Settings
from tests.support.samples import intake_worker


def value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def endpoint_of(service_name):
    endpoint = MetricsEndpoint()
    endpoint.container = SimpleNamespace(service_name=service_name)
    endpoint._started = {}
    return endpoint


def rpc_entrypoint(method, expected=()):
    entrypoint = Rpc(expected_exceptions=expected)
    entrypoint.method_name = method
    return entrypoint


def event_entrypoint(event):
    entrypoint = EventHandler("intake", event)
    entrypoint.method_name = "handle_" + event
    return entrypoint


class WorkerContext:
    def __init__(self, entrypoint, service_name, args):
        self.entrypoint, self.service_name, self.args = entrypoint, service_name, args


def run_worker(endpoint, entrypoint, exc=None, args=({"event": "one"},)):
    worker_ctx = WorkerContext(entrypoint, endpoint.container.service_name, args)
    endpoint.worker_setup(worker_ctx)
    endpoint.worker_result(worker_ctx, None, None if exc is None else (type(exc), exc, None))
    endpoint.worker_teardown(worker_ctx)


@pytest.mark.parametrize("exc, outcome", [(None, "ok"), (NotFound("application"), "expected_error"),
                                          (KeyError("x"), "error")])
def test_an_rpc_is_counted_by_service_method_and_bounded_outcome(exc, outcome):
    endpoint = endpoint_of("intake")
    labels = dict(service="intake", method="get_application_record")
    before = value("acikkapi_rpc_calls_total", outcome=outcome, **labels)
    timed = value("acikkapi_rpc_duration_seconds_count", **labels)

    run_worker(endpoint, rpc_entrypoint("get_application_record", expected=AppError), exc)

    assert value("acikkapi_rpc_calls_total", outcome=outcome, **labels) == before + 1
    assert value("acikkapi_rpc_duration_seconds_count", **labels) == timed + 1


def test_an_event_handler_is_counted_by_service_event_and_outcome():
    endpoint = endpoint_of("tracking")
    labels = dict(service="tracking", event="application_received")
    ok, error = (value("acikkapi_event_handler_calls_total", outcome=outcome, **labels) for outcome in ("ok", "error"))

    run_worker(endpoint, event_entrypoint("application_received"))
    run_worker(endpoint, event_entrypoint("application_received"), RuntimeError("store away"))

    assert value("acikkapi_event_handler_calls_total", outcome="ok", **labels) == ok + 1
    assert value("acikkapi_event_handler_calls_total", outcome="error", **labels) == error + 1
    assert value("acikkapi_event_handler_duration_seconds_count", **labels) >= 2


def test_a_batching_handlers_worker_counts_each_of_its_events_and_is_timed_once():
    endpoint = endpoint_of("routing")
    labels = dict(service="routing", event="application_received")
    ok = value("acikkapi_event_handler_calls_total", outcome="ok", **labels)
    timed = value("acikkapi_event_handler_duration_seconds_count", **labels)

    run_worker(endpoint, event_entrypoint("application_received"), args=({"n": 1}, {"n": 2}, {"n": 3}))

    assert value("acikkapi_event_handler_calls_total", outcome="ok", **labels) == ok + 3
    assert value("acikkapi_event_handler_duration_seconds_count", **labels) == timed + 1


def test_other_entrypoints_are_not_counted_and_nothing_is_kept_per_worker():
    endpoint = endpoint_of("routing")
    run_worker(endpoint, SimpleNamespace(expected_exceptions=()))
    assert endpoint._started == {}


def test_dead_letters_are_sampled_for_the_services_own_queues():
    def queue_declare(queue, passive, **kwargs):
        assert passive
        if "erased" in queue:
            raise LookupError("NOT_FOUND")  # never declared: counts as nothing parked
        return SimpleNamespace(message_count=3)

    class Connection:
        def channel(self):
            channel = MagicMock()
            channel.queue_declare.side_effect = queue_declare
            return channel

    metrics.sample_dead_letters(Connection(), "routing")

    own = metrics.own_handler_queues("routing")
    assert own and all(name.endswith("--routing") for name in own)
    assert set(own) <= set(topology.handler_queue_names())
    for queue in own:
        expected = 0 if "erased" in queue else 3
        assert value("acikkapi_dead_letter_messages", service="routing", queue=queue + ".dead") == expected


# --- the gateway --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    app = create_app(Settings(amqp_uri="amqp://guest:guest@127.0.0.1:1/", rpc_timeout_seconds=1,
                              readiness_timeout_seconds=1, max_body_bytes=64 * 1024, retry_after_seconds=5,
                              secret_key="test-key"))
    return app.test_client()


def test_requests_are_counted_by_route_rule_never_by_path(client):
    rule = dict(route="/api/v1/applications/<application_no>", method="GET", status="503")
    before = value("acikkapi_http_requests_total", **rule)
    unmatched = value("acikkapi_http_requests_total", route="unmatched", method="GET", status="404")

    client.get("/api/v1/applications/2026-000001?tracking_code=ABCDEFGH")  # no broker here: 503
    client.get("/no/such/2026-000002")

    assert value("acikkapi_http_requests_total", **rule) == before + 1
    assert value("acikkapi_http_requests_total", route="unmatched", method="GET", status="404") == unmatched + 1
    text = client.get("/metrics").get_data(as_text=True)
    assert "2026-000001" not in text and "2026-000002" not in text and "ABCDEFGH" not in text


def test_metrics_are_served_as_prometheus_text(client):
    client.get("/healthz")

    response = client.get("/metrics")

    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'acikkapi_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert "acikkapi_http_request_duration_seconds_bucket" in text


# --- business counters and store-wide gauges ---------------------------------------------------

def test_intake_counts_a_new_application_once_not_its_replay(mongo_db, kick_counter, application_body):

    from services.intake.store import IntakeStore

    store = IntakeStore(mongo_db)
    store.create_indexes()
    intake = intake_worker(applications=store, publish_owed_events=kick_counter)
    body = application_body()
    labels = dict(channel=body["channel"], kind=body["kind"], province="İstanbul")
    before = value("acikkapi_applications_received_total", **labels)

    intake.submit_application(body, idempotency_key="k-1")
    intake.submit_application(body, idempotency_key="k-1")  # the client's retry

    assert value("acikkapi_applications_received_total", **labels) == before + 1


def test_the_deadline_watcher_sets_the_overdue_gauge(mongo_db):
    from datetime import datetime, timedelta

    from common import clock
    from services.routing import deadlines, domain
    from services.routing.store import RoutingStore
    from tests.support.samples import answer_keyring, received_event

    now = datetime(2026, 3, 8, 12, 0, tzinfo=clock.TURKEY)
    store = RoutingStore(mongo_db)
    store.create_indexes()
    for number, due_at in (("2026-000001", now - timedelta(hours=1)), ("2026-000002", now - timedelta(days=2)),
                           ("2026-000003", now + timedelta(days=1))):
        event = received_event(number, province="Ankara", province_code="06", district="Çankaya",
                               received_at=clock.to_iso(due_at - timedelta(days=7), "milliseconds"),
                               due_at=clock.to_iso(due_at))
        store.add_to_queue(domain.queued_application(event, None))
    watcher = deadlines.DeadlineWatcher(store="applications", clock=lambda: now)
    watcher.store, watcher.warning, watcher.keyring = store, timedelta(hours=24), answer_keyring()

    watcher.run_once()

    assert value("acikkapi_applications_overdue") == 2


def test_the_outbox_relay_reports_its_backlog_even_with_the_broker_away(mongo_db):
    from common import outbox

    collection = mongo_db.get_collection("applications")
    collection.insert_one(dict({"_id": "a"}, **outbox.new_document_fields([{"event_id": "e1"}])))
    collection.insert_one(dict({"_id": "b"}, **outbox.new_document_fields([])))
    collection.update_one({"_id": "b"}, {"$set": {outbox.PENDING: False}})
    relay = outbox.OutboxRelay(store="applications")
    relay.container = SimpleNamespace(service_name="intake")
    relay.store = SimpleNamespace(outbox_collections=lambda: [collection])
    relay.queues_declared = False
    relay.declare_consumer_queues = MagicMock(side_effect=ConnectionError("broker away"))

    assert relay.run_once() is False

    assert value("acikkapi_outbox_pending_documents", service="intake") == 1


def test_routing_counts_routed_and_answered_by_province(routing_store, kick_counter):
    from tests.unit.routing.test_routing import ANSWER, CANKAYA_HEALTH, HEALTH, ROUTER, make_worker, receive

    routing = make_worker(routing_store, kick_counter)
    routed = value("acikkapi_applications_routed_total", province="Ankara")
    answered = value("acikkapi_applications_answered_total", province="Ankara", on_time="true")
    receive(routing, "2026-000001")

    routing.route_application(ROUTER, "2026-000001", {"unit_id": CANKAYA_HEALTH})
    routing.answer_application(HEALTH, "2026-000001", ANSWER)
    with pytest.raises(AppError):  # answered already: nothing more is counted
        routing.answer_application(HEALTH, "2026-000001", ANSWER)

    assert value("acikkapi_applications_routed_total", province="Ankara") == routed + 1
    assert value("acikkapi_applications_answered_total", province="Ankara", on_time="true") == answered + 1


def test_routing_tells_late_answers_apart():
    from services.routing.domain import answered_on_time

    record = {"due_at": "2026-03-09T10:15:00+03:00", "answer": {"answered_at": "2026-03-09T10:15:00+03:00"}}

    assert answered_on_time(record) is True
    assert answered_on_time(dict(record, answer={"answered_at": "2026-03-09T10:15:01+03:00"})) is False


def test_routing_publishes_open_applications_per_unit(routing_store, kick_counter):
    from services.routing.deadlines import DeadlineWatcher
    from tests.unit.routing.test_routing import CANKAYA_HEALTH, ROUTER, make_worker, receive

    routing = make_worker(routing_store, kick_counter)
    for number in ("2026-000011", "2026-000012", "2026-000013"):
        receive(routing, number)
    routing.route_application(ROUTER, "2026-000011", {"unit_id": CANKAYA_HEALTH})
    watcher = DeadlineWatcher.__new__(DeadlineWatcher)
    watcher.store = routing_store

    watcher.publish_open_counts()

    assert value("acikkapi_open_applications", province="Ankara", unit=CANKAYA_HEALTH) == 1
    assert value("acikkapi_open_applications", province="Ankara", unit="none") == 2
