"""Every domain error has a gRPC status (the mapping is complete), in one table."""

import grpc

import marquee_common.errors as errors
from marquee_common.rpc import GRPC_CODE, status_for


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_every_marquee_error_maps_to_a_grpc_status() -> None:
    assert _subclasses(errors.MarqueeError) <= set(GRPC_CODE)


def test_not_found_and_invalid_input_map_to_their_codes() -> None:
    assert status_for(errors.NotFound("x")) == grpc.StatusCode.NOT_FOUND
    assert status_for(errors.InvalidQuery("x")) == grpc.StatusCode.INVALID_ARGUMENT
    assert status_for(errors.IndexNotReady("x")) == grpc.StatusCode.UNAVAILABLE
