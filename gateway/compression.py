"""Compressed answers (docs/web.md#compression): brotli or gzip, as the client's Accept-Encoding
prefers, for text of at least ``MIN_SIZE`` bytes: the pages and files (gateway/web/) and the API's JSON
alike.

Flask-Compress does the negotiation, ``Vary: Accept-Encoding``, the ETag's ``:br``/``:gzip``
suffix and the conditional request on the compressed answer. Only whole bodies are compressed
(the web files are answered from memory, not streamed); a streamed or partial (206) answer passes
as it is. Plain text is left alone: /metrics stays exactly as prometheus-client writes it, and
robots.txt is tiny.
"""
from flask_compress import Compress

ALGORITHMS = ["br", "gzip"]  # br first: smaller by a fifth on the modules; gzip for every other client
MIN_SIZE = 1024  # below a kilobyte the saving is a packet at most, and the CPU is spent on every answer
MIMETYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/json",
    "application/manifest+json",
    "text/xml",  # Open311's XML format
    "image/svg+xml",
]


def install(app):
    app.config.update(
        COMPRESS_ALGORITHM=ALGORITHMS,
        COMPRESS_MIMETYPES=MIMETYPES,
        COMPRESS_MIN_SIZE=MIN_SIZE,
        COMPRESS_LEVEL=6,  # gzip
        COMPRESS_BR_LEVEL=5,  # on-the-fly quality: ~gzip's speed, smaller
        COMPRESS_STREAMS=False,
        COMPRESS_EVALUATE_CONDITIONAL_REQUEST=True,  # If-None-Match with a ":br" ETag → 304
        COMPRESS_CACHE_BACKEND=WebFileCompressions,
        COMPRESS_CACHE_KEY=web_file_key,
    )
    app.extensions["compression"] = WholeAnswerCompression(app)


WEB_FILES = "/web/"


def web_file_key(request):
    """The web files (gateway/web/assets.py) are the same bytes for every request of a path while
    the gateway runs: compressed once per algorithm. Every other answer has no key ("")."""
    return request.path if request.path.startswith(WEB_FILES) else ""


class WebFileCompressions:
    """Flask-Compress's cache, keeping only the web files' compressed bytes (keys
    ``"<algorithm>;/web/…"``; a few hundred kilobytes in all): an answer without a key (the API,
    the pages) is compressed afresh every time."""

    def __init__(self):
        self._compressed = {}

    def get(self, key):
        return self._compressed.get(key)

    def set(self, key, value):
        if not key.endswith(";"):  # dict assignment is atomic: two threads at most compress a file twice
            self._compressed[key] = value


class WholeAnswerCompression(Compress):
    """A partial answer (206) is never compressed: its Content-Range counts the bytes as they
    are, and a client that asked for a range resumes the identity body."""

    def after_request(self, response):
        if response.status_code == 206:
            return response
        return super().after_request(response)
