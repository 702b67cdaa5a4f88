"""`python -m marquee_recommender`: the recommender gRPC server (the entrypoint the image runs)."""

from __future__ import annotations

from marquee_recommender.config import RecommenderSettings
from marquee_recommender.server import services
from marquee_server.rpc import run


def main() -> int:
    return run("recommender", RecommenderSettings(), services)


if __name__ == "__main__":
    raise SystemExit(main())
