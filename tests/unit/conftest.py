"""Fixtures the unit tests share: an in-memory database, a valid application body, a received event."""
import mongomock
import pytest

from docstore import EmbeddedClient
from tests.support.fake_relay import FakeRelay
from tests.support.samples import application_body as make_application_body
from tests.support.samples import received_event as make_received_event


@pytest.fixture
def mongo_db():
    """A fresh, empty database (tz-aware, like the production client) for each test."""
    return mongomock.MongoClient(tz_aware=True).get_database("unit")


@pytest.fixture(params=["mongomock", "embedded"])
def database_on_each_engine(request, mongo_db, tmp_path):
    """The test once on mongomock and once on the embedded engine (a fresh file): for what an
    engine enforces or plans differently (unique keys, index order)."""
    if request.param == "mongomock":
        yield mongo_db
        return
    client = EmbeddedClient(str(tmp_path / "unit.db"))
    yield client.get_database("unit")
    client.close()


@pytest.fixture
def application_body():
    """``application_body(**top_level_overrides)``: a new valid body each call, safe to modify."""
    return make_application_body


@pytest.fixture
def received_event():
    """``received_event(application_no, **field_overrides)``: an ``application_received`` payload."""
    return make_received_event


@pytest.fixture
def kick_counter():
    return FakeRelay()


# --- routing ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def seeded_units():
    """The seeded catalogue (``seed_units(places())``) of Ankara, every unit, and of İstanbul, its
    province catalogue only: the tests need no other province, and seeding all 81 on mongomock
    takes ~3.5 s per test against ~0.05 s for these."""
    from common.places import places
    from services.routing.unit_catalog import seed_units

    return [unit for unit in seed_units(places())
            if unit["province_code"] == "06" or (unit["province_code"] == "34" and unit["district"] is None)]


@pytest.fixture
def routing_store(mongo_db, seeded_units):
    """Routing's stores (applications and accounts, tests/support/routing_stores.py) on mongomock,
    indexed and seeded as ReferenceData seeds them at start-up."""
    import copy

    from tests.support.routing_stores import RoutingStores

    store = RoutingStores(mongo_db)
    store.create_indexes()
    store.seed_units(copy.deepcopy(seeded_units))
    return store


@pytest.fixture(scope="session")
def password_hash():
    """An argon2 hash of samples.PASSWORD, computed once (each hash costs ~0.1 s)."""
    from services.routing.passwords import hash_password
    from tests.support.samples import PASSWORD

    return hash_password(PASSWORD)


# --- notification -----------------------------------------------------------------------------

class InlinePool:
    """Stands in for the SMS dispatcher's eventlet GreenPool: ``spawn_n`` runs the send at once,
    so a test that drives ``run_once`` sees each message's outcome when the call returns.
    (Imported by the notification tests: ``from tests.unit.conftest import InlinePool``.)"""

    def __init__(self):
        self.spawned = 0

    def spawn_n(self, function, *args):
        self.spawned += 1
        function(*args)

    def waitall(self):
        pass
