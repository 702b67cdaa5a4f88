"""Marquee's HTTP gateway: the canonical /v1 JSON API and the assignment's routes, over gRPC."""
