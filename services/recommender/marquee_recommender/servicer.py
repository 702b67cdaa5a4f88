"""RecommenderService over gRPC: each method hands the request to the loaded Recommender."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc

from marquee.v1 import catalog_pb2, release_pb2
from marquee.v1 import recommender_pb2 as pb
from marquee.v1 import recommender_pb2_grpc as pb_grpc
from marquee_common.rpc import each, rpc
from marquee_common.serving import ReleaseHolder
from marquee_recommender.config import RecommenderSettings
from marquee_recommender.index import Recommender
from marquee_recommender.release import open_recommender

Ctx = grpc.aio.ServicerContext


class RecommenderServicer(pb_grpc.RecommenderServiceServicer):
    """Answers from the model of the release the holder serves; UNAVAILABLE before it has one."""

    def __init__(self, settings: RecommenderSettings) -> None:
        self.settings = settings
        self.holder: ReleaseHolder[Recommender] = ReleaseHolder(settings.data_dir, self._open, "model")

    def _open(self, folder: Path, manifest: dict[str, Any], swapping: bool) -> tuple[Recommender, str]:
        return open_recommender(folder, manifest, self.settings.weights(), self.settings.width)

    @property
    def recommender(self) -> Recommender:
        return self.holder.core

    @rpc
    async def Recommend(self, request: pb.RecommendRequest, context: Ctx) -> pb.RecommendResponse:
        return self.recommender.recommend(request)

    @rpc
    async def BatchRecommend(self, request: pb.BatchRecommendRequest, context: Ctx) -> pb.BatchRecommendResponse:
        response = pb.BatchRecommendResponse()
        recommender = self.recommender  # the whole batch on one release
        for answer, failure in each(request.requests, recommender.recommend):
            if failure is None:
                response.results.add(response=answer)
            else:
                response.results.add(failure=catalog_pb2.Failure(**failure))
        return response

    @rpc
    async def GetReleaseInfo(self, request: release_pb2.GetReleaseInfoRequest, context: Ctx) -> release_pb2.ReleaseInfo:
        return release_pb2.ReleaseInfo(**self.holder.info())

    @rpc
    async def GetModelInfo(self, request: pb.GetModelInfoRequest, context: Ctx) -> pb.ModelInfo:
        return self.recommender.model_info()
