"""The web clients (issue 11, issue 19): the citizen portal and the staff console, Jinja pages and
ES modules from the top-level ``web/`` folder (docs/web.md). The pages talk only to the public
``/api/v1`` with ``fetch``; nothing here calls a service.

Not part of the API document (gateway/openapi/document.py ``NOT_API_BLUEPRINTS``): pages for people, not
operations for programs. Every page and file gets ``security.PAGE_CONTENT_SECURITY_POLICY``
(scripts, styles and fetches from this origin only; nothing inline) instead of the API's
``default-src 'none'``.
"""
from flask import Blueprint, Response, current_app, request

from gateway.web.assets import WEB_ROOT, Assets, served_files
from gateway.web.pages import Renderer
from gateway.web.site import SiteSettings

__all__ = ["PAGES", "PORTAL_PAGES", "WEB_ROOT", "install", "web"]

web = Blueprint("web", __name__)

# clean URL → page template; Turkish first (the portal at the root, the console under /konsol)
PORTAL_PAGES = {
    "/": "portal/apply.html",
    "/takip": "portal/track.html",
    "/yardim": "portal/help.html",
    "/kvkk": "portal/privacy.html",
    "/dogrula": "portal/verify.html",
}
PAGES = {
    **PORTAL_PAGES,
    "/konsol": "console/login.html",
    "/konsol/masa": "console/desk.html",
    "/konsol/kuyruk": "console/queue.html",
    "/konsol/basvuru": "console/record.html",
    "/konsol/istatistik": "console/stats.html",
    "/konsol/olay": "console/incident.html",
    "/konsol/yonetim/kullanicilar": "console/admin/users.html",
    "/konsol/yonetim/birimler": "console/admin/units.html",
    "/konsol/yonetim/open311": "console/admin/open311.html",
    "/konsol/yonetim/sms": "console/admin/sms.html",
    "/konsol/yonetim/kvkk": "console/admin/kvkk.html",
}
# What the installed app keeps for a bad connection (docs/web.md#installable-app): its pages' shell
# and files; the console and the API are never cached.
PRECACHED_FOLDERS = ("common", "portal", "icons")
ROBOTS = "User-agent: *\nAllow: /\nDisallow: /konsol\nDisallow: /api/\n"


def install(app, site: SiteSettings):
    assets = Assets()
    pages = Renderer(site, assets)
    app.extensions["web_assets"] = assets
    app.extensions["web_pages"] = pages
    app.extensions["web_precache"] = precache(assets, pages)
    app.register_blueprint(web)


def precache(assets: Assets, pages: Renderer):
    """What the service worker keeps when it installs: the portal's pages that exist, its files
    under their fingerprinted names, the manifest. One URL that fails fails the worker's install."""
    urls = [path for path, template in PORTAL_PAGES.items() if pages.exists(template)]
    urls += [assets.url(name) for folder in PRECACHED_FOLDERS for name in served_files(folder)]
    return urls + ["/manifest.webmanifest"]


def _assets() -> Assets:
    return current_app.extensions["web_assets"]


def _pages() -> Renderer:
    return current_app.extensions["web_pages"]


def page():
    return _pages().respond(PAGES[request.url_rule.rule], "text/html")


for _path in PAGES:
    web.add_url_rule(_path, "page", page, methods=["GET"])


@web.get("/web/v/<version>/<path:filename>")
def versioned_file(version, filename):
    return _assets().send(filename, version)


@web.get("/web/<path:filename>")
def asset(filename):
    return _assets().send(filename)


@web.get("/sw.js")
def service_worker():
    return _pages().respond("portal/sw.js", "text/javascript", version=_assets().version,
                            precache=current_app.extensions["web_precache"])


@web.get("/manifest.webmanifest")
def manifest():
    return _pages().respond("portal/manifest.webmanifest", "application/manifest+json")


@web.get("/robots.txt")
def robots():
    response = Response(ROBOTS, mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
