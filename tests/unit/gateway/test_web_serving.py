"""How the web clients are served (gateway/web/, gateway/compression.py; docs/web.md): the site's
identity from the settings, fingerprinted files cached for a year, pages revalidated by ETag,
brotli and gzip above a minimum size, the installable app's manifest and service worker,
robots.txt, and a privacy notice version that refuses to start when malformed."""
import gzip
import json
import re

import brotli
import pytest

from gateway import compression, security, web
from gateway.security import SecuritySettings
from gateway.settings import Settings
from gateway.web.assets import FILE_TYPES, tree_hash
from gateway.web.site import SiteSettings
from tests.unit.gateway.test_gateway import build_app, rpc  # noqa: F401  (rpc: the citizen routes' answers)

YEAR = "public, max-age=31536000, immutable"
ASSET = re.compile(r'(?:src|href)="(/web/v/(\w+)/([^"]+))"')
LARGE_SCRIPT = "common/i18n.js"


def client_for(rpc, site=None):  # noqa: F811
    return build_app(rpc, None, site=site or SiteSettings()).test_client()


@pytest.fixture
def client(rpc):  # noqa: F811
    return client_for(rpc)


def page_text(client, path="/konsol"):
    return client.get(path).get_data(as_text=True)


# --- the site's identity ---------------------------------------------------------------------

def test_the_footer_shows_the_configured_organisation_escaped(rpc):  # noqa: F811
    site = SiteSettings(name="Ankara <Valiliği>", unit_name="Açık Kapı Bürosu", address="Kızılay, Ankara",
                        phone="0312 123 45 67", email="acikkapi@ankara.gov.tr", kep="ankaravaliligi@hs01.kep.tr",
                        website="https://www.ankara.gov.tr/", privacy_notice_version="2027-01")
    text = page_text(client_for(rpc, site))
    footer = text[text.index('<footer class="site">'):]

    assert "Ankara &lt;Valiliği&gt;" in footer and "<Valiliği>" not in text
    assert 'data-organisation="Ankara &lt;Valiliği&gt;"' in text  # the header's brand (layout.js)
    assert "Açık Kapı Bürosu" in footer and "Kızılay, Ankara" in footer
    assert '<a href="tel:03121234567">0312 123 45 67</a>' in footer
    assert '<a href="mailto:acikkapi@ankara.gov.tr">acikkapi@ankara.gov.tr</a>' in footer
    assert "ankaravaliligi@hs01.kep.tr" in footer
    assert '<a href="https://www.ankara.gov.tr/">www.ankara.gov.tr</a>' in footer
    assert '<a href="/yardim"' in footer and '<a href="/kvkk"' in footer
    assert '<meta name="privacy-notice-version" content="2027-01">' in text


def test_unset_contact_details_are_left_out(client):
    footer = page_text(client).split('<footer class="site">')[1]

    assert "Valilik Açık Kapı Bürosu" in footer and "tel:" not in footer and "mailto:" not in footer
    assert "footer_kep" not in footer and "www.acikkapi.gov.tr" in footer


@pytest.mark.parametrize("variable, value", [("PRIVACY_NOTICE_VERSION", "2026 12"),
                                             ("PRIVACY_NOTICE_VERSION", "x" * 33),
                                             ("PRIVACY_NOTICE_VERSION", "<script>"),
                                             ("ORGANISATION_WEBSITE", "javascript:alert(1)"),
                                             ("ORGANISATION_EMAIL", "not an address")])
def test_a_bad_setting_refuses_to_start(monkeypatch, variable, value):
    """The gateway reads its settings before anything else (create_app, under gunicorn): the
    error stops it, naming the variable."""
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValueError, match=variable):
        Settings.from_environment()


def test_the_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ORGANISATION_NAME", "Konya Valiliği")
    monkeypatch.setenv("ORGANISATION_KEP", "konyavaliligi@hs01.kep.tr")
    monkeypatch.setenv("PRIVACY_NOTICE_VERSION", "2027.1_b-2")
    monkeypatch.setenv("ORGANISATION_WEBSITE", "")  # empty is unset: the default

    site = SiteSettings.from_environment()

    assert (site.name, site.kep, site.privacy_notice_version) == ("Konya Valiliği", "konyavaliligi@hs01.kep.tr",
                                                                  "2027.1_b-2")
    assert site.website == "https://www.acikkapi.gov.tr" and site.phone == ""


# --- fingerprinted files ---------------------------------------------------------------------

