"""Tracking servers that misbehave for real, on 127.0.0.1: refused, silent, closing.

None of these needs PostgreSQL or an MLflow server; the faults come from
plain sockets that the fixtures open and close themselves.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from ct_tui.domain import tracking_client


class FaultyServer:
    """A TCP server on 127.0.0.1 that accepts connections and then never responds, or hangs up."""

    def __init__(self, hang_up: bool = False) -> None:
        self.hang_up = hang_up
        """True: close each connection at once. False: keep it open and never send a byte."""
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        # accept() wakes up now and then to notice close(), which cannot interrupt it.
        self._socket.settimeout(0.1)
        self._closed = threading.Event()
        self.port: int = self._socket.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept, name="faulty-server", daemon=True)
        self._thread.start()

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # close() closed the listening socket
            self.accepted += 1
            if self.hang_up:
                connection.close()
            else:
                self.connections.append(connection)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self._socket.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent_server() -> Iterator[FaultyServer]:
    """A listening socket that accepts every connection and never responds."""
    server = FaultyServer()
    yield server
    server.close()


@pytest.fixture
def hanging_up_server() -> Iterator[FaultyServer]:
    """A listening socket that accepts every connection and closes it at once."""
    server = FaultyServer(hang_up=True)
    yield server
    server.close()


@pytest.fixture
def refused_uri() -> str:
    """An http URI on 127.0.0.1 where nothing listens, so connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def short_http_timeouts(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """ct-tui's own short HTTP settings, set in this process as `ct-tui` sets them."""
    monkeypatch.setattr(tracking_client, "_injected", set())
    for name, value in tracking_client.SHORT_HTTP_SETTINGS.items():
        monkeypatch.setenv(name, value)
        tracking_client._injected.add(name)
    return dict(tracking_client.SHORT_HTTP_SETTINGS)
