"""The SQLite file: one connection per client per process, transactions, and the catalog.

Durability: ``journal_mode=WAL`` with ``synchronous=NORMAL`` by default. A
commit in WAL mode has reached the operating system before it returns, so a
killed process (even SIGKILL, at any instant) loses no acknowledged write and
never leaves half a transaction; a power cut or kernel crash can lose the
last few commits, never corrupt the file. ``synchronous=FULL`` (``?synchronous=full``
in the URI) adds an fsync per commit, surviving power loss too, at the cost
of one disk flush per write; measured here NORMAL commits ~10x faster.

Concurrency: one ``sqlite3`` connection per client, used by every thread and
green thread of the process under one re-entrant lock (created at client
construction, so after ``eventlet.monkey_patch()`` it is a green lock). No
code yields to another green thread while holding it, and every transaction
is one short call, so a lock wait only ever waits for SQLite work. Writes
start with ``BEGIN IMMEDIATE``: another process's writer is waited for
(busy timeout) before anything is read, so two writers never deadlock
upgrading read locks. Reads run in a deferred transaction: one consistent
snapshot, never blocked by writers (WAL).

The catalog (collections, indexes) lives in the file; each process caches it
and reloads when the ``generation`` counter, bumped by every catalog change,
differs from what it last saw. A child process after ``fork`` opens its own
connection.

Erased means gone from the disk (KVKK): every connection runs with ``secure_delete``, so SQLite
overwrites deleted and overwritten content with zeros, in the page and in freed pages, instead
of leaving it in free space. What remains is the write-ahead log: it keeps every earlier
version of a changed page until a checkpoint truncates it (``truncate_log``; purge.py decides
when). The files are their owner's only (0600), whatever the process's umask.
"""
import json
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from pymongo.errors import ExecutionTimeout, OperationFailure

from docstore.indexes import IndexSpec

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS embedded_state ("
    " id INTEGER PRIMARY KEY CHECK (id = 0), generation INTEGER NOT NULL, next_table INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO embedded_state VALUES (0, 0, 1)",
    "CREATE TABLE IF NOT EXISTS embedded_collections ("
    " db TEXT NOT NULL, name TEXT NOT NULL, tbl TEXT NOT NULL, PRIMARY KEY (db, name))",
    "CREATE TABLE IF NOT EXISTS embedded_indexes ("
    " db TEXT NOT NULL, coll TEXT NOT NULL, name TEXT NOT NULL, fields TEXT NOT NULL,"
    " is_unique INTEGER NOT NULL, is_sparse INTEGER NOT NULL, tbl TEXT NOT NULL,"
    " multikey INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (db, coll, name))",
)

# ``PRAGMA user_version`` of a file whose free space holds no deleted content: created since every
# connection deletes securely, or vacuumed once on open (files written before hold old content).
_SECURELY_DELETED = 1
_PRIVATE_FILE_MODE = 0o600

_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
# SQLite's page cache per connection: the process's memory grows up to this as the file grows.
DEFAULT_CACHE_MIB = 64


@dataclass(frozen=True)
class CollectionInfo:
    table: str
    indexes: tuple[IndexSpec, ...]  # in creation order