def test_pages_name_their_files_by_the_tree_hash_and_those_are_cached_a_year(client):
    references = ASSET.findall(page_text(client, "/konsol/yonetim/birimler"))

    assert {version for _, version, _ in references} == {tree_hash()}
    assert {"common/style.css", "console/admin/admin.css", "console/admin/units.js", "icons/favicon.svg",
            "icons/favicon-32.png", "icons/apple-touch-icon.png"} <= {path for _, _, path in references}
    for url, _, path in references:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == YEAR
        assert response.mimetype == FILE_TYPES["." + path.rsplit(".", 1)[1]]
        assert response.headers["Content-Security-Policy"] == security.PAGE_CONTENT_SECURITY_POLICY
        assert response.data == (web.WEB_ROOT / path).read_bytes()


def test_relative_imports_resolve_under_the_same_version(client):
    """layout.js imports ./api.js: the browser asks for it under the page's prefix."""
    version = tree_hash()

    response = client.get("/web/v/{}/common/api.js".format(version))

    assert response.status_code == 200 and response.headers["Cache-Control"] == YEAR


@pytest.mark.parametrize("path", ["/web/v/0123456789abcdef/common/style.css", "/web/common/style.css"])
def test_an_old_or_no_hash_gets_the_current_file_revalidated(client, path):
    response = client.get(path)

    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    assert response.data == (web.WEB_ROOT / "common" / "style.css").read_bytes()


@pytest.mark.parametrize("path", ["/web/v/{v}/portal/sw.js", "/web/v/{v}/portal/manifest.webmanifest",
                                  "/web/v/{v}/common/page.html", "/web/v/{v}/icons/render.py",
                                  "/web/v/{v}/../gateway/app.py", "/web/v/{v}/portal/../portal/sw.js",
                                  "/web/portal/sw.js", "/web/v/{v}/nothing.js"])
def test_templates_and_other_files_are_not_served(client, path):
    assert client.get(path.format(v=tree_hash())).status_code == 404


def test_files_answer_304_to_their_etag(client):
    first = client.get("/web/common/api.js")

    again = client.get("/web/common/api.js", headers={"If-None-Match": first.headers["ETag"]})

    assert first.headers["ETag"] and again.status_code == 304 and again.data == b""


