"""Routing's two stores on one database, as one object for the tests: the applications' store
(``RoutingStore``: queues, units) and the accounts' store (``AccountsStore``: staff, Open311
client apps). The routing process has both on its one database; a test that reads or writes
either kind of data goes through this object and injects it as both ``applications`` and
``accounts``."""
from services.routing.accounts_store import AccountsStore
from services.routing.store import RoutingStore


class RoutingStores:
    def __init__(self, database):
        object.__setattr__(self, "_stores", (RoutingStore(database), AccountsStore(database)))

    def create_indexes(self):
        for store in self._stores:
            store.create_indexes()

    def __getattr__(self, name):
        for store in self._stores:
            if hasattr(store, name):
                return getattr(store, name)
        raise AttributeError(name)

    def __setattr__(self, name, value):
        """A test that replaces a store's collection (to record its writes) replaces it in the store."""
        for store in self._stores:
            if hasattr(store, name):
                setattr(store, name, value)
                return
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        """Undoing such a replacement (pytest's monkeypatch deletes what it set)."""
        for store in self._stores:
            if name in vars(store):
                delattr(store, name)
                return
        object.__delattr__(self, name)
