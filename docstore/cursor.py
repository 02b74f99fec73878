"""``Collection.find`` results: a pymongo-style cursor, run on first iteration.

The whole result is read in one short read transaction at the first
``next()``, so no SQLite statement stays open while the caller (maybe a
green thread) does other work between documents.
"""
from pymongo.errors import InvalidOperation

from docstore.errors import UnsupportedOperation
from docstore.ordering import parse_sort


class Cursor:
    def __init__(self, collection, query, projection=None, skip=0, limit=0, sort=None):
        self._collection = collection
        self._query = query
        self._projection = projection
        self._skip = 0
        self._limit = 0
        self._sort = None
        self._results = None
        self._position = 0
        self.skip(skip)
        self.limit(limit)
        if sort is not None:
            self.sort(sort)

    @property
    def collection(self):
        return self._collection

    def _check_not_started(self):
        if self._results is not None:
            raise InvalidOperation("cannot set options after executing query")

    def sort(self, key_or_list, direction=None):
        self._check_not_started()
        self._sort = parse_sort(key_or_list, direction)
        return self

    def skip(self, skip):
        if type(skip) is not int:
            raise TypeError("skip must be an integer")
        if skip < 0:
            raise ValueError("skip must be >= 0")
        self._check_not_started()
        self._skip = skip
        return self

    def limit(self, limit):
        if type(limit) is not int:
            raise TypeError("limit must be an integer")
        self._check_not_started()
        self._limit = abs(limit)
        return self

    def batch_size(self, batch_size):
        return self

    def max_time_ms(self, max_time_ms):
        return self

    def hint(self, index):
        # A hint picks an index in MongoDB; results are the same without it.
        return self

    def __iter__(self):
        return self

    def __next__(self):
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
    def alive(self):
        return self._results is None or self._position < len(self._results)

    def rewind(self):
        self._results = None
        self._position = 0
        return self

    def clone(self):
        twin = Cursor(self._collection, self._query, self._projection, self._skip, self._limit)
        twin._sort = self._sort
        return twin

    def close(self):
        self._results = []
        self._position = 0

    def to_list(self, length=None):
        documents = list(self)
        return documents if length is None else documents[:length]

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        raise UnsupportedOperation(f"Cursor.{name}")
