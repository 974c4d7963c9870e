import socket

import pytest

from tests.netguard import NetworkAccessError


def test_outside_address_is_refused() -> None:
    with pytest.raises(NetworkAccessError), socket.create_connection(("192.0.2.1", 80), timeout=1):
        pass


def test_outside_name_is_refused() -> None:
    with pytest.raises(NetworkAccessError):
        socket.getaddrinfo("example.org", 443)


def test_loopback_is_allowed() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        with socket.create_connection(server.getsockname(), timeout=1):
            pass
    finally:
        server.close()
