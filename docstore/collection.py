"""A collection: pymongo's ``Collection`` methods over one SQLite table plus its index tables.

Every method is one transaction. A write reads the matching documents,
rewrites them and their index rows, and commits, so a crash or a unique
violation leaves all of it or none of it (MongoDB's ``update_many`` could stop
half-way; here it cannot).
"""
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from bson import ObjectId
from pymongo import InsertOne, ReturnDocument, UpdateMany, UpdateOne
from pymongo.errors import (
    BulkWriteError,
    CollectionInvalid,
    DuplicateKeyError,
    InvalidName,
    InvalidOperation,
    OperationFailure,
    WriteError,
)
from pymongo.results import BulkWriteResult, DeleteResult, InsertManyResult, InsertOneResult, UpdateResult

from docstore import paths
from docstore.codec import decode, encode, is_mapping, normalise
from docstore.cursor import Cursor
from docstore.errors import UnsupportedOperation
from docstore.grouping import Grouping
from docstore.indexes import IndexSpec, default_name, document_keys, parse_key_spec, sql_key
from docstore.matcher import Predicate, compile_filter
from docstore.ordering import equal, parse_sort, sort_documents, sort_key
from docstore.planner import covered_count, covered_group, ordered_scans, plan
from docstore.projection import compile_projection
from docstore.storage import CollectionInfo
from docstore.update import Update, upsert_seed, validate_replacement

if TYPE_CHECKING:
    from docstore.database import Database

# A matching row: (rid, stored JSON text, decoded document).
Row = tuple[int, str, dict[str, Any]]
# ``rewrite(document, inserting)``: the new version of a matched document, or of an upsert's seed.
Rewrite = Callable[[dict[str, Any], bool], dict[str, Any]]

ID_INDEX = IndexSpec("_id_", (("_id", 1),), unique=True)
_INDEX_OPTIONS = {"name", "unique", "sparse", "background"}


def _reject(method: str, **options: Any) -> None:
    for option, value in options.items():
        if value not in (None, False):
            raise UnsupportedOperation(f"{method}({option}=...)")


def _write_error(index: int, error: WriteError, op: Any) -> dict[str, Any]:
    """One entry of ``BulkWriteError.details["writeErrors"]``, as MongoDB reports it."""
    return {"index": index, "code": error.code, "errmsg": str(error),
            **({"keyPattern": error.details["keyPattern"], "keyValue": error.details["keyValue"]}
               if error.details else {}),
            "op": op}


def _as_filter(query: Any) -> Any:
    if query is None:
        return {}
    if not is_mapping(query):
        raise TypeError("filter must be an instance of dict, bson.son.SON, or any other type that "
                        "inherits from collections.Mapping")
    return query


