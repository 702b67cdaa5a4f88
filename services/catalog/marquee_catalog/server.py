"""Wires the catalog servicer into a gRPC server; nothing else lives here."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from marquee.v1 import catalog_pb2, catalog_pb2_grpc
from marquee_catalog.servicer import CatalogServicer
from marquee_server.rpc import Service
from marquee_server.settings import ServiceSettings

SERVICE_NAME = catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"].full_name


def services(settings: ServiceSettings) -> Sequence[Service]:
    servicer = CatalogServicer(settings.data_dir)

    def register(server: grpc.aio.Server) -> None:
        catalog_pb2_grpc.add_CatalogServiceServicer_to_server(servicer, server)

    return [Service(SERVICE_NAME, register, servicer.holder)]
