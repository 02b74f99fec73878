"""The OpenAPI 3.1 document of the whole HTTP API (``/api/v1/openapi.json``) and a docs page for
people (``/api/v1/docs``), built from what the gateway actually runs (docs/api.md#openapi):

- paths and methods: the Flask url_map (a route with no entry in ``OPERATIONS`` below still
  appears, marked ``x-undocumented``; a unit test refuses that);
- who may call: each staff view's ``allowed_roles`` (``gateway.auth.staff_only``) → bearer
  security, ``x-roles``, 401 and 403;
- request bodies and query parameters: the very field tables the services validate with
  (``common.fields.body_schema`` of ``contracts/<service>/requests.py`` and
  ``gateway/auth.py``) — never a copy;
- responses: the TypedDicts of ``contracts/<service>/rpc.py`` (``typed_dict_schema``); errors: the one
  table of ``gateway/errors.py``, one shape ``{"error": {"code", "message", "fields"?}}``;
- Open311 (``/open311/v2/``): answers in JSON and XML from ``gateway/open311/mapping.py``'s
  TypedDicts, errors in the specification's shape (``Open311Error…`` responses, the same table).

The schemas state the canonical form of each field; the services also accept spelling variants
(surrounding blanks, upper-case codes, a province by name or plate code) and check what a schema
cannot say (a national ID's check digits, the mobile number plan, a district of the province).
Importing the declarations pulls no nameko service, store or broker connection.

The package, one job a module: ``type_schemas`` (TypedDict → JSON Schema), ``composed_answers``
(the answers the gateway composes itself), ``operations`` (what the url_map cannot tell about a
route), ``error_responses`` (the error table as responses), ``document`` (the document itself),
``docs_page`` (the page for people) and ``routes`` (the blueprint serving both).
"""
from gateway.openapi.document import UNDOCUMENTED, build_document, is_api_rule, openapi_path, view_attribute
from gateway.openapi.operations import OPERATIONS, W3C_TIME
from gateway.openapi.routes import openapi
from gateway.openapi.type_schemas import typed_dict_schema

__all__ = ["OPERATIONS", "UNDOCUMENTED", "W3C_TIME", "build_document", "is_api_rule", "openapi", "openapi_path",
           "typed_dict_schema", "view_attribute"]
