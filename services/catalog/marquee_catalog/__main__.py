"""`python -m marquee_catalog`: the catalog gRPC server (the same entrypoint the image runs)."""

from __future__ import annotations

from marquee_catalog.config import CatalogSettings
from marquee_catalog.server import services
from marquee_server.rpc import run


def main() -> int:
    return run("catalog", CatalogSettings(), services)


if __name__ == "__main__":
    raise SystemExit(main())