class Collection:
    def __init__(self, database: "Database", name: str) -> None:
        if not isinstance(name, str):
            raise TypeError("name must be an instance of str")
        if not name or "$" in name or "\x00" in name or name.startswith(".") or name.endswith("."):
            raise InvalidName(f"collection names must not be empty, contain '$' or start/end with '.':"
                              f" {name!r}")
        self._database = database
        self._name = name
        self._storage = database.client._storage

    # -- identity -----------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def database(self) -> "Database":
        return self._database

    @property
    def full_name(self) -> str:
        return f"{self._database.name}.{self._name}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Collection) and (self._database, self._name) == (other._database, other._name)

    def __hash__(self) -> int:
        return hash((self._database, self._name))

    def __repr__(self) -> str:
        return f"Collection({self._database!r}, {self._name!r})"

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("_"):
            raise AttributeError(name)
        raise UnsupportedOperation(f"Collection.{name}")

    def __getitem__(self, name: str) -> NoReturn:
        raise UnsupportedOperation(f"sub-collection {self._name}.{name}")

    def with_options(self, **options: Any) -> "Collection":
        # Read/write concerns and preferences change nothing on one local file.
        return self

    def _info(self) -> CollectionInfo | None:
        return self._storage.collection(self._database.name, self._name)

    # -- reading ------------------------------------------------------------
    def _matches(self, connection: sqlite3.Connection, query: Any, predicate: Predicate,
                 stop_after: Any = None) -> list[Row]:
        """``[(rid, stored text, document)]`` matching ``query``, in stored order."""
        info = self._info()
        if info is None:
            return []
        planned = plan(query, info.table, info.indexes)
        sql = f"SELECT rid, doc FROM {info.table}"
        params: Sequence[Any] = ()
        if planned is not None:
            sql, params = f"{sql} WHERE {planned[0]}", planned[1]
        found = []
        rows = connection.execute(f"{sql} ORDER BY rid", params)
        try:
            for rid, text in rows:
                document = decode(text)
                if predicate(document):
                    found.append((rid, text, document))
                    if stop_after is not None and len(found) >= stop_after:
                        break
        finally:
            rows.close()
        return found

    def _find_documents(self, query: Any, projection: Any, sort: Any, skip: int, limit: int) -> list[dict[str, Any]]:
        predicate = compile_filter(query)
        project = compile_projection(projection)
        with self._storage.transaction(write=False) as connection:
            documents = self._in_index_order(connection, query, predicate, sort, skip, limit) if sort else None
            if documents is None:
                stop_after = skip + limit if limit else None
                found = self._matches(connection, query, predicate, None if sort else stop_after)
                documents = [document for _, _, document in found]
                if sort:
                    documents = sort_documents(documents, sort)
                documents = documents[skip:skip + limit if limit else None]
        return documents if project is None else [project(document) for document in documents]

    def _in_index_order(self, connection: sqlite3.Connection, query: Any, predicate: Predicate, sort: Any,
                        skip: int, limit: int) -> list[dict[str, Any]] | None:
        """Matches ``skip`` to ``skip + limit`` in ``sort`` order read through an index
        (planner.ordered_scans), stopping after the last: a page of a large collection decodes
        about a page of documents, as MongoDB's index scan would. Where every document in the
        index range matches (``OrderedScan.covers``), the skipped ones are not even read: a deep
        page costs index steps, not documents. None where no index gives that order."""
        info = self._info()
        scans = ordered_scans(query, sort, info.indexes) if info else []
        if len(scans) > 1:  # the one with the fewest index rows in range
            scans.sort(key=lambda candidate: connection.execute(*candidate.count_sql(1000)).fetchone()[0])
        if not scans or any(connection.execute(*check).fetchone() for check in scans[0].misordered_sql()):
            return None
        assert info is not None  # it has indexes to scan
        scan = scans[0]
        unread = skip if skip and scan.covers(query) else 0
        to_drop = skip - unread  # matches read, then dropped: the filter says more than the index
        stop_after = to_drop + limit if limit else None
        found: list[dict[str, Any]] = []
        for segment, counting in zip(scan.segments_sql(info.table), scan.segment_counts_sql()):
            if unread:
                (held,) = connection.execute(*counting).fetchone()
                if unread >= held:
                    unread -= held
                    continue
                segment = (segment[0] + " LIMIT -1 OFFSET ?", [*segment[1], unread])
                unread = 0
            rows = connection.execute(*segment)
            try:
                for _, text in rows:
                    document = decode(text)
                    if predicate(document):
                        found.append(document)
                        if stop_after is not None and len(found) >= stop_after:
                            return found[to_drop:]
            finally:
                rows.close()
        return found[to_drop:]

    def find(self, filter: Any = None, projection: Any = None, skip: int = 0, limit: int = 0, sort: Any = None,
             batch_size: int = 0,
             session: Any = None, hint: Any = None, max_time_ms: Any = None, comment: Any = None,
             **unsupported: Any) -> Cursor:
        _reject("find", session=session, **unsupported)
        query = _as_filter(filter)
        compile_filter(query)  # an unsupported operator fails here, not at iteration
        compile_projection(projection)
        return Cursor(self, query, projection, skip, limit, sort)

    def find_one(self, filter: Any = None, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        if filter is not None and not is_mapping(filter):
            filter = {"_id": filter}
        kwargs.pop("limit", None)
        # pymongo's find_one passes *args on as find's leading positional arguments, before limit
        for document in self.find(filter, *args, limit=1, **kwargs):  # type: ignore[misc]
            return document
        return None

    def count_documents(self, filter: Any, skip: int = 0, limit: int = 0, session: Any = None, hint: Any = None,
                        comment: Any = None,
                        maxTimeMS: Any = None, **unsupported: Any) -> int:
        _reject("count_documents", session=session, **unsupported)
        query = _as_filter(filter)
        predicate = compile_filter(query)
        count: int
        with self._storage.transaction(write=False) as connection:
            info = self._info()
            if info is None:
                return 0
            covered = covered_count(query, info.indexes)
            if not query:
                (count,) = connection.execute(f"SELECT COUNT(*) FROM {info.table}").fetchone()
            elif covered is not None:  # index rows alone: no document is read
                (count,) = connection.execute(*covered).fetchone()
            else:
                count = len(self._matches(connection, query, predicate,
                                          skip + limit if limit else None))
        count = max(0, count - skip)
        return min(count, limit) if limit else count

    def estimated_document_count(self, **options: Any) -> int:
        return self.count_documents({})

    def aggregate(self, pipeline: Any, session: Any = None, comment: Any = None,
                  **unsupported: Any) -> Iterator[dict[str, Any]]:
        """``[$match?, $group]`` only (docstore/grouping.py). Counts per value of an
        indexed field come from the index rows alone (planner.covered_group), as MongoDB answers
        them from an index; otherwise the matching documents are read and grouped."""
        _reject("aggregate", session=session, **unsupported)
        grouping = Grouping(pipeline)
        query = _as_filter(grouping.match)
        predicate = compile_filter(query)
        with self._storage.transaction(write=False) as connection:
            info = self._info()
            if info is None:
                return iter([])
            covered = grouping.counts_only and covered_group(query, ".".join(grouping.key_path or ()), info.indexes)
            groups = grouping.from_key_counts(connection.execute(*covered).fetchall()) if covered else None
            if groups is None:
                groups = grouping.from_documents(
                    document for _, _, document in self._matches(connection, query, predicate))
        return iter(groups)

    def distinct(self, key: str, filter: Any = None, session: Any = None, comment: Any = None,
                 **unsupported: Any) -> list[Any]:
        _reject("distinct", session=session, **unsupported)
        parts = paths.split(key)
        values, seen = [], set()
        for document in self.find(filter):
            for value in paths.reachable(document, parts):
                for item in (value if type(value) is list else [value]):
                    marker = repr(sort_key(item)) if item is not paths.MISSING else None
                    if marker is not None and marker not in seen:
                        seen.add(marker)
                        values.append(item)
        return values

    # -- writing: shared ----------------------------------------------------
    def _prepare_new(self, document: dict[str, Any]) -> dict[str, Any]:
        """The document as it will be stored: normalised, ``_id`` first (as MongoDB stores it)."""
        if type(document.get("_id")) in (list, tuple):
            raise WriteError("can't use an array for _id", code=2)
        ordered = {"_id": document["_id"]}
        ordered.update((key, value) for key, value in document.items() if key != "_id")
        stored: dict[str, Any] = normalise(ordered, top_level=True)
        return stored

    def _duplicate(self, spec: IndexSpec, document: dict[str, Any]) -> DuplicateKeyError:
        key_value = {}
        for path, _ in spec.fields:
            reached = paths.reachable(document, paths.split(path))
            key_value[path] = None if reached[0] is paths.MISSING else reached[0]
        message = (f"E11000 duplicate key error collection: {self.full_name} index: {spec.name}"
                   f" dup key: {key_value!r}")
        return DuplicateKeyError(message, 11000, {
            "index": 0, "code": 11000, "errmsg": message,
            "keyPattern": spec.key_pattern, "keyValue": key_value,
        })

    def _insert_document(self, connection: sqlite3.Connection, info: CollectionInfo, document: dict[str, Any]) -> None:
        try:
            rid = connection.execute(f"INSERT INTO {info.table} (id_key, doc) VALUES (?, ?)",
                                     (sql_key(document["_id"]), encode(document))).lastrowid
            assert rid is not None  # set by every successful INSERT
        except sqlite3.IntegrityError:
            raise self._duplicate(ID_INDEX, document) from None
        self._write_index_rows(connection, info, rid, document)

    def _write_index_rows(self, connection: sqlite3.Connection, info: CollectionInfo, rid: int, document: dict[str,
                          Any], previous_keys: Any = None, specs: Any = None) -> None:
        """Index rows for a new ``document``, or for one replacing a document whose keys in ``specs``
        were ``previous_keys`` (index name -> keys)."""
        for spec in info.indexes if specs is None else specs:
            keys, multikey = document_keys(spec, document)
            if previous_keys is not None:
                previous = previous_keys[spec.name]
                if previous == keys:
                    continue
                _delete_keys(connection, spec, rid, previous - keys)
                keys = keys - previous
            self._insert_keys(connection, spec, rid, keys, document)
            if multikey and not spec.multikey:
                self._storage.mark_multikey(connection, self._database.name, self._name, spec)

    def _insert_keys(self, connection: sqlite3.Connection, spec: IndexSpec, rid: int, keys: Any, document: dict[str,
                     Any]) -> None:
        if not keys:
            return
        marks = ", ".join("?" * len(spec.fields))
        try:
            if len(keys) == 1:  # the usual case, and one execute is cheaper than executemany of one row
                [key] = keys
                connection.execute(f"INSERT INTO {spec.table} VALUES ({marks}, ?)", (*key, rid))
            else:
                connection.executemany(f"INSERT INTO {spec.table} VALUES ({marks}, ?)",
                                       [(*key, rid) for key in keys])
        except sqlite3.IntegrityError:
            raise self._duplicate(spec, document) from None

    def _write_matching(self, query: Any, rewrite: Rewrite, *, multi: bool, upsert: bool, sort: Any = None,
                        changed_paths: Any = None,
                        want_before: bool = False) -> tuple[int, int, Any, dict[str, Any] | None, dict[str,
                        Any] | None]:
        """Rewrites the matching documents; ``(matched, modified, upserted_id, before, after)``.

        ``rewrite(document, inserting)`` returns the new version (it may change
        ``document``); on an upsert it gets the seed MongoDB builds from the
        filter's equality conditions. ``changed_paths`` (when known) spares
        recomputing the keys of indexes the rewrite cannot touch; ``before``
        is only decoded when ``want_before``.
        """
        with self._storage.transaction(write=True) as connection:
            return self._write_matching_in(connection, query, rewrite, multi=multi, upsert=upsert, sort=sort,
                                           changed_paths=changed_paths, want_before=want_before)

    def _write_matching_in(self, connection: sqlite3.Connection, query: Any, rewrite: Rewrite, *, multi: bool,
                           upsert: bool, sort: Any = None, changed_paths: Any = None,
                           want_before: bool = False) -> tuple[int, int, Any, dict[str, Any] | None, dict[str,
                           Any] | None]:
        """``_write_matching`` inside the caller's transaction."""
        predicate = compile_filter(query)
        sort = parse_sort(sort) if sort is not None else None
        found = self._matches(connection, query, predicate,
                              None if multi or sort else 1)
        if sort and len(found) > 1:
            found = _sorted_rows(found, sort)
        if not multi:
            found = found[:1]
        info = self._info()
        # Only for documents found: an upsert that inserts writes every index anyway.
        affected = [spec for spec in info.indexes
                    if changed_paths is None or spec.covers_any(changed_paths)] if info and found else []
        modified, before, after = 0, None, None
        for rid, text, document in found:
            assert info is not None  # a matched row's collection exists
            first = after is None
            # Before ``rewrite``, which may change ``document`` (``text`` is the original): cheaper
            # than decoding ``text`` again.
            previous_keys = {spec.name: document_keys(spec, document)[0] for spec in affected}
            new = rewrite(document, False)
            new_text = encode(new)
            previous = decode(text) if first and want_before else None
            if new_text != text:
                connection.execute(f"UPDATE {info.table} SET doc = ? WHERE rid = ?", (new_text, rid))
                if affected:
                    self._write_index_rows(connection, info, rid, new, previous_keys, affected)
                modified += 1
            if first:
                before, after = previous, new
        if found or not upsert:
            return len(found), modified, None, before, after
        new = rewrite(upsert_seed(query), True)
        if "_id" not in new:
            new = {"_id": ObjectId(), **new}
        new = self._prepare_new(new)
        info = self._storage.ensure_collection(connection, self._database.name, self._name)
        self._insert_document(connection, info, new)
        return 0, 0, new["_id"], None, new

    @staticmethod
    def _update_result(matched: int, modified: int, upserted_id: Any) -> UpdateResult:
        raw = {"n": matched if upserted_id is None else 1, "nModified": modified, "ok": 1.0}
        if upserted_id is not None:
            raw["upserted"] = upserted_id
        return UpdateResult(raw, True)

    # -- writing: pymongo's methods -----------------------------------------
    def insert_one(self, document: dict[str, Any], bypass_document_validation: Any = None, session: Any = None,
                   comment: Any = None) -> InsertOneResult:
        _reject("insert_one", session=session)
        if not isinstance(document, MutableMapping):
            raise TypeError("document must be an instance of dict, bson.son.SON, bson.raw_bson."
                            "RawBSONDocument, or a type that inherits from collections.MutableMapping")
        if "_id" not in document:
            document["_id"] = ObjectId()
        stored = self._prepare_new(document)
        with self._storage.transaction(write=True) as connection:
            info = self._storage.ensure_collection(connection, self._database.name, self._name)
            self._insert_document(connection, info, stored)
        return InsertOneResult(document["_id"], True)

    def insert_many(self, documents: Any, ordered: bool = True, bypass_document_validation: Any = None,
                    session: Any = None,
                    comment: Any = None) -> InsertManyResult:
        _reject("insert_many", session=session)
        documents = list(documents) if not isinstance(documents, Mapping) else None
        if not documents:
            raise TypeError("documents must be a non-empty list")
        for document in documents:
            if not isinstance(document, MutableMapping):
                raise TypeError("documents must be instances of dict or MutableMapping")
            if "_id" not in document:
                document["_id"] = ObjectId()
        prepared = [self._prepare_new(document) for document in documents]
        errors, inserted = [], 0
        with self._storage.transaction(write=True) as connection:
            info = self._storage.ensure_collection(connection, self._database.name, self._name)
            for index, document in enumerate(prepared):
                # A savepoint per document: MongoDB keeps the documents before a failed one.
                connection.execute("SAVEPOINT one_document")
                try:
                    self._insert_document(connection, info, document)
                    inserted += 1
                except WriteError as error:
                    connection.execute("ROLLBACK TO one_document")
                    errors.append(_write_error(index, error, documents[index]))
                    if ordered:
                        connection.execute("RELEASE one_document")
                        break
                connection.execute("RELEASE one_document")
        if errors:
            raise BulkWriteError({"writeErrors": errors, "writeConcernErrors": [], "nInserted": inserted,
                                  "nUpserted": 0, "nMatched": 0, "nModified": 0, "nRemoved": 0,
                                  "upserted": []})
        return InsertManyResult([document["_id"] for document in documents], True)

    def bulk_write(self, requests: Any, ordered: bool = True, bypass_document_validation: Any = None,
                   session: Any = None, comment: Any = None, let: Any = None) -> BulkWriteResult:
        """``InsertOne``, ``UpdateOne`` and ``UpdateMany`` requests in one transaction (one commit for
        all: what a batched event handler writes). As MongoDB: each request is atomic on its own, a
        failed one is reported in ``BulkWriteError.details["writeErrors"]`` with its index, the ones
        before it stay, and ``ordered`` stops at it where unordered goes on."""
        _reject("bulk_write", session=session, let=let)
        operations = [self._bulk_operation(request) for request in requests]
        if not operations:
            raise InvalidOperation("No operations to execute")
        counts = {"nInserted": 0, "nUpserted": 0, "nMatched": 0, "nModified": 0, "nRemoved": 0}
        upserted: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        with self._storage.transaction(write=True) as connection:
            for index, (operation, op) in enumerate(operations):
                connection.execute("SAVEPOINT one_request")
                try:
                    upserted_id = operation(connection, counts)
                    if upserted_id is not None:
                        upserted.append({"index": index, "_id": upserted_id})
                except WriteError as error:
                    connection.execute("ROLLBACK TO one_request")
                    errors.append(_write_error(index, error, op))
                    if ordered:
                        connection.execute("RELEASE one_request")
                        break
                connection.execute("RELEASE one_request")
        result = dict(counts, nUpserted=len(upserted), upserted=upserted, writeErrors=errors, writeConcernErrors=[])
        if errors:
            raise BulkWriteError(result)
        return BulkWriteResult(result, True)

    def _bulk_operation(self, request: Any) -> tuple[Callable[[sqlite3.Connection, dict[str, int]], Any], Any]:
        """``(operation(connection, counts) -> upserted _id or None, what an error names as its op)``."""
        if isinstance(request, InsertOne):
            document: Any = request._doc
            if not isinstance(document, MutableMapping):
                raise TypeError("document must be an instance of dict or MutableMapping")
            if "_id" not in document:
                document["_id"] = ObjectId()

            def insert(connection: sqlite3.Connection, counts: dict[str, int]) -> None:
                stored = self._prepare_new(dict(document))
                info = self._storage.ensure_collection(connection, self._database.name, self._name)
                self._insert_document(connection, info, stored)
                counts["nInserted"] += 1
            return insert, document
        if isinstance(request, (UpdateOne, UpdateMany)):
            _reject(type(request).__name__, collation=request._collation, array_filters=request._array_filters)
            query, update = _as_filter(request._filter), Update(request._doc)
            multi, upsert = isinstance(request, UpdateMany), bool(request._upsert)

            def write(connection: sqlite3.Connection, counts: dict[str, int]) -> Any:
                matched, modified, upserted_id, _, _ = self._write_matching_in(
                    connection, query, update.apply, multi=multi, upsert=upsert, sort=request._sort,
                    changed_paths=update.changed_paths)
                counts["nMatched"] += matched
                counts["nModified"] += modified
                return upserted_id
            return write, {"q": request._filter, "u": request._doc, "multi": multi, "upsert": upsert}
        raise UnsupportedOperation(f"bulk_write({type(request).__name__})")

    def update_one(self, filter: Any, update: Any, upsert: bool = False, bypass_document_validation: Any = None,
                   collation: Any = None,
                   array_filters: Any = None, hint: Any = None, session: Any = None, let: Any = None,
                   sort: Any = None, comment: Any = None) -> UpdateResult:
        _reject("update_one", collation=collation, array_filters=array_filters, session=session, let=let)
        update = Update(update)
        matched, modified, upserted_id, _, _ = self._write_matching(
            _as_filter(filter), update.apply, multi=False, upsert=upsert, sort=sort,
            changed_paths=update.changed_paths)
        return self._update_result(matched, modified, upserted_id)

    def update_many(self, filter: Any, update: Any, upsert: bool = False, array_filters: Any = None,
                    bypass_document_validation: Any = None,
                    collation: Any = None, hint: Any = None, session: Any = None, let: Any = None,
                    comment: Any = None) -> UpdateResult:
        _reject("update_many", collation=collation, array_filters=array_filters, session=session, let=let)
        update = Update(update)
        matched, modified, upserted_id, _, _ = self._write_matching(
            _as_filter(filter), update.apply, multi=True, upsert=upsert, changed_paths=update.changed_paths)
        return self._update_result(matched, modified, upserted_id)

    def _replacer(self, replacement: Any) -> Rewrite:
        validate_replacement(replacement)
        body = normalise({key: value for key, value in replacement.items()}, top_level=True)

        def rewrite(document: dict[str, Any], inserting: bool) -> dict[str, Any]:
            if "_id" in body and "_id" in document and not equal(body["_id"], document["_id"]):
                raise WriteError("After applying the update, the (immutable) field '_id' was found "
                                 "to have been altered", code=66)
            new = {"_id": document["_id"]} if "_id" in document else {}
            new.update((key, value) for key, value in body.items() if key != "_id")
            if "_id" not in new and "_id" in body:
                new = {"_id": body["_id"], **new}
            return new
        return rewrite

    def replace_one(self, filter: Any, replacement: Any, upsert: bool = False, bypass_document_validation: Any = None,
                    collation: Any = None, hint: Any = None, session: Any = None, let: Any = None, sort: Any = None,
                    comment: Any = None) -> UpdateResult:
        _reject("replace_one", collation=collation, session=session, let=let)
        matched, modified, upserted_id, _, _ = self._write_matching(
            _as_filter(filter), self._replacer(replacement), multi=False, upsert=upsert, sort=sort)
        return self._update_result(matched, modified, upserted_id)

    def _find_one_and_write(self, filter: Any, rewrite: Rewrite, projection: Any, sort: Any, upsert: bool,
                            return_document: bool,
                            changed_paths: Any = None) -> dict[str, Any] | None:
        project = compile_projection(projection)
        _, _, _, before, after = self._write_matching(
            _as_filter(filter), rewrite, multi=False, upsert=upsert, sort=sort, changed_paths=changed_paths,
            want_before=return_document != ReturnDocument.AFTER)
        document = after if return_document == ReturnDocument.AFTER else before
        if document is None or project is None:
            return document
        return project(document)

    def find_one_and_update(self, filter: Any, update: Any, projection: Any = None, sort: Any = None,
                            upsert: bool = False,
                            return_document: bool = ReturnDocument.BEFORE, array_filters: Any = None, hint: Any = None,
                            session: Any = None, let: Any = None, comment: Any = None,
                            **unsupported: Any) -> dict[str, Any] | None:
        _reject("find_one_and_update", array_filters=array_filters, session=session, let=let, **unsupported)
        update = Update(update)
        return self._find_one_and_write(filter, update.apply, projection, sort, upsert, return_document,
                                        update.changed_paths)

    def find_one_and_replace(self, filter: Any, replacement: Any, projection: Any = None, sort: Any = None,
                             upsert: bool = False,
                             return_document: bool = ReturnDocument.BEFORE, hint: Any = None, session: Any = None,
                             let: Any = None,
                             comment: Any = None, **unsupported: Any) -> dict[str, Any] | None:
        _reject("find_one_and_replace", session=session, let=let, **unsupported)
        return self._find_one_and_write(filter, self._replacer(replacement), projection, sort, upsert,
                                        return_document)

    def _delete(self, query: Any, multi: bool, sort: Any = None) -> list[Row]:
        predicate = compile_filter(query)
        with self._storage.transaction(write=True) as connection:
            found = self._matches(connection, query, predicate, None if multi or sort else 1)
            if sort and len(found) > 1:
                found = _sorted_rows(found, parse_sort(sort))[:1]
            info = self._info()
            rids = [(rid,) for rid, _, _ in found]
            if rids:
                assert info is not None  # a matched row's collection exists
                connection.executemany(f"DELETE FROM {info.table} WHERE rid = ?", rids)
                for spec in info.indexes:
                    for rid, _, document in found:
                        _delete_keys(connection, spec, rid, document_keys(spec, document)[0])
        return found

    def delete_one(self, filter: Any, collation: Any = None, hint: Any = None, session: Any = None, let: Any = None,
                   comment: Any = None) -> DeleteResult:
        _reject("delete_one", collation=collation, session=session, let=let)
        return DeleteResult({"n": len(self._delete(_as_filter(filter), multi=False)), "ok": 1.0}, True)

    def delete_many(self, filter: Any, collation: Any = None, hint: Any = None, session: Any = None, let: Any = None,
                    comment: Any = None) -> DeleteResult:
        _reject("delete_many", collation=collation, session=session, let=let)
        return DeleteResult({"n": len(self._delete(_as_filter(filter), multi=True)), "ok": 1.0}, True)

    def find_one_and_delete(self, filter: Any, projection: Any = None, sort: Any = None, hint: Any = None,
                            session: Any = None, let: Any = None,
                            comment: Any = None, **unsupported: Any) -> dict[str, Any] | None:
        _reject("find_one_and_delete", session=session, let=let, **unsupported)
        project = compile_projection(projection)
        found = self._delete(_as_filter(filter), multi=False, sort=sort)
        if not found:
            return None
        return found[0][2] if project is None else project(found[0][2])

    # -- indexes ------------------------------------------------------------
    def create_index(self, keys: Any, session: Any = None, comment: Any = None, **options: Any) -> str:
        _reject("create_index", session=session)
        unknown = set(options) - _INDEX_OPTIONS
        if unknown:
            raise UnsupportedOperation(f"create_index option {sorted(unknown)[0]}")
        fields = parse_key_spec(keys)
        name = options.get("name") or default_name(fields)
        if fields == (("_id", 1),):
            return ID_INDEX.name
        wanted = IndexSpec(name, fields, bool(options.get("unique")), bool(options.get("sparse")))
        with self._storage.transaction(write=True) as connection:
            info = self._storage.ensure_collection(connection, self._database.name, self._name)
            for existing in info.indexes:
                same_options = (existing.fields, existing.unique, existing.sparse) == (
                    wanted.fields, wanted.unique, wanted.sparse)
                if existing.name == name and same_options:
                    return name
                if existing.name == name:
                    raise OperationFailure(f"An existing index has the same name as the requested index"
                                           f" but different options: {name}", code=86)
                if existing.fields == fields:
                    raise OperationFailure(f"Index already exists with a different name: {existing.name}",
                                           code=85)
            spec = self._storage.add_index(connection, self._database.name, self._name, wanted)
            multikey = False
            for rid, text in connection.execute(f"SELECT rid, doc FROM {info.table}").fetchall():
                document = decode(text)
                keys, document_multikey = document_keys(spec, document)
                self._insert_keys(connection, spec, rid, keys, document)
                multikey = multikey or document_multikey
            if multikey:
                self._storage.mark_multikey(connection, self._database.name, self._name, spec)
        return name

    def create_indexes(self, indexes: Iterable[Any], session: Any = None, comment: Any = None,
                       **options: Any) -> list[str]:
        names = []
        for model in indexes:
            document = dict(model.document)
            keys = list(document.pop("key").items())
            names.append(self.create_index(keys, session=session, **document, **options))
        return names

    def _index_specs(self) -> tuple[IndexSpec, ...] | None:
        """The secondary indexes, or None if the collection does not exist."""
        with self._storage.transaction(write=False):
            info = self._info()
        return None if info is None else info.indexes

    def index_information(self, session: Any = None, comment: Any = None) -> dict[str, dict[str, Any]]:
        specs = self._index_specs()
        if specs is None:
            return {}
        return {ID_INDEX.name: {"v": 2, "key": [("_id", 1)]},
                **{spec.name: spec.describe() for spec in specs}}

    def list_indexes(self, session: Any = None, comment: Any = None) -> Iterator[dict[str, Any]]:
        return iter([{"name": name, **info} for name, info in self.index_information().items()])

    def drop_index(self, index_or_name: Any, session: Any = None, comment: Any = None, **options: Any) -> None:
        name = index_or_name if isinstance(index_or_name, str) else default_name(parse_key_spec(index_or_name))
        if name == ID_INDEX.name:
            raise OperationFailure("cannot drop _id index", code=72)
        with self._storage.transaction(write=True) as connection:
            info = self._info()
            spec = next((spec for spec in (info.indexes if info else ()) if spec.name == name), None)
            if spec is None:
                raise OperationFailure(f"index not found with name [{name}]", code=27)
            self._storage.drop_index(connection, self._database.name, self._name, spec)

    def drop_indexes(self, session: Any = None, comment: Any = None, **options: Any) -> None:
        for spec in self._index_specs() or ():
            self.drop_index(spec.name)

    def drop(self, session: Any = None, comment: Any = None, encrypted_fields: Any = None) -> None:
        self._database.drop_collection(self._name)

    def _create(self) -> "Collection":
        with self._storage.transaction(write=True) as connection:
            if self._info() is not None:
                raise CollectionInvalid(f"collection {self._name} already exists")
            self._storage.ensure_collection(connection, self._database.name, self._name)
        return self


def _delete_keys(connection: sqlite3.Connection, spec: IndexSpec, rid: int, keys: Any) -> None:
    """Removes ``rid``'s entries under ``keys`` (each a primary key lookup: an index table has no
    rowid, storage.py): the keys a stored document gives, computed again from it."""
    if not keys:
        return
    where = " AND ".join(f"k{number} = ?" for number in range(len(spec.fields)))
    connection.executemany(f"DELETE FROM {spec.table} WHERE {where} AND rid = ?", [(*key, rid) for key in keys])


def _sorted_rows(rows: list[Row], sort: Any) -> list[Row]:
    by_document = {id(row[2]): row for row in rows}
    return [by_document[id(document)] for document in sort_documents([row[2] for row in rows], sort)]