class Storage:
    def __init__(self, path: str, synchronous: str = "NORMAL", busy_timeout: float = 10.0,
                 cache_mib: float = DEFAULT_CACHE_MIB) -> None:
        synchronous = synchronous.upper()
        if synchronous not in _SYNCHRONOUS:
            raise ValueError(f"synchronous must be one of {_SYNCHRONOUS}")
        if not cache_mib > 0:
            raise ValueError("cache_mib must be a positive number of MiB")
        self.path = path
        self.synchronous = synchronous
        self.cache_mib = cache_mib
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = None
        self._abandoned: sqlite3.Connection | None = None
        self._generation: int | None = None
        self._collections: dict[tuple[str, str], CollectionInfo] = {}
        _open_storages.add(self)

    # -- connection ---------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self._make_private()
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                     check_same_thread=False)
        connection.execute("PRAGMA secure_delete=ON")
        self._enable_wal(connection)
        connection.execute(f"PRAGMA synchronous={self.synchronous}")
        connection.execute(f"PRAGMA cache_size=-{int(self.cache_mib * 1024)}")  # KiB when negative
        connection.execute("BEGIN IMMEDIATE")
        try:
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            created = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'embedded_state'").fetchone() is None
            for statement in _SCHEMA:
                connection.execute(statement)
            if created:
                connection.execute(f"PRAGMA user_version={_SECURELY_DELETED}")
            _rebuild_rowid_index_tables(connection)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        if not created and version < _SECURELY_DELETED:
            self._vacuum_once(connection)
        return connection

    def _vacuum_once(self, connection: sqlite3.Connection) -> None:
        """Rewrites every page of a file written before deletes were secure, so no free space keeps
        deleted content; once: a process starting beside one that is at it leaves it the work."""
        try:
            connection.execute("VACUUM")
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                return
            raise
        connection.execute(f"PRAGMA user_version={_SECURELY_DELETED}")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the rewritten pages into the file

    def _make_private(self) -> None:
        """The file (created empty if missing: SQLite takes an empty file for a new database) and
        the log files beside it are 0600; SQLite creates its log files with the file's mode."""
        if self.path == ":memory:":
            return
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, _PRIVATE_FILE_MODE))
        for path in (self.path, self.path + "-wal", self.path + "-shm"):
            try:
                if os.stat(path).st_mode & 0o777 != _PRIVATE_FILE_MODE:
                    os.chmod(path, _PRIVATE_FILE_MODE)
            except (FileNotFoundError, PermissionError):  # gone meanwhile; another user's file
                pass

    def _enable_wal(self, connection: sqlite3.Connection) -> None:
        # Switching a new file to WAL takes an exclusive lock and SQLite answers
        # "locked" at once, without its busy handler, when another process is
        # opening the same file at that moment: retry until the busy timeout.
        if self.path == ":memory:":
            return
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                if connection.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() == "wal":
                    return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
            time.sleep(0.01)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
            self._connection = None
            self._generation = None

    def _forget_after_fork(self) -> None:
        # The parent's connection must not be used (nor closed) by the child.
        self._lock = threading.RLock()
        self._abandoned = self._connection
        self._connection = None
        self._generation = None

    # -- transactions -------------------------------------------------------
    @contextmanager
    def transaction(self, write: bool) -> Iterator[sqlite3.Connection]:
        """The connection inside one transaction: ``BEGIN IMMEDIATE`` to write, a snapshot to read."""
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = self._connect()
                connection = self._connection
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    self._refresh_catalog(connection)
                    yield connection
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            except sqlite3.OperationalError as error:
                message = str(error)
                if "locked" in message or "busy" in message:
                    raise ExecutionTimeout(f"embedded store busy: {message}", code=50) from error
                raise OperationFailure(f"embedded store: {message}") from error

    def truncate_log(self, busy_seconds: float) -> bool:
        """Copies the write-ahead log into the file and empties it, so no earlier version of a
        page stays on disk; False when another connection kept it from finishing within
        ``busy_seconds`` (a reader on an older snapshot, a writer): nothing is lost, try again."""
        if self.path == ":memory:":
            return True
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = self._connect()
                connection = self._connection
                # Short: SQLite's busy wait sleeps in C, holding up every green thread of the process.
                connection.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
                try:
                    (busy, _, _) = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                finally:
                    connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            except sqlite3.OperationalError as error:
                if "locked" in str(error) or "busy" in str(error):
                    return False
                raise OperationFailure(f"embedded store: {error}") from error
            return bool(busy == 0)

    # -- catalog ------------------------------------------------------------
    def _refresh_catalog(self, connection: sqlite3.Connection) -> None:
        (generation,) = connection.execute("SELECT generation FROM embedded_state").fetchone()
        if generation == self._generation:
            return
        indexes: dict[tuple[str, str], list[IndexSpec]] = {}
        for db, coll, name, fields, unique, sparse, table, multikey in connection.execute(
            "SELECT db, coll, name, fields, is_unique, is_sparse, tbl, multikey"
            " FROM embedded_indexes ORDER BY rowid"
        ):
            spec = IndexSpec(name, tuple(tuple(pair) for pair in json.loads(fields)), bool(unique),
                             bool(sparse), table, bool(multikey))
            indexes.setdefault((db, coll), []).append(spec)
        self._collections = {
            (db, name): CollectionInfo(table, tuple(indexes.get((db, name), ())))
            for db, name, table in connection.execute("SELECT db, name, tbl FROM embedded_collections")
        }
        self._generation = generation

    def collection(self, db: str, name: str) -> CollectionInfo | None:
        """The catalog entry of a collection, or None; call inside ``transaction``."""
        return self._collections.get((db, name))

    def collections(self) -> dict[tuple[str, str], CollectionInfo]:
        return dict(self._collections)

    def _changed(self, connection: sqlite3.Connection) -> None:
        connection.execute("UPDATE embedded_state SET generation = generation + 1")
        self._refresh_catalog(connection)

    def _new_table_name(self, connection: sqlite3.Connection, prefix: str) -> str:
        (number,) = connection.execute("SELECT next_table FROM embedded_state").fetchone()
        connection.execute("UPDATE embedded_state SET next_table = next_table + 1")
        return f"{prefix}_{number}"

    def ensure_collection(self, connection: sqlite3.Connection, db: str, name: str) -> CollectionInfo:
        info = self.collection(db, name)
        if info is not None:
            return info
        table = self._new_table_name(connection, "docs")
        # id_key has no declared type, so SQLite keeps each key's own type (see indexes.sql_key).
        connection.execute(f"CREATE TABLE {table} (rid INTEGER PRIMARY KEY, id_key UNIQUE NOT NULL,"
                           " doc TEXT NOT NULL)")
        connection.execute("INSERT INTO embedded_collections VALUES (?, ?, ?)", (db, name, table))
        self._changed(connection)
        created = self.collection(db, name)
        assert created is not None  # _changed re-read the catalog, which now has it
        return created

    def add_index(self, connection: sqlite3.Connection, db: str, coll: str, spec: IndexSpec) -> IndexSpec:
        table = self._new_table_name(connection, "ix")
        _create_index_table(connection, table, len(spec.fields), spec.unique)
        connection.execute(
            "INSERT INTO embedded_indexes (db, coll, name, fields, is_unique, is_sparse, tbl)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (db, coll, spec.name, json.dumps(spec.fields), spec.unique, spec.sparse, table),
        )
        self._changed(connection)
        return replace(spec, table=table)

    def mark_multikey(self, connection: sqlite3.Connection, db: str, coll: str, spec: IndexSpec) -> None:
        connection.execute("UPDATE embedded_indexes SET multikey = 1 WHERE db = ? AND coll = ? AND name = ?",
                           (db, coll, spec.name))
        self._changed(connection)

    def drop_index(self, connection: sqlite3.Connection, db: str, coll: str, spec: IndexSpec) -> None:
        connection.execute(f"DROP TABLE {spec.table}")
        connection.execute("DELETE FROM embedded_indexes WHERE db = ? AND coll = ? AND name = ?",
                           (db, coll, spec.name))
        self._changed(connection)

    def drop_collection(self, connection: sqlite3.Connection, db: str, name: str) -> None:
        info = self.collection(db, name)
        if info is None:
            return
        for spec in info.indexes:
            connection.execute(f"DROP TABLE {spec.table}")
        connection.execute(f"DROP TABLE {info.table}")
        connection.execute("DELETE FROM embedded_indexes WHERE db = ? AND coll = ?", (db, name))
        connection.execute("DELETE FROM embedded_collections WHERE db = ? AND name = ?", (db, name))
        self._changed(connection)


