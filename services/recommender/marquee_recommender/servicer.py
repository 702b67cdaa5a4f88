"""RecommenderService over gRPC: each method hands the request to the model of the release serving now.

Recommendations from free text run off the event loop (their cost grows with the text), so health
checks and recommendations by film are answered while they work; by film, they are a lookup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from marquee.v1 import recommender_pb2 as pb
from marquee.v1 import recommender_pb2_grpc as pb_grpc
from marquee.v1 import shared_pb2
from marquee_recommender.config import RecommenderSettings
from marquee_recommender.index import Recommender
from marquee_recommender.release import open_recommender
from marquee_server.rpc import each, rpc
from marquee_server.serving import ReleaseHolder


def _is_text(request: pb.RecommendRequest) -> bool:
    """Free text is the costly seed (embedding, then an index search); a film's list is a lookup."""
    return request.WhichOneof("seed") == "text"


class RecommenderServicer(pb_grpc.RecommenderServiceServicer):
    """Answers from the model of the release the holder serves; UNAVAILABLE before it has one."""

    def __init__(self, settings: RecommenderSettings) -> None:
        self.settings = settings
        self.holder: ReleaseHolder[Recommender] = ReleaseHolder(settings.data_dir, self._open, "model")

    def _open(self, folder: Path, manifest: dict[str, Any], swapping: bool) -> tuple[Recommender, str]:
        return open_recommender(folder, manifest, self.settings.weights(), self.settings.width)

    @rpc(offload=lambda request: _is_text(request))
    def Recommend(self, request: pb.RecommendRequest, recommender: Recommender) -> pb.RecommendResponse:
        return recommender.recommend(request)

    @rpc(offload=lambda request: any(_is_text(item) for item in request.requests))
    def BatchRecommend(self, request: pb.BatchRecommendRequest, recommender: Recommender
                       ) -> pb.BatchRecommendResponse:  # fmt: skip
        response = pb.BatchRecommendResponse()
        for answer, failure in each(request.requests, recommender.recommend):
            if failure is None:
                response.results.add(response=answer)
            else:
                response.results.add(failure=shared_pb2.Failure(**failure))
        return response

    @rpc()
    def GetModelInfo(self, request: pb.GetModelInfoRequest, recommender: Recommender) -> pb.GetModelInfoResponse:
        return recommender.model_info()
