"""A database: a namespace of collections inside the client's one SQLite file."""
from typing import TYPE_CHECKING, Any

from pymongo.errors import InvalidName

from docstore.collection import Collection
from docstore.errors import UnsupportedOperation

if TYPE_CHECKING:
    from docstore.client import EmbeddedClient


class Database:
    def __init__(self, client: "EmbeddedClient", name: str) -> None:
        if not isinstance(name, str):
            raise TypeError("name must be an instance of str")
        if not name or any(character in name for character in '/\\. "$\x00'):
            raise InvalidName(f"database name {name!r} must not be empty nor contain '/\\. \"$'")
        self._client = client
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def client(self) -> "EmbeddedClient":
        return self._client

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Database) and (self._client, self._name) == (other._client, other._name)

    def __hash__(self) -> int:
        return hash((id(self._client), self._name))

    def __repr__(self) -> str:
        return f"Database({self._client!r}, {self._name!r})"

    def __getitem__(self, name: str) -> Collection:
        return Collection(self, name)

    def __getattr__(self, name: str) -> Collection:
        if name.startswith("_"):
            raise AttributeError(name)
        return Collection(self, name)

    def get_collection(self, name: str, codec_options: Any = None, read_preference: Any = None,
                       write_concern: Any = None,
                       read_concern: Any = None) -> Collection:
        return Collection(self, name)

    def with_options(self, **options: Any) -> "Database":
        return self

    def create_collection(self, name: str, **options: Any) -> Collection:
        if options:
            raise UnsupportedOperation(f"create_collection option {sorted(options)[0]}")
        return Collection(self, name)._create()

    def list_collection_names(self, session: Any = None, filter: Any = None, comment: Any = None,
                              **kwargs: Any) -> list[str]:
        if filter or kwargs:
            raise UnsupportedOperation("list_collection_names with a filter")
        storage = self._client._storage
        with storage.transaction(write=False):
            return sorted(name for db, name in storage.collections() if db == self._name)

    def drop_collection(self, name_or_collection: Collection | str, session: Any = None, comment: Any = None,
                        encrypted_fields: Any = None) -> dict[str, Any]:
        name = name_or_collection.name if isinstance(name_or_collection, Collection) else name_or_collection
        storage = self._client._storage
        with storage.transaction(write=True) as connection:
            storage.drop_collection(connection, self._name, name)
        return {"ok": 1.0}

    def command(self, command: Any, value: int = 1, check: bool = True, allowable_errors: Any = None,
                **kwargs: Any) -> dict[str, Any]:
        name = command if isinstance(command, str) else next(iter(command), None)
        if name == "ping":
            with self._client._storage.transaction(write=False):
                pass
            return {"ok": 1.0}
        raise UnsupportedOperation(f"database command {name!r}")
