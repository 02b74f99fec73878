"""A database: a namespace of collections inside the client's one SQLite file."""
from pymongo.errors import InvalidName

from docstore.collection import Collection
from docstore.errors import UnsupportedOperation


class Database:
    def __init__(self, client, name):
        if not isinstance(name, str):
            raise TypeError("name must be an instance of str")
        if not name or any(character in name for character in '/\\. "$\x00'):
            raise InvalidName(f"database name {name!r} must not be empty nor contain '/\\. \"$'")
        self._client = client
        self._name = name

    name = property(lambda self: self._name)
    client = property(lambda self: self._client)

    def __eq__(self, other):
        return isinstance(other, Database) and (self._client, self._name) == (other._client, other._name)

    def __hash__(self):
        return hash((id(self._client), self._name))

    def __repr__(self):
        return f"Database({self._client!r}, {self._name!r})"

    def __getitem__(self, name):
        return Collection(self, name)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return Collection(self, name)

    def get_collection(self, name, codec_options=None, read_preference=None, write_concern=None,
                       read_concern=None):
        return Collection(self, name)

    def with_options(self, **options):
        return self

    def create_collection(self, name, **options):
        if options:
            raise UnsupportedOperation(f"create_collection option {sorted(options)[0]}")
        return Collection(self, name)._create()

    def list_collection_names(self, session=None, filter=None, comment=None, **kwargs):
        if filter or kwargs:
            raise UnsupportedOperation("list_collection_names with a filter")
        storage = self._client._storage
        with storage.transaction(write=False):
            return sorted(name for db, name in storage.collections() if db == self._name)

    def drop_collection(self, name_or_collection, session=None, comment=None, encrypted_fields=None):
        name = name_or_collection.name if isinstance(name_or_collection, Collection) else name_or_collection
        storage = self._client._storage
        with storage.transaction(write=True) as connection:
            storage.drop_collection(connection, self._name, name)
        return {"ok": 1.0}

    def command(self, command, value=1, check=True, allowable_errors=None, **kwargs):
        name = command if isinstance(command, str) else next(iter(command), None)
        if name == "ping":
            with self._client._storage.transaction(write=False):
                pass
            return {"ok": 1.0}
        raise UnsupportedOperation(f"database command {name!r}")
