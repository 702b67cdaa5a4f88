"""`make run` right after a stack that served traffic: the ports its connections left in TIME_WAIT are free."""

from __future__ import annotations

import socket

from scripts.run_stack import port_free


def test_a_port_whose_server_closed_its_connections_first_is_free() -> None:
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # the server's side closes first: its end of the connection stays in TIME_WAIT
        client.recv(1)
        client.close()
    with socket.socket() as plain:  # what the check did before: the TIME_WAIT connection holds the port
        try:
            plain.bind(("127.0.0.1", port))
            held = False
        except OSError:
            held = True
    assert held, "no TIME_WAIT was left: the test proves nothing on this kernel"
    assert port_free(port)


def test_a_port_something_listens_on_is_not_free() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert not port_free(server.getsockname()[1])
