"""mongomock 4.3.0 predates pymongo's ``sort`` on ``UpdateOne`` (pymongo 4.11): pymongo now passes
``sort=`` to every bulk builder, and mongomock's refuses the keyword, so no ``bulk_write`` with an
update ran on it. ``install()`` lets it take ``sort=None``; a sort given is refused, as mongomock
cannot apply one. Installed by tests/conftest.py for every tier."""
import mongomock.collection

_builder = mongomock.collection.BulkOperationBuilder
_add_update = _builder.add_update


def _add_update_taking_sort(self, selector, doc, multi=False, upsert=False, sort=None, **options):
    if sort is not None:
        raise NotImplementedError("mongomock: UpdateOne(sort=...) in bulk_write")
    return _add_update(self, selector, doc, multi, upsert, **options)


def install():
    if _builder.add_update is _add_update:
        _builder.add_update = _add_update_taking_sort
