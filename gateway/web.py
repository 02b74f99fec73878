"""The web clients (issue 11): the citizen portal and the staff console, plain HTML, CSS and ES
modules from the top-level ``web/`` folder. The pages talk only to the public ``/api/v1`` with
``fetch``; nothing here calls a service.

Not part of the API document (gateway/openapi/document.py ``NOT_API_BLUEPRINTS``): pages for people, not
operations for programs. Every page and file gets ``security.PAGE_CONTENT_SECURITY_POLICY``
(scripts, styles and fetches from this origin only; nothing inline) instead of the API's
``default-src 'none'``.
"""
from pathlib import Path

from flask import Blueprint, abort, request, send_from_directory

from gateway.security import PAGE_CONTENT_SECURITY_POLICY

web = Blueprint("web", __name__)

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}

# clean URL → page file; Turkish first (the portal at the root, the console under /konsol)
PAGES = {
    "/": "portal/apply.html",
    "/takip": "portal/track.html",
    "/konsol": "console/login.html",
    "/konsol/masa": "console/desk.html",
    "/konsol/kuyruk": "console/queue.html",
    "/konsol/basvuru": "console/record.html",
    "/konsol/istatistik": "console/stats.html",
    "/konsol/yonetim/kullanicilar": "console/admin/users.html",
    "/konsol/yonetim/birimler": "console/admin/units.html",
    "/konsol/yonetim/open311": "console/admin/open311.html",
    "/konsol/yonetim/sms": "console/admin/sms.html",
    "/konsol/yonetim/kvkk": "console/admin/kvkk.html",
}


def page():
    return _send(PAGES[request.url_rule.rule], "text/html")


for _path in PAGES:
    web.add_url_rule(_path, "page", page, methods=["GET"])


@web.get("/web/<path:filename>")
def asset(filename):
    mimetype = ASSET_TYPES.get(Path(filename).suffix)
    if mimetype is None:
        abort(404)
    return _send(filename, mimetype)


def _send(filename, mimetype):
    response = send_from_directory(WEB_ROOT, filename, mimetype=mimetype, max_age=0)
    response.headers["Content-Security-Policy"] = PAGE_CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-cache"  # revalidated (ETag), never stale after a deploy
    return response
