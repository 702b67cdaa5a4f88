"""`make run` right after a stack that served traffic: the ports its connections left in TIME_WAIT are free."""

from __future__ import annotations

import importlib.util
import socket
import sys
from types import ModuleType

from tests.conftest import ROOT


def run_stack() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_stack", ROOT / "scripts" / "run_stack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_stack"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


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
    assert run_stack().port_free(port)


def test_a_port_something_listens_on_is_not_free() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert not run_stack().port_free(server.getsockname()[1])
