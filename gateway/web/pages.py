"""The pages, the service worker and the manifest: Jinja templates under web/ (docs/web.md#templates),
rendered once per process (they depend only on the files and the settings, which do not change
under a running gateway) and answered with an ETag, revalidated on every use.

HTML templates are autoescaped; the service worker and the manifest are not HTML, so their
templates write values with ``tojson``. Undefined variables are errors: a misspelt name fails the
page's test instead of rendering as an empty string.
"""
import hashlib
from functools import partial
from pathlib import Path
from threading import Lock

from flask import Response, abort, request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from gateway.security import PAGE_CONTENT_SECURITY_POLICY
from gateway.web.assets import REVALIDATE, WEB_ROOT, Assets
from gateway.web.modules import imports_of
from gateway.web.site import SiteSettings, telephone_uri


class Renderer:
    def __init__(self, site: SiteSettings, assets: Assets, root: Path = WEB_ROOT) -> None:
        self.environment = Environment(loader=FileSystemLoader(str(root)), undefined=StrictUndefined,
                                       autoescape=select_autoescape(["html"], default_for_string=False))
        self.environment.globals.update(asset=assets.url, site=site.for_templates(),
                                        privacy_notice_version=site.privacy_notice_version)
        self.environment.globals["module_imports"] = partial(imports_of, root)
        self.environment.filters["telephone_uri"] = telephone_uri
        self.root = root
        self._rendered: dict[tuple, tuple[str, str]] = {}
        self._lock = Lock()

    def exists(self, template):
        return (self.root / template).is_file()

    def render(self, template, **variables):
        """The template's text and its ETag, made on first use."""
        key = (template, tuple(sorted((name, repr(value)) for name, value in variables.items())))
        with self._lock:
            if key not in self._rendered:
                text = self.environment.get_template(template).render(**variables)
                self._rendered[key] = (text, hashlib.sha256(text.encode("utf-8")).hexdigest()[:24])
            return self._rendered[key]

    def respond(self, template, mimetype, **variables):
        """The rendered template, revalidated (ETag; 304 to a matching If-None-Match)."""
        if not self.exists(template):
            abort(404)  # a page not written yet; a template it extends or includes missing is a bug (500)
        text, etag = self.render(template, **variables)
        response = Response(text, mimetype=mimetype)
        response.set_etag(etag)
        response.headers["Cache-Control"] = REVALIDATE
        response.headers["Content-Security-Policy"] = PAGE_CONTENT_SECURITY_POLICY
        return response.make_conditional(request, accept_ranges=True, complete_length=len(response.get_data()))
