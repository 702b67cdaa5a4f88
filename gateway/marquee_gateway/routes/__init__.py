"""The gateway's routes: canonical /v1, the assignment's Spanish routes, operations, and the data reports."""

from __future__ import annotations

from fastapi import APIRouter

from marquee_gateway.routes import catalog, compat, movies, ops, reports

ROUTERS: tuple[APIRouter, ...] = (movies.router, catalog.router, compat.router, ops.router, reports.router)
