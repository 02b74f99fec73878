"""``Collection.find`` results: a pymongo-style cursor, run on first iteration.

The whole result is read in one short read transaction at the first
``next()``, so no SQLite statement stays open while the caller (maybe a
green thread) does other work between documents.
"""
from typing import TYPE_CHECKING, Any

from pymongo.errors import InvalidOperation

from docstore.errors import UnsupportedOperation
from docstore.ordering import SortSpec, parse_sort

if TYPE_CHECKING:
    from docstore.collection import Collection


class Cursor:
    def __init__(self, collection: "Collection", query: Any, projection: Any = None, skip: int = 0, limit: int = 0,
                 sort: Any = None) -> None:
        self._collection = collection
        self._query = query
        self._projection = projection
        self._skip = 0
        self._limit = 0
        self._sort: SortSpec | None = None
        self._results: list[dict[str, Any]] | None = None
        self._position = 0
        self.skip(skip)
        self.limit(limit)
        if sort is not None:
            self.sort(sort)

    @property
    def collection(self) -> "Collection":
        return self._collection

    def _check_not_started(self) -> None:
        if self._results is not None:
            raise InvalidOperation("cannot set options after executing query")

    def sort(self, key_or_list: Any, direction: Any = None) -> "Cursor":
        self._check_not_started()
        self._sort = parse_sort(key_or_list, direction)
        return self

    def skip(self, skip: int) -> "Cursor":
        if type(skip) is not int:
            raise TypeError("skip must be an integer")
        if skip < 0:
            raise ValueError("skip must be >= 0")
        self._check_not_started()
        self._skip = skip
        return self

    def limit(self, limit: int) -> "Cursor":
        if type(limit) is not int:
            raise TypeError("limit must be an integer")
        self._check_not_started()
        self._limit = abs(limit)
        return self

    def batch_size(self, batch_size: int) -> "Cursor":
        return self

    def max_time_ms(self, max_time_ms: int | None) -> "Cursor":
        return self

    def hint(self, index: Any) -> "Cursor":
        # A hint picks an index in MongoDB; results are the same without it.
        return self

    def __iter__(self) -> "Cursor":
        return self

    def __next__(self) -> dict[str, Any]:
        if self._results is None:
            self._results = self._collection._find_documents(
                self._query, self._projection, self._sort, self._skip, self._limit)
        if self._position >= len(self._results):
            raise StopIteration
        document = self._results[self._position]
        self._position += 1
        return document

    next = __next__

    @property
    def alive(self) -> bool:
        return self._results is None or self._position < len(self._results)

    def rewind(self) -> "Cursor":
        self._results = None
        self._position = 0
        return self

    def clone(self) -> "Cursor":
        twin = Cursor(self._collection, self._query, self._projection, self._skip, self._limit)
        twin._sort = self._sort
        return twin

    def close(self) -> None:
        self._results = []
        self._position = 0

    def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        documents = list(self)
        return documents if length is None else documents[:length]

    def __enter__(self) -> "Cursor":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise UnsupportedOperation(f"Cursor.{name}")
