"""Which engine holds a service's database, chosen by the URI scheme (docs/architecture.md#stores).

- ``mongodb://`` / ``mongodb+srv://``: real MongoDB (production), majority writes.
- ``sqlite:///path``: the embedded engine, one file per service (single machine).
- ``mongomock://``: in memory, for unit tests only.
"""
from nameko.extensions import DependencyProvider
from pymongo.errors import DuplicateKeyError

from common import config


def connect(uri):
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

    def __init__(self, store_class):
        self.store_class = store_class

    def setup(self):
        config.make_files_private()
        service_name = self.container.service_name
        uri = config.mongo_uri(service_name, self.container.config.get("MONGO_URI"))
        self.client = connect(uri)
        self.store = self.store_class(self.client.get_database(service_name))
        self.store.create_indexes()

    def stop(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        return self.store


def store_of(container, attr_name):
    """The store object of the service's ``Store`` dependency named ``attr_name``, for other
    dependencies of the same service (all are bound and set up before any ``start``)."""
    for dependency in container.dependencies:
        if dependency.attr_name == attr_name:
            return dependency.store
    raise LookupError(attr_name)


def purge_erased(database):
    """After an erasure's writes: no earlier copy of the erased data stays in the engine's own files.
    The embedded engine keeps earlier page versions in its write-ahead log (docstore/purge.py);
    MongoDB needs nothing from its client (its operator's part: docs/hardening.md#erasure)."""
    from docstore import EmbeddedClient

    if isinstance(database.client, EmbeddedClient):
        database.client.purge_erased()


def insert_new(collection, document):
    """Inserts ``document``; False (and nothing written) if a unique key says it exists already."""
    try:
        collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True
