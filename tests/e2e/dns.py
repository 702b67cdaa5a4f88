"""A tiny authoritative DNS server on 127.0.0.1 for one name, whose addresses a test changes.

gRPC's resolver asks it when a target names it (`dns://127.0.0.1:PORT/replicas.test:50051`), so
a test can add a replica under a name, as `docker compose up --scale` does, without touching
the machine's own resolver. A records only, TTL 0; other names answer NXDOMAIN.
"""

from __future__ import annotations

import socket
import struct
import threading


class TinyDNS:
    def __init__(self, name: str, addresses: list[str]) -> None:
        self.name = name.rstrip(".").lower()
        self.addresses = list(addresses)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.sock.close()

    def _run(self) -> None:
        while True:
            try:
                query, peer = self.sock.recvfrom(512)
                self.sock.sendto(self._answer(query), peer)
            except OSError:
                return
            except (IndexError, struct.error, UnicodeDecodeError):  # not a query we understand: no answer
                continue

    def _answer(self, query: bytes) -> bytes:
        ident = struct.unpack(">H", query[:2])[0]
        pos, labels = 12, []
        while query[pos]:
            length = query[pos]
            labels.append(query[pos + 1 : pos + 1 + length].decode().lower())
            pos += length + 1
        qtype = struct.unpack(">H", query[pos + 1 : pos + 3])[0]
        question = query[12 : pos + 5]
        known = ".".join(labels) == self.name
        records = list(self.addresses) if known and qtype == 1 else []
        answers = b"".join(
            b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 0, 4) + socket.inet_aton(address) for address in records
        )
        flags = 0x8400 | (0 if known else 3)  # a response, authoritative; NXDOMAIN for other names
        return struct.pack(">HHHHHH", ident, flags, 1, len(records), 0, 0) + question + answers
