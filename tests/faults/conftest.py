"""Fault tests that need no PostgreSQL: the faulty servers come from plain sockets."""

from tests.faulty_servers import (  # noqa: F401 - fixtures for the tests of this folder
    hanging_up_server,
    refused_uri,
    short_http_timeouts,
    silent_server,
)
