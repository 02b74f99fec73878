"""Open311 answers in JSON or XML, as GeoReport v2 writes them.

The format is the resource's extension (``services.xml``, ``requests.json``). XML: UTF-8 with the
declaration; the root and item elements the specification names (``<services><service>``,
``<service_requests><request>``, ``<errors><error>``, ``<discovery>``, ``<service_definition>``);
a list inside an item is an element with one child per entry (``<attributes><attribute>``,
``<values><value>``, ``<endpoints><endpoint>``, ``<formats><format>``); null is an empty element,
booleans are ``true``/``false``; characters XML 1.0 cannot hold (controls, lone surrogates) as
``\\uXXXX`` text, so every answer is well-formed whatever a client sent to be echoed. Only our own
data is written here: nothing is parsed.
"""
import json
from xml.etree import ElementTree

from flask import Response

from common.fields import echoable

JSON, XML = "json", "xml"
FORMATS = (JSON, XML)
MEDIA_TYPES = {JSON: "application/json", XML: "text/xml"}

# A list's element → the element of each of its entries.
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def format_of_path(path):
    """The format an answer to ``path`` is written in: XML for ``….xml``, else JSON."""
    return XML if path.endswith("." + XML) else JSON


def render(value, root, fmt, status=200):
    """``value`` (a list for ``root`` services, service_requests and errors; else a dict) as a
    response in ``fmt``."""
    if fmt == XML:
        body = to_xml(value, root)
    else:
        # A lone surrogate (none should get this far) becomes its JSON escape, not invalid UTF-8.
        body = json.dumps(value, ensure_ascii=False).encode("utf-8", "backslashreplace")
    return Response(body, status=status, mimetype=MEDIA_TYPES[fmt], content_type=MEDIA_TYPES[fmt] + "; charset=utf-8")


XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def to_xml(value, root):
    element = ElementTree.Element(root)
    _fill(element, value)
    return (XML_DECLARATION + ElementTree.tostring(element, encoding="unicode")).encode("utf-8")


def _fill(element, value):
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ElementTree.SubElement(element, key), child)
    elif isinstance(value, (list, tuple)):
        item = LIST_ITEMS[element.tag]
        for child in value:
            _fill(ElementTree.SubElement(element, item), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = echoable(str(value))  # ElementTree escapes <&> but writes controls as they are


def errors(status, descriptions):
    """The specification's error list: ``[{"code": status, "description": …}]``."""
    return [{"code": status, "description": description} for description in descriptions]


def error_response(status, descriptions, path):
    return render(errors(status, descriptions), "errors", format_of_path(path), status)
