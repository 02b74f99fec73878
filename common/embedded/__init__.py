"""The embedded store: the part of pymongo's API the stores use, on SQLite (design.md §8).

``EmbeddedClient("sqlite:///path/to/service.db")`` stands where
``pymongo.MongoClient`` would: same calls, same results, same
``pymongo.errors``; anything outside the supported subset raises
``UnsupportedOperation`` (a ``NotImplementedError``) naming it.

Layout, one concept a module:
- ``client`` / ``database`` / ``collection`` / ``cursor``: the pymongo surface;
- ``storage``: the SQLite file, its transactions, locking and durability choices;
- ``codec``: documents to JSON and back (datetime, ObjectId, bytes);
- ``ordering``: MongoDB's comparison order and equality;
- ``paths``: dotted paths through sub-documents and arrays;
- ``matcher``: filters as Python predicates (the final word on what matches);
- ``planner``: which rows to read, through which index;
- ``indexes``: index specs and their keys (multikey, unique, sparse);
- ``update`` / ``projection``: update operators and projections.
"""
from common.embedded.client import EmbeddedClient
from common.embedded.collection import Collection
from common.embedded.cursor import Cursor
from common.embedded.database import Database
from common.embedded.errors import UnsupportedOperation

__all__ = ["EmbeddedClient", "Database", "Collection", "Cursor", "UnsupportedOperation"]
