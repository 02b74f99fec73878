"""The web clients' files (docs/web.md#files): ``/web/v/<tree hash>/<path>``, fingerprinted by a
hash of the whole ``web/`` tree and cached for a year, and the old unversioned ``/web/<path>``,
revalidated every time.

One hash for the whole tree rather than one per file: the ES modules import each other by
relative paths (``./api.js``), which resolve under the same prefix, so a page and every module it
pulls in come from one consistent version without rewriting any import. The files do not change
under a running gateway (a deploy starts new processes), so the hash is computed once.
"""
import hashlib
from pathlib import Path
from threading import Lock

from flask import Response, abort, request
from werkzeug.security import safe_join

from gateway.security import PAGE_CONTENT_SECURITY_POLICY

WEB_ROOT = Path(__file__).resolve().parent.parent.parent / "web"
FILE_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
}
# Templates the gateway renders and serves at their own addresses (/sw.js, /manifest.webmanifest),
# never as files: their source is not what a browser should run.
RENDERED_ELSEWHERE = frozenset({"portal/sw.js", "portal/manifest.webmanifest"})
HASH_LENGTH = 16
ONE_YEAR = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # stored, but asked again (ETag) before use: never stale after a deploy


def tree_hash(root=WEB_ROOT):
    """A digest of every file's path and bytes under ``root``: any change anywhere, a new one."""
    digest = hashlib.sha256()
    for path in sorted(file for file in root.rglob("*") if file.is_file()):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:HASH_LENGTH]


def is_served(relative_path):
    return Path(relative_path).suffix in FILE_TYPES and relative_path not in RENDERED_ELSEWHERE


def served_files(folder, root=WEB_ROOT):
    """The paths (relative to ``root``) of every file under ``folder`` that /web/… serves."""
    return sorted(path.relative_to(root).as_posix() for path in (root / folder).rglob("*")
                  if path.is_file() and is_served(path.relative_to(root).as_posix()))


class Assets:
    """The files, each read once and kept in memory (the tree is some hundred kilobytes) and
    answered whole, so that the compression sees a body it can compress and revalidate."""

    def __init__(self, root: Path = WEB_ROOT) -> None:
        self.root = root
        self.version = tree_hash(root)
        self._files: dict[str, tuple[bytes, str]] = {}
        self._lock = Lock()

    def url(self, relative_path):
        """The fingerprinted address of a file under web/ (``common/style.css``)."""
        if not (self.root / relative_path).is_file():
            raise LookupError("no file web/{}".format(relative_path))  # a page naming a missing file fails its test
        return "/web/v/{}/{}".format(self.version, relative_path)

    def send(self, relative_path, version=None):
        """A file's answer: a year's cache under the current hash; revalidated under an old or no
        hash (a page cached before a deploy still gets a working, current file)."""
        data, etag = self._read(relative_path)
        response = Response(data, mimetype=FILE_TYPES[Path(relative_path).suffix])
        response.set_etag(etag)
        response.headers["Content-Security-Policy"] = PAGE_CONTENT_SECURITY_POLICY
        response.headers["Cache-Control"] = ONE_YEAR if version == self.version else REVALIDATE
        return response.make_conditional(request, accept_ranges=True, complete_length=len(data))

    def _read(self, relative_path):
        with self._lock:
            if relative_path not in self._files:
                joined = safe_join(str(self.root), relative_path)  # None for "..", absolute paths and the like
                path = Path(joined) if joined else None
                if path is None or not is_served(path.relative_to(self.root).as_posix()) or not path.is_file():
                    abort(404)
                data = path.read_bytes()
                self._files[relative_path] = (data, hashlib.sha256(data).hexdigest()[:24])
            return self._files[relative_path]
