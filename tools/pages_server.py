"""Serve a built site on 127.0.0.1 as GitHub Pages does: text gzip-compressed when the browser accepts it.

Used by tests/test_typography.py (each page's first-load weight) and tools/lighthouse.py.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit


class CompressingHandler(http.server.SimpleHTTPRequestHandler):
    """Text gzip-compressed when the browser accepts it, fonts as they are; a missing file is a 404."""

    COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml")

    def do_GET(self):
        target = Path(self.translate_path(unquote(urlsplit(self.path).path)))
        if target.is_dir():
            target /= "index.html"
        if not target.is_file():
            return self.send_error(404)
        body = target.read_bytes()
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if content_type.startswith(self.COMPRESSED) and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def served_compressed(site: Path) -> Iterator[str]:
    """The built site on 127.0.0.1, compressed as GitHub Pages serves it; yields its address."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(CompressingHandler, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
