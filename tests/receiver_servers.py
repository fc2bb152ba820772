"""Serve the docs' webhook receivers for real on loopback, and hit them all at once.

* :func:`serve_wsgi`: a WSGI app under the standard library's WSGI server, one thread per
  request (as gunicorn's threads or mod_wsgi run it);
* :func:`serve_asgi`: an ASGI app under uvicorn, on a socket bound before it starts (so
  no waiting for it to come up);
* :func:`serve_django_example`: the docs' one-file Django project in its own Python process
  (Django's settings can be configured once per process), through Django's WSGI handler
  under the threaded WSGI server;
* :func:`deliver_at_once`: POST many deliveries at the same moment, each on its own thread
  and connection, released together by a barrier;
* :func:`load_receiver`: run one of the docs' receivers as written, in a test's directory;
* :func:`actions`: what the docs' receivers did, read from their database.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx

from kwikpaisa.testing import DEFAULT_SECRET_KEY

if TYPE_CHECKING:
    import pytest


class QuietHandler(WSGIRequestHandler):
    """Does not log every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """The standard library's WSGI server, one thread per request."""

    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 resets simultaneous connections


@contextmanager
def serve_wsgi(app: Callable[..., Any], *, threaded: bool = True) -> Iterator[str]:
    """Serve a WSGI app on an ephemeral loopback port; yield its base URL."""
    server_class = ThreadingWSGIServer if threaded else WSGIServer
    server = make_server("127.0.0.1", 0, app, server_class=server_class, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on an ephemeral loopback port; yield its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)  # connections made before uvicorn accepts wait in the backlog
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


_DJANGO_RUNNER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, ".")
    sys.path.insert(0, {tests!r})
    from receiver_servers import QuietHandler, ThreadingWSGIServer
    from wsgiref.simple_server import make_server
    import django_receiver

    server = make_server(
        "127.0.0.1", 0, django_receiver.application,
        server_class=ThreadingWSGIServer, handler_class=QuietHandler,
    )
    print(server.server_port, flush=True)
    server.serve_forever()
    """
)


@contextmanager
def serve_django_example(code: str, cwd: Path, env: Mapping[str, str]) -> Iterator[str]:
    """Run the Django example ``code`` as ``django_receiver.py`` in ``cwd`` and serve its
    ``application`` in a child process; yield its base URL."""
    (cwd / "django_receiver.py").write_text(code, encoding="utf-8")
    runner = _DJANGO_RUNNER.format(tests=str(Path(__file__).resolve().parent))
    proc = subprocess.Popen(
        [sys.executable, "-c", runner],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        assert port.isdigit(), f"the Django receiver did not start (exit {proc.poll()})"
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def deliver_at_once(
    url: str, deliveries: Sequence[tuple[bytes, Mapping[str, str]]]
) -> list[httpx.Response]:
    """POST every ``(body, headers)`` to ``url`` at the same moment, each on its own thread
    and connection; return the responses in the order given."""
    barrier = threading.Barrier(len(deliveries))
    responses: list[httpx.Response | BaseException | None] = [None] * len(deliveries)

    def send(index: int, body: bytes, headers: Mapping[str, str]) -> None:
        try:
            with httpx.Client(timeout=60) as client:
                barrier.wait(60)
                responses[index] = client.post(url, content=body, headers=dict(headers))
        except BaseException as error:  # reported below, on the test's thread
            responses[index] = error

    threads = [
        threading.Thread(target=send, args=(index, body, headers))
        for index, (body, headers) in enumerate(deliveries)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for response in responses:
        if not isinstance(response, httpx.Response):
            raise AssertionError(f"a delivery got no answer: {response!r}")
    return [response for response in responses if isinstance(response, httpx.Response)]


def load_receiver(name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Run the docs' example ``name`` as written, in ``tmp_path`` (where its database goes);
    return its globals (``app``). It has acted on nothing yet."""
    # Imported here: the Django runner above imports this module outside the tests package.
    from .readme_examples import example

    monkeypatch.setenv("KWIKPAISA_SECRET_KEY", DEFAULT_SECRET_KEY)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": f"docs_{name}"}
    exec(compile(example(name).code, f"docs/webhooks.md:{name}", "exec"), namespace)  # noqa: S102
    assert actions(tmp_path) == []
    return namespace


def actions(directory: Path) -> list[tuple[str, str]]:
    """What the docs' receivers did: the order updates in their database, sorted."""
    with closing(sqlite3.connect(directory / "shop.sqlite3")) as db:
        return sorted(db.execute("SELECT order_id, status FROM order_updates").fetchall())
