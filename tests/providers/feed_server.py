"""A real HTTP server on 127.0.0.1 for the feed tests: scripted responses per path, requests recorded."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "providers"
PROVIDERS_MANIFEST = FIXTURES / "providers.yaml"


@dataclass(frozen=True)
class Reply:
    """One scripted response: status, body, headers, and a delay before the body (to trigger timeouts)."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    etag: str | None = None
    declare_length: bool = True

    @classmethod
    def fixture(cls, name: str, etag: str | None = None) -> Reply:
        """A 200 serving a file of fixtures/providers, answering 304 to its ETag."""
        return cls(body=(FIXTURES / name).read_bytes(), etag=etag)


@dataclass
class Route:
    """Replies served in order on one path (the last one repeats) and the request headers seen."""

    replies: list[Reply]
    seen: list[dict[str, str]] = field(default_factory=list)


SHUTDOWN_POLL_S = 0.01
"""How often the serving loop looks for a shutdown: stopping the server waits for that look (0.5 s by default)."""


class FeedServer:
    """ThreadingHTTPServer on an ephemeral port of 127.0.0.1 serving scripted routes."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True)

    def url(self, path: str) -> str:
        """The full URL of a path on this server."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def serve(self, path: str, *replies: Reply) -> str:
        """Script a path's replies; returns its URL."""
        self.routes[path] = Route(list(replies))
        return self.url(path)

    def seen(self, path: str) -> list[dict[str, str]]:
        """Request headers (lower-cased names) received on a path, in order."""
        return self.routes[path].seen

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        """A request handler class bound to this server's routes."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            """Serve the next scripted reply of the requested path."""

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                """Answer from the route script (404 for an unknown path)."""
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                route.seen.append({k.lower(): v for k, v in self.headers.items()})
                reply = route.replies[min(len(route.seen), len(route.replies)) - 1]
                if reply.etag is not None and self.headers.get("If-None-Match") == reply.etag:
                    self.send_response(304)
                    self.send_header("ETag", reply.etag)
                    self.end_headers()
                    return
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                if reply.etag is not None:
                    self.send_header("ETag", reply.etag)
                if reply.declare_length:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                time.sleep(reply.delay)
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout or size cap)

            def log_message(self, *_args: object) -> None:
                """Keep test output quiet."""

        return Handler

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