def _create_index_table(connection: sqlite3.Connection, table: str, field_count: int, unique: bool) -> None:
    """One B-tree per index: the keys (and the document's ``rid``) are the table's primary key,
    with no rowid. The layout before 2026-12-04 — a rowid table with an index on the keys and
    another on ``rid`` — wrote three B-trees per index at every insert (routing's 16 indexes:
    ~220 KB of log per application); entries are now deleted by their keys, which the writer
    has from the old document anyway. A unique index's key leaves ``rid`` out, so a key is
    taken once. No key is ever NULL (``indexes.sql_key``), as a primary key here must not be."""
    columns = [f"k{number}" for number in range(field_count)]
    primary_key = ", ".join(columns if unique else columns + ["rid"])
    connection.execute(f"CREATE TABLE {table} ({', '.join(columns)}, rid INTEGER NOT NULL,"
                       f" PRIMARY KEY ({primary_key})) WITHOUT ROWID")


def _rebuild_rowid_index_tables(connection: sqlite3.Connection) -> None:
    """A file written before the one-B-tree layout: each of its index tables (found by their
    ``_rid`` index) is copied into the new layout, once, in the opening transaction."""
    old_tables = [name[:-len("_rid")] for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix!_%!_rid' ESCAPE '!'")]
    for table in old_tables:
        (fields, unique) = connection.execute(
            "SELECT fields, is_unique FROM embedded_indexes WHERE tbl = ?", (table,)).fetchone()
        columns = ", ".join(f"k{number}" for number in range(len(json.loads(fields))))
        connection.execute(f"ALTER TABLE {table} RENAME TO {table}_old")
        _create_index_table(connection, table, len(json.loads(fields)), bool(unique))
        connection.execute(f"INSERT INTO {table} ({columns}, rid) SELECT {columns}, rid FROM {table}_old")
        connection.execute(f"DROP TABLE {table}_old")


_open_storages: "weakref.WeakSet[Storage]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for storage in list(_open_storages):
        storage._forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
