"""RecommenderService over gRPC: each method hands the request to the loaded Recommender."""

from __future__ import annotations

import grpc

from marquee.v1 import catalog_pb2
from marquee.v1 import recommender_pb2 as pb
from marquee.v1 import recommender_pb2_grpc as pb_grpc
from marquee_common.errors import IndexNotReady
from marquee_common.release import resolve_current
from marquee_common.rpc import each, rpc
from marquee_recommender.config import RecommenderSettings
from marquee_recommender.index import Recommender

Ctx = grpc.aio.ServicerContext


class RecommenderServicer(pb_grpc.RecommenderServiceServicer):
    """Answers once `load` has memory-mapped the model; UNAVAILABLE before."""

    def __init__(self, settings: RecommenderSettings) -> None:
        self.settings = settings
        self._recommender: Recommender | None = None

    def load(self) -> None:
        folder = resolve_current(self.settings.data_dir)
        self._recommender = Recommender(folder, self.settings.weights(), self.settings.width)

    @property
    def recommender(self) -> Recommender:
        if self._recommender is None:
            raise IndexNotReady("the recommender is still loading its model; retry shortly")
        return self._recommender

    @rpc
    async def Recommend(self, request: pb.RecommendRequest, context: Ctx) -> pb.RecommendResponse:
        return self.recommender.recommend(request)

    @rpc
    async def BatchRecommend(self, request: pb.BatchRecommendRequest, context: Ctx) -> pb.BatchRecommendResponse:
        response = pb.BatchRecommendResponse()
        for answer, failure in each(request.requests, self.recommender.recommend):
            if failure is None:
                response.results.add(response=answer)
            else:
                response.results.add(failure=catalog_pb2.Failure(**failure))
        return response

    @rpc
    async def GetModelInfo(self, request: pb.GetModelInfoRequest, context: Ctx) -> pb.ModelInfo:
        return self.recommender.model_info()
