"""What the gateway calls over RPC exists on the services, as an ``@rpc`` entrypoint that takes
those arguments; and the answers the gateway is tested with have the shapes the services give."""
import inspect
import json

import mongomock
import pytest
from nameko.exceptions import deserialize, serialize
from nameko.rpc import Rpc
from nameko.testing.services import worker_factory

from common.errors import Conflict, NotFound, ValidationFailed
from common.events import new_event
from gateway import citizen
from gateway import errors as gateway_errors
from gateway.app import create_app
from gateway.settings import Settings
from services.intake.schemas import Catalogue, Receipt
from services.intake.service import IntakeService
from services.intake.store import IntakeStore
from services.notification.service import NotificationService
from services.routing.service import RoutingService
from services.tracking.schemas import StatusView, TimelineEntry
from services.tracking.service import TrackingService
from services.tracking.store import TrackingStore

from tests.support.samples import application_body  # noqa: E402

SERVICES = {cls.name: cls for cls in (IntakeService, RoutingService, NotificationService, TrackingService)}

NUMBER = "2026-000001"
CODE = "K7M2PQ9X"
APPLICATION_BODY = application_body()
PLAUSIBLE_ANSWERS = {
    ("intake", "submit_application"): {
        "application_no": NUMBER, "tracking_code": CODE, "status": "received",
        "received_at": "2026-03-02T10:15:00+03:00", "due_at": "2026-03-09T10:15:00+03:00",
    },
    ("intake", "get_catalog"): {"kinds": [], "categories": [], "provinces": []},
    ("tracking", "get_application_status"): {
        "application_no": NUMBER, "status": "received", "kind": "complaint", "category": "general",
        "province": "İstanbul", "district": "Kadıköy", "received_at": "2026-03-02T10:15:00+03:00",
        "due_at": "2026-03-09T10:15:00+03:00", "updated_at": "2026-03-02T10:15:00+03:00",
        "timeline": [{"at": "2026-03-02T10:15:00+03:00", "status": "received", "text": "Başvurunuz alındı."}],
    },
}
PLAUSIBLE_ANSWERS.update({(name, "ping"): {"service": name, "ok": True} for name in SERVICES})

# Every route of the gateway, each in every way that reaches a service differently.
EXERCISES = [
    ("citizen.submit_application", "POST", "/api/v1/applications", {"json": APPLICATION_BODY}),
    ("citizen.submit_application", "POST", "/api/v1/applications",
     {"json": APPLICATION_BODY, "headers": {"Idempotency-Key": "retry-77"}}),
    ("citizen.track_application", "GET", "/api/v1/applications/{}?tracking_code={}".format(NUMBER, CODE), {}),
    ("citizen.track_application", "GET",
     "/api/v1/applications/{}?tracking_code={}&language=en".format(NUMBER, CODE), {}),
    ("citizen.catalog", "GET", "/api/v1/catalog", {}),
    ("health.healthz", "GET", "/healthz", {}),
    ("health.readyz", "GET", "/readyz", {}),
]


class RecordingPool:
    def __init__(self, calls):
        self.calls = calls

    def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, args, kwargs))
        return PLAUSIBLE_ANSWERS[(service, method)]


def gateway_app(calls):
    app = create_app(Settings(amqp_uri="amqp://guest:guest@127.0.0.1:1/", rpc_timeout_seconds=1.0,
                              readiness_timeout_seconds=1.0, max_body_bytes=64 * 1024, retry_after_seconds=5))
    app.extensions["rpc"] = app.extensions["readiness_rpc"] = RecordingPool(calls)
    return app


@pytest.fixture(scope="module")
def recorded_calls():
    calls = []
    client = gateway_app(calls).test_client()
    for _, method, path, options in EXERCISES:
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

    assert {endpoint for endpoint, _, _, _ in EXERCISES} == routes


def test_gateway_calls_the_methods_it_is_known_to_need(recorded_calls):
    called = {(service, method) for service, method, _, _ in recorded_calls}

    assert called >= {("intake", "submit_application"), ("intake", "get_catalog"),
                      ("tracking", "get_application_status")}
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


def test_intake_answers_in_the_schema_shapes():
    store = IntakeStore(mongomock.MongoClient(tz_aware=True).get_database("intake"))
    store.create_indexes()
    intake = worker_factory(IntakeService, applications=store, publish_owed_events=lambda: None)

    assert set(intake.submit_application(APPLICATION_BODY)) == set(Receipt.__annotations__)
    assert set(intake.get_catalog()) == set(Catalogue.__annotations__)


def test_tracking_answers_in_the_schema_shape():
    store = TrackingStore(mongomock.MongoClient(tz_aware=True).get_database("tracking"))
    tracking = worker_factory(TrackingService, applications=store)
    tracking.handle_application_received(new_event(
        "application_received", NUMBER, kind="complaint", category="general", province="İstanbul",
        province_code="34", district="Kadıköy", channel="web", received_at="2026-03-02T10:15:00+03:00",
        due_at="2026-03-09T10:15:00+03:00", phone="+905321234567", tracking_code=CODE, language="tr"))

    view = tracking.get_application_status(NUMBER, CODE)

    assert set(view) == set(StatusView.__annotations__)
    assert set(view["timeline"][0]) == set(TimelineEntry.__annotations__)


@pytest.mark.parametrize("raised", [
    ValidationFailed({"applicant.phone": "geçersiz telefon numarası / invalid phone number"}),
    NotFound("application"),
    Conflict("idempotency_key_reused", "reused / reused"),
], ids=lambda exc: type(exc).__name__)
def test_service_errors_reach_the_gateway_as_themselves(raised):
    over_the_wire = json.loads(json.dumps(serialize(raised)))

    received = deserialize(over_the_wire)

    assert type(received) is type(raised)
    assert received.args == raised.args
    assert gateway_errors.answer_for(received) is not None
    if isinstance(raised, ValidationFailed):
        assert received.fields == raised.fields

