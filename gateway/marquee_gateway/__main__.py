"""`python -m marquee_gateway`: the HTTP gateway (the same entrypoint the image runs)."""

from __future__ import annotations

from marquee_gateway.main import main

if __name__ == "__main__":
    raise SystemExit(main())
