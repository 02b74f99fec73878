"""The web clients' pages and files (gateway/web/, web/): Jinja templates extending
web/common/page.html, served at their clean URLs with the pages' Content-Security-Policy, no
inline script or style anywhere, the API's strict policy kept, and every page's script and
stylesheet present. How they are served (fingerprints, caching, compression, the app's files):
test_web_serving.py."""
import re

import pytest

from gateway import security, web
from tests.unit.gateway.test_gateway import rpc  # noqa: F401  (the citizen routes' answers)
from tests.unit.gateway.test_gateway_security_headers import client_with

PAGE_FILES = sorted(web.WEB_ROOT.rglob("*.html"))
BASE = "common/page.html"
# what a template names under web/: asset('…'), {% set script = "…" %}, or an old /web/… address
REFERENCE = re.compile(r"asset\(\s*[\"']([^\"']+)[\"']\s*\)" r'|set script = "([^"]+)"' r'|(?:src|href)="/web/([^"]+)"')


@pytest.fixture
def client(rpc):  # noqa: F811
    return client_with(rpc)


@pytest.mark.parametrize("path", sorted(web.PAGES))
def test_every_page_is_html_with_the_pages_policy(client, path):
    response = client.get(path)

    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == security.PAGE_CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert b'<html lang="tr">' in response.data


@pytest.mark.parametrize("path", sorted(web.PAGES))
def test_every_page_extends_the_base_template_and_says_what_it_is(client, path):
    template = (web.WEB_ROOT / web.PAGES[path]).read_text()
    page = client.get(path).get_data(as_text=True)

    assert template.startswith('{% extends "' + BASE + '" %}')
    assert re.search(r'{% set area = "(portal|console)" %}', template)
    assert re.search(r"<title[^>]*>[^<]{3,}</title>", page)
    assert re.search(r'<meta name="description" content="[^"]{20,}">', page), "a meta description"
    assert '<main id="main" tabindex="-1"' in page and '<footer class="site">' in page
    assert re.search(r'<script type="module" src="/web/v/\w+/[\w/.-]+\.js"></script>', page)
    assert ('<link rel="manifest"' in page) == (path in web.PORTAL_PAGES)  # the app is the portal


def test_the_pages_policy_allows_this_origin_only_and_nothing_inline():
    policy = security.PAGE_CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy and "http" not in policy
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy


def test_the_api_keeps_its_own_strict_policy(client):
    response = client.get("/api/v1/catalog")

    assert response.headers["Content-Security-Policy"] == security.CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path, mimetype", [("/web/common/api.js", "text/javascript"),
                                            ("/web/common/style.css", "text/css")])
def test_files_with_their_types(client, path, mimetype):
    response = client.get(path)

    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Content-Security-Policy"] == security.PAGE_CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", ["/web/portal/apply.html", "/web/../gateway/app.py", "/web/nothing.js",
                                  "/web/%2e%2e/pyproject.toml"])
def test_nothing_else_is_served(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("page", PAGE_FILES, ids=lambda page: str(page.relative_to(web.WEB_ROOT)))
def test_pages_have_no_inline_script_or_style_and_their_files_exist(page):
    text = page.read_text()

    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline script"
    assert "<style" not in text and " style=" not in text and " on" + "click=" not in text
    for groups in REFERENCE.findall(text):
        reference = next(group for group in groups if group)
        assert (web.WEB_ROOT / reference).is_file(), reference


def test_scripts_have_no_inline_styles_or_eval():
    for script in web.WEB_ROOT.rglob("*.js"):
        text = script.read_text()
        assert "eval(" not in text and "innerHTML" not in text and "new Function" not in text, script.name


def test_the_admin_units_page_offers_every_unit_type_by_name():
    """web/console/admin/units.js lists the unit types of contracts/routing/unit_types.py (the
    browser has no API for them), each with its Turkish and English name in strings.js."""
    from contracts.routing.unit_types import UNIT_TYPE_CODES

    script = (web.WEB_ROOT / "console" / "admin" / "units.js").read_text()
    strings = (web.WEB_ROOT / "console" / "admin" / "strings.js").read_text()
    listed = re.search(r"const UNIT_TYPES = \[(.*?)\];", script, re.S)

    assert listed and set(re.findall(r'"(\w+)"', listed.group(1))) == UNIT_TYPE_CODES
    for code in UNIT_TYPE_CODES:
        assert re.search(r"adm_type_{}: \[\"[^\"]+\", \"[^\"]+\"\]".format(code), strings), code


IMPORT = re.compile(r"import\s*\{([^}]*)\}\s*from\s*\"([^\"]+)\"", re.S)
EXPORT = re.compile(r"export\s+(?:async\s+)?(?:function|const|class|let)\s+(\w+)|export\s*\{([^}]*)\}")


def _exports(module):
    names = set()
    for declared, listed in EXPORT.findall(module.read_text()):
        if declared:
            names.add(declared)
        else:
            names.update(name.split(" as ")[-1].strip() for name in listed.split(","))
    return names - {""}


@pytest.mark.parametrize("script", sorted(web.WEB_ROOT.rglob("*.js")),
                         ids=lambda script: str(script.relative_to(web.WEB_ROOT)))
def test_every_import_names_a_module_that_exports_it(script):
    """No build step catches a misspelt import or a renamed export: the browser would refuse the
    whole page (the modules are shared by the portal, the console and the admin screens)."""
    for names, source in IMPORT.findall(script.read_text()):
        module = (script.parent / source).resolve()
        assert module.is_file(), "{} imports {}".format(script.name, source)
        missing = {name.split(" as ")[0].strip() for name in names.split(",") if name.strip()} - _exports(module)
        assert not missing, "{} imports {} from {}, which does not export it".format(script.name, missing, source)
