"""``EmbeddedClient``: what ``pymongo.MongoClient`` is to a server, for one SQLite file."""
import os
import sqlite3
import urllib.parse
from typing import Any, NoReturn

from pymongo.errors import ConfigurationError

from docstore.database import Database
from docstore.errors import UnsupportedOperation
from docstore.purge import LogPurger
from docstore.storage import DEFAULT_CACHE_MIB, Storage

# pymongo options that mean nothing for a local file, accepted so one call site serves every engine.
_IGNORED_OPTIONS = {"connect", "w", "journal", "serverSelectionTimeoutMS", "connectTimeoutMS",
                    "socketTimeoutMS", "appname", "retryWrites", "retryReads", "maxPoolSize",
                    "minPoolSize", "document_class"}


def parse_location(uri_or_path: str) -> tuple[str, dict[str, str]]:
    """``(file path, options)`` from ``sqlite:////abs.db``, ``sqlite:///relative.db`` or a plain path."""
    options: dict[str, str] = {}
    if uri_or_path.startswith("sqlite://"):
        parsed = urllib.parse.urlsplit(uri_or_path)
        if parsed.netloc:
            raise ValueError(f"sqlite URI must have an empty host: sqlite:///path (got {uri_or_path!r})")
        path = urllib.parse.unquote(parsed.path[1:])
        options = {key.lower(): value for key, value in urllib.parse.parse_qsl(parsed.query)}
    else:
        path = uri_or_path
    if not path:
        raise ValueError(f"no file path in {uri_or_path!r}")
    if path == ":memory:":
        return path, options
    return os.path.abspath(path), options


def _make_private_directories(directory: str) -> None:
    """Creates ``directory`` and its missing parents 0700 (``os.makedirs`` gives its mode to the
    last one only): the files will hold personal data."""
    missing: list[str] = []
    while directory and not os.path.isdir(directory):
        missing.append(directory)
        directory = os.path.dirname(directory)
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:  # another process made it meanwhile
            pass


class EmbeddedClient:
    """The pymongo ``MongoClient`` subset the stores use, on one SQLite file.

    ``EmbeddedClient("sqlite:////var/lib/acikkapi/intake.db?synchronous=full&busy_timeout=5&cache_mib=16")``
    (``cache_mib``: SQLite's page cache, what the process's memory grows to as the file grows);
    the file and its parent directories are created when missing.
    """

    def __init__(self, uri_or_path: "str | os.PathLike[str]", synchronous: str | None = None,
                 busy_timeout: float | None = None, tz_aware: bool = True,
                 **options: Any) -> None:
        unknown = set(options) - _IGNORED_OPTIONS
        if unknown:
            raise UnsupportedOperation(f"EmbeddedClient option {sorted(unknown)[0]}")
        if not tz_aware:
            raise UnsupportedOperation("tz_aware=False (datetimes always come back aware, in UTC)")
        path, uri_options = parse_location(os.fspath(uri_or_path))
        unknown = set(uri_options) - {"synchronous", "busy_timeout", "cache_mib"}
        if unknown:
            raise ConfigurationError(f"unknown sqlite URI option {sorted(unknown)[0]}")
        if path != ":memory:":
            _make_private_directories(os.path.dirname(path))
        self._path = path
        self._storage = Storage(
            path,
            synchronous=synchronous or uri_options.get("synchronous", "NORMAL"),
            busy_timeout=float(busy_timeout or uri_options.get("busy_timeout") or 10.0),
            cache_mib=float(uri_options.get("cache_mib", DEFAULT_CACHE_MIB)),
        )
        self._purger = LogPurger(self._storage)
        with self._storage.transaction(write=False):
            pass  # opens the file now, so a bad path fails at start-up, not at first use

    @property
    def path(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f"EmbeddedClient({self._path!r})"

    def __getitem__(self, name: str) -> Database:
        return Database(self, name)

    def __getattr__(self, name: str) -> Database:
        if name.startswith("_"):
            raise AttributeError(name)
        return Database(self, name)

    def get_database(self, name: str | None = None, codec_options: Any = None, read_preference: Any = None,
                     write_concern: Any = None,
                     read_concern: Any = None) -> Database:
        if name is None:
            raise ConfigurationError("No default database name defined or provided.")
        return Database(self, name)

    def get_default_database(self, default: str | None = None, **options: Any) -> Database:
        return self.get_database(default)

    @property
    def admin(self) -> Database:
        return Database(self, "admin")

    def list_database_names(self, session: Any = None, comment: Any = None) -> list[str]:
        with self._storage.transaction(write=False):
            return sorted({db for db, _ in self._storage.collections()})

    def drop_database(self, name_or_database: Database | str, session: Any = None, comment: Any = None) -> None:
        name = name_or_database.name if isinstance(name_or_database, Database) else name_or_database
        with self._storage.transaction(write=False):
            names = [coll for db, coll in self._storage.collections() if db == name]
        for coll in names:
            Database(self, name).drop_collection(coll)

    def server_info(self, session: Any = None) -> dict[str, Any]:
        return {"version": f"embedded-sqlite-{sqlite3.sqlite_version}", "ok": 1.0}

    def purge_erased(self, within: float = 60.0) -> bool:
        """Not in pymongo: after an erasure, no earlier version of what was deleted or overwritten
        stays in the files (purge.py); True if done now, else done in the background, normally
        within ``within`` seconds. MongoDB has no counterpart: there it is its operator's part."""
        return self._purger.purge(within)

    def start_session(self, **options: Any) -> NoReturn:
        raise UnsupportedOperation("sessions and multi-document transactions")

    def close(self) -> None:
        """Closes the file; a later operation opens it again (as pymongo reconnects)."""
        self._storage.close()

    def __enter__(self) -> "EmbeddedClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
