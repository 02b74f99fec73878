"""Which engine holds a service's database, chosen by the URI scheme (docs/architecture.md#stores).

- ``mongodb://`` / ``mongodb+srv://``: real MongoDB (production), majority writes.
- ``sqlite:///path``: the embedded engine, one file per service (single machine).
- ``mongomock://``: in memory, for unit tests only.
"""
from collections.abc import Callable
from typing import Any

from nameko.extensions import DependencyProvider
from pymongo.errors import BulkWriteError, DuplicateKeyError

from common import config

DUPLICATE_KEY = 11000  # MongoDB's error code for a unique index refusing a write


def connect(uri: str) -> Any:
    """A pymongo-compatible client for ``uri``."""
    if uri.startswith(("mongodb://", "mongodb+srv://")):
        import pymongo

        return pymongo.MongoClient(uri, tz_aware=True, w="majority")
    if uri.startswith("sqlite://"):
        from docstore import EmbeddedClient

        return EmbeddedClient(uri)
    if uri.startswith("mongomock://"):
        import mongomock

        return mongomock.MongoClient(tz_aware=True)
    raise ValueError("MONGO_URI: unsupported scheme (mongodb://, sqlite:///, mongomock://)")


class Store(DependencyProvider):
    """Injects a service's store object: ``store_class(database)``.

    The store class is the only code that touches pymongo; it gets its
    database here and creates its indexes once at start-up.
    """

    def __init__(self, store_class: Callable[[Any], Any]) -> None:
        self.store_class = store_class
        self.uri: str | None = None
        self.client: Any = None
        self.owns_client = False

    def setup(self) -> None:
        config.make_files_private()
        service_name = self.container.service_name
        self.uri = config.mongo_uri(service_name, self.container.config.get("MONGO_URI"))
        self.client = self._shared_client()
        if self.client is None:
            self.client, self.owns_client = connect(self.uri), True
        self.store = self.store_class(self.client.get_database(service_name))
        self.store.create_indexes()

    def _shared_client(self) -> Any:
        """The client another store of the same service opened on the same URI: a service with
        two stores (routing's applications and accounts) has one database, one connection pool,
        and the embedded engine's file opened once."""
        for other in getattr(self.container, "dependencies", ()):
            if isinstance(other, Store) and other.owns_client and other.uri == self.uri:
                return other.client
        return None

    def stop(self) -> None:
        if self.owns_client:
            self.client.close()

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.store


def store_of(container: Any, attr_name: str) -> Any:
    """The store object of the service's ``Store`` dependency named ``attr_name``, for other
    dependencies of the same service (all are bound and set up before any ``start``)."""
    for dependency in container.dependencies:
        if dependency.attr_name == attr_name:
            return dependency.store
    raise LookupError(attr_name)


def purge_erased(database: Any) -> None:
    """After an erasure's writes: no earlier copy of the erased data stays in the engine's own files.
    The embedded engine keeps earlier page versions in its write-ahead log (docstore/purge.py);
    MongoDB needs nothing from its client (its operator's part: docs/hardening.md#erasure)."""
    from docstore import EmbeddedClient

    if isinstance(database.client, EmbeddedClient):
        database.client.purge_erased()


def insert_new(collection: Any, document: dict[str, Any]) -> bool:
    """Inserts ``document``; False (and nothing written) if a unique key says it exists already."""
    try:
        collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def insert_all_new(collection: Any, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Inserts ``documents`` in one write (one commit on the embedded engine); returns those
    inserted, leaving out each a unique key says exists already."""
    if not documents:
        return []
    try:
        collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        return [documents[index] for index in sorted(set(range(len(documents))) - duplicates_in(error))]
    return documents


def duplicates_in(error: BulkWriteError) -> set[int]:
    """The indexes of the requests a unique key refused; raises ``error`` if any failed otherwise."""
    failures = error.details["writeErrors"]
    if any(failure["code"] != DUPLICATE_KEY for failure in failures):
        raise error
    return {failure["index"] for failure in failures}