# --- pages revalidated -----------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["", "br", "gzip"])
def test_pages_carry_an_etag_and_answer_304_to_it(client, encoding):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    first = client.get("/konsol/basvuru", headers=headers)

    again = client.get("/konsol/basvuru", headers={**headers, "If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Content-Security-Policy"] == security.PAGE_CONTENT_SECURITY_POLICY


def test_a_changed_page_is_sent_again(client):
    response = client.get("/konsol/basvuru", headers={"If-None-Match": '"an-older-version"'})

    assert response.status_code == 200 and b"record-heading" in response.data


# --- compression -----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, decompress", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_a_large_script_is_compressed_as_the_client_asks(client, encoding, decompress):
    original = (web.WEB_ROOT / LARGE_SCRIPT).read_bytes()

    response = client.get("/web/v/{}/{}".format(tree_hash(), LARGE_SCRIPT),
                          headers={"Accept-Encoding": "gzip, deflate, br" if encoding == "br" else "gzip"})

    assert len(original) > 4 * compression.MIN_SIZE
    assert response.headers["Content-Encoding"] == encoding and "Accept-Encoding" in response.headers["Vary"]
    assert decompress(response.data) == original and len(response.data) < len(original) / 2
    assert response.headers["Cache-Control"] == YEAR and int(response.headers["Content-Length"]) == len(response.data)


def test_pages_and_api_json_are_compressed_too(client):
    page = client.get("/konsol/basvuru", headers={"Accept-Encoding": "br"})

    assert page.headers["Content-Encoding"] == "br" and b"record-heading" in brotli.decompress(page.data)


def test_a_web_file_is_compressed_once_and_a_page_every_time(client):
    address = "/web/v/{}/{}".format(tree_hash(), LARGE_SCRIPT)
    compressed = client.application.extensions["compression"].cache

    first = client.get(address, headers={"Accept-Encoding": "br"})
    client.get("/konsol/basvuru", headers={"Accept-Encoding": "br"})

    assert compressed.get("br;" + address) == first.data
    assert compressed.get("br;") is None and compressed.get("br;/konsol/basvuru") is None
    assert client.get(address, headers={"Accept-Encoding": "br"}).data == first.data


def test_small_answers_are_not_compressed(client):
    svg = (web.WEB_ROOT / "icons" / "favicon.svg").read_bytes()

    response = client.get("/web/icons/favicon.svg", headers={"Accept-Encoding": "gzip, br"})

    assert len(svg) < compression.MIN_SIZE
    assert "Content-Encoding" not in response.headers and response.data == svg


def test_no_compression_without_accept_encoding_or_for_plain_text(client):
    assert "Content-Encoding" not in client.get("/web/common/i18n.js").headers
    assert "Content-Encoding" not in client.get("/metrics", headers={"Accept-Encoding": "gzip, br"}).headers
    assert "Content-Encoding" not in client.get("/robots.txt", headers={"Accept-Encoding": "gzip, br"}).headers


def test_health_answers_with_compression_asked(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip, br"})

    assert response.status_code == 200 and response.is_json


# --- the installable app ---------------------------------------------------------------------

def test_the_manifest_describes_the_app_and_its_icons_exist(client):
    response = client.get("/manifest.webmanifest")
    manifest = json.loads(response.data)

    assert response.mimetype == "application/manifest+json" and response.headers["Cache-Control"] == "no-cache"
    assert response.headers["ETag"]
    assert manifest["name"] == "Açık Kapı" and manifest["short_name"] and manifest["lang"] == "tr"
    assert manifest["start_url"] == "/?kaynak=uygulama" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["theme_color"] and manifest["background_color"]
    assert manifest["description"]
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        answer = client.get(icon["src"])
        assert answer.status_code == 200 and answer.mimetype == icon["type"], icon["src"]
        if icon["type"] == "image/png":
            width, height = int.from_bytes(answer.data[16:20], "big"), int.from_bytes(answer.data[20:24], "big")
            assert "{}x{}".format(width, height) == icon["sizes"]


def test_the_pages_policy_lets_the_manifest_and_the_worker_load(client):
    policy = client.get("/").headers["Content-Security-Policy"]

    assert "manifest-src 'self'" in policy and "worker-src 'self'" in policy


def test_the_service_worker_knows_its_version_and_what_to_keep(client):
    response = client.get("/sw.js")
    text = response.get_data(as_text=True)
    precache = json.loads(re.search(r"(\[\s*\"/\".*?\])", text, re.S).group(1))

    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache" and response.headers["ETag"]
    assert json.dumps(tree_hash()) in text and "{{" not in text
    assert {"/", "/takip", "/manifest.webmanifest"} <= set(precache)
    assert "/web/v/{}/common/style.css".format(tree_hash()) in precache
    assert not [url for url in precache if "/console/" in url or url.startswith("/konsol")]
    for url in precache:  # one that fails makes the worker's install fail
        assert client.get(url).status_code == 200, url


def test_robots_keep_crawlers_to_the_portal(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines and "Disallow: /konsol" in lines and "Disallow: /api/" in lines


def test_pages_preload_every_module_their_script_imports(client):
    """No waterfall of imports on a slow connection: the record page names the modules that
    console/record.js imports, and the ones those import, for the browser to fetch at once."""
    text = page_text(client, "/konsol/basvuru")
    preloaded = re.findall(r'<link rel="modulepreload" href="/web/v/\w+/([^"]+)">', text)

    assert {"common/api.js", "common/layout.js", "common/i18n.js", "common/forms.js"} <= set(preloaded)
    assert "console/record.js" not in preloaded and len(preloaded) == len(set(preloaded))
    for module in preloaded:
        assert re.search(r"""from\s*["'][\w./]*/{}["']""".format(re.escape(module.rsplit("/", 1)[1])),
                         "".join((web.WEB_ROOT / name).read_text() for name in ["console/record.js", *preloaded]))


def test_a_range_of_a_file_is_sent_as_it_is_never_compressed(client):
    original = (web.WEB_ROOT / LARGE_SCRIPT).read_bytes()

    response = client.get("/web/" + LARGE_SCRIPT, headers={"Range": "bytes=0-99", "Accept-Encoding": "br"})

    assert response.status_code == 206 and response.data == original[:100]
    assert "Content-Encoding" not in response.headers
    assert response.headers["Content-Range"] == "bytes 0-99/{}".format(len(original))


def test_cors_and_compression_both_vary(rpc):  # noqa: F811
    origins = ("https://acikkapi.gov.tr", "https://m.acikkapi.gov.tr")  # one answer per origin: Vary: Origin
    client = build_app(rpc, None, security=SecuritySettings(cors_origins=origins)).test_client()
    response = client.get("/api/v1/catalog", headers={"Origin": "https://acikkapi.gov.tr"})

    assert {"Origin", "Accept-Encoding"} <= {value.strip() for value in response.headers["Vary"].split(",")}
