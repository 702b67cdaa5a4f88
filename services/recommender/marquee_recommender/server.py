"""Wires the recommender servicer into a gRPC server; nothing else lives here."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from marquee.v1 import recommender_pb2, recommender_pb2_grpc
from marquee_recommender.config import RecommenderSettings
from marquee_recommender.servicer import RecommenderServicer
from marquee_server.rpc import Service
from marquee_server.settings import ServiceSettings

SERVICE_NAME = recommender_pb2.DESCRIPTOR.services_by_name["RecommenderService"].full_name


def services(settings: ServiceSettings) -> Sequence[Service]:
    assert isinstance(settings, RecommenderSettings)
    servicer = RecommenderServicer(settings)

    def register(server: grpc.aio.Server) -> None:
        recommender_pb2_grpc.add_RecommenderServiceServicer_to_server(servicer, server)

    return [Service(SERVICE_NAME, register, servicer.holder)]
