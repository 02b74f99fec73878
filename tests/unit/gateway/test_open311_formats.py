"""Open311 answers in JSON and XML (gateway/open311/formats.py): the specification's elements."""
import json

from defusedxml import ElementTree
from flask import Flask

from gateway.open311 import formats


def test_a_list_becomes_the_root_with_one_item_element_each_and_nested_lists_their_own():
    definition = {"service_code": "health", "attributes": [
        {"code": "kind", "required": True, "datatype_description": None, "order": 1,
         "values": [{"key": "request", "name": "Talep / Request"}, {"key": "complaint", "name": "Şikâyet"}]}]}

    text = formats.to_xml(definition, "service_definition")

    assert text.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<service_definition>')
    root = ElementTree.fromstring(text)
    [attribute] = root.find("attributes")
    assert attribute.tag == "attribute"
    assert attribute.find("required").text == "true"
    assert attribute.find("datatype_description").text is None  # null: an empty element
    assert attribute.find("order").text == "1"
    assert [value.find("name").text for value in attribute.find("values")] == ["Talep / Request", "Şikâyet"]
    assert all(value.tag == "value" for value in attribute.find("values"))


def test_roots_and_items_of_each_resource():
    for root, item in (("services", "service"), ("service_requests", "request"), ("errors", "error")):
        document = ElementTree.fromstring(formats.to_xml([{"a": 1}, {"a": 2}], root))
        assert document.tag == root and [child.tag for child in document] == [item, item]
    discovery = ElementTree.fromstring(formats.to_xml(
        {"endpoints": [{"formats": ["application/json", "text/xml"]}]}, "discovery"))
    assert [element.text for element in discovery.find("endpoints/endpoint/formats")] == [
        "application/json", "text/xml"]
    assert [element.tag for element in discovery.find("endpoints/endpoint/formats")] == ["format", "format"]


def test_text_is_escaped_and_utf8():
    text = formats.to_xml([{"description": "a < b & \"c\" — Şanlıurfa"}], "errors")

    assert ElementTree.fromstring(text).find("error/description").text == "a < b & \"c\" — Şanlıurfa"
    assert "Şanlıurfa".encode() in text


def test_render_sets_the_media_type_and_status_by_format():
    with Flask(__name__).app_context():
        as_json = formats.render([{"code": 400, "description": "x"}], "errors", "json", 400)
        as_xml = formats.render([{"code": 400, "description": "x"}], "errors", "xml", 400)

    assert as_json.status_code == as_xml.status_code == 400
    assert as_json.headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(as_json.get_data()) == [{"code": 400, "description": "x"}]
    assert as_xml.headers["Content-Type"] == "text/xml; charset=utf-8"


def test_the_format_of_an_error_is_the_paths_extension():
    assert formats.format_of_path("/open311/v2/requests.xml") == "xml"
    assert formats.format_of_path("/open311/v2/requests.json") == "json"
    assert formats.format_of_path("/open311/v2/requests") == "json"
    assert formats.errors(403, ["a", "b"]) == [{"code": 403, "description": "a"}, {"code": 403, "description": "b"}]
