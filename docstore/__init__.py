"""docstore: the part of pymongo's API the stores use, on SQLite (README.md beside this file).

``EmbeddedClient("sqlite:///path/to/service.db")`` stands where
``pymongo.MongoClient`` would: same calls, same results, same
``pymongo.errors``; anything outside the supported subset raises
``UnsupportedOperation`` (a ``NotImplementedError``) naming it.

This module is the public API: import from ``docstore``, never from its
modules, which may change. It imports nothing from the code that uses it.

Layout, one concept a module:
- ``client`` / ``database`` / ``collection`` / ``cursor``: the pymongo surface;
- ``storage``: the SQLite file, its transactions, locking and durability choices;
- ``purge``: erased documents leaving the write-ahead log too;
- ``codec``: documents to JSON and back (datetime, ObjectId, bytes);
- ``ordering``: MongoDB's comparison order and equality;
- ``paths``: dotted paths through sub-documents and arrays;
- ``matcher``: filters as Python predicates (the final word on what matches);
- ``planner``: which rows to read, through which index;
- ``indexes``: index specs and their keys (multikey, unique, sparse);
- ``grouping``: the one aggregation shape, ``[$match?, $group]``;
- ``update`` / ``projection``: update operators, upserts and projections.
"""
from docstore.client import EmbeddedClient
from docstore.codec import normalise
from docstore.collection import Collection
from docstore.cursor import Cursor
from docstore.database import Database
from docstore.errors import UnsupportedOperation
from docstore.matcher import compile_filter
from docstore.ordering import parse_sort, sort_documents
from docstore.projection import compile_projection
from docstore.update import Update, upsert_seed

__all__ = [
    # the pymongo surface
    "EmbeddedClient", "Database", "Collection", "Cursor", "UnsupportedOperation",
    # MongoDB's document semantics as the engine applies them, for code that must hold documents
    # in memory exactly as a store would (bench/preload.py stages whole applications so):
    # what a stored document becomes, which documents a filter matches, how a sort orders them,
    # what a projection returns, what an update or an upsert makes of them
    "normalise", "compile_filter", "parse_sort", "sort_documents", "compile_projection", "Update",
    "upsert_seed",
]
