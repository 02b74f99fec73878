"""The blueprint serving the document (``/api/v1/openapi.json``) and its page (``/api/v1/docs``)."""
import json

from flask import Blueprint, Response, current_app

from gateway.openapi.docs_page import render_docs
from gateway.openapi.document import build_document

openapi = Blueprint("openapi", __name__)


def _document_text():
    """Built once per app, on first use (the url_map is complete by then)."""
    if "openapi_document" not in current_app.extensions:
        current_app.extensions["openapi_document"] = json.dumps(build_document(current_app), ensure_ascii=False)
    return current_app.extensions["openapi_document"]


@openapi.get("/api/v1/openapi.json")
def document():
    return Response(_document_text(), mimetype="application/json")


@openapi.get("/api/v1/docs")
def docs():
    page = render_docs(json.loads(_document_text()))
    response = Response(page, mimetype="text/html")
    # The page has its own style and nothing else (the API's default policy forbids even that).
    response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; "
                                                   "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    return response
