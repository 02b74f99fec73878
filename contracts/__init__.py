"""What the services and the gateway agree on, apart from how it travels.

- ``contracts/events.py``: the event catalogue (names, version, fields, producer, consumers) and
  ``new_event``, the one way to build a payload;
- ``contracts/<service>/rpc.py``: each service's RPC interface as the gateway sees it (TypedDicts);
- ``contracts/<service>/requests.py``: the field tables of request validation, which the service
  validates with and the gateway's OpenAPI document publishes, so the two cannot drift apart;
- the published codes those tables refer to (``intake/catalog.py``, ``routing/unit_types.py``).

Contracts are built with the plumbing of ``common`` (``common.fields``, ``common.places``) and
import nothing from ``services`` or ``gateway``; the gateway imports contracts, never a service.
The boundaries are in pyproject.toml ``[tool.importlinter]``, checked by
tests/unit/test_import_boundaries.py.
"""
