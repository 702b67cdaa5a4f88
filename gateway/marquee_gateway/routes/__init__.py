"""The gateway's routes: canonical /v1, the assignment's Spanish routes, and operations."""

from __future__ import annotations

from fastapi import APIRouter

from marquee_gateway.routes import catalog, compat, movies, ops

ROUTERS: tuple[APIRouter, ...] = (movies.router, catalog.router, compat.router, ops.router)
