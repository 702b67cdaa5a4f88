"""Marquee's catalog service: metadata questions over gRPC, answered from one release."""
