"""Fixtures the intake tests share: intake's store on the in-memory database, and a worker on it."""
import pytest
from nameko.testing.services import worker_factory

from services.intake.service import IntakeService
from services.intake.store import IntakeStore


@pytest.fixture
def store(mongo_db):
    """Intake's store with its indexes, so unique numbers and codes are enforced as in production."""
    store = IntakeStore(mongo_db)
    store.create_indexes()
    return store


@pytest.fixture
def intake(store, kick_counter):
    """An intake worker on ``store``; its relay only counts kicks."""
    return worker_factory(IntakeService, applications=store, publish_owed_events=kick_counter)
