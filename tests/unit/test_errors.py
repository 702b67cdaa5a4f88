"""Every domain error has a gRPC status (the mapping is complete), in one table."""

import grpc
from google.rpc import error_details_pb2

import marquee_common.errors as errors
from marquee.v1 import errors_pb2
from marquee_server.rpc import GRPC_CODE, rich_status, status_for


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


def _unpacked(status: object, kind: type) -> list:
    found = []
    for detail in status.details:  # type: ignore[attr-defined]
        message = kind()
        if detail.Unpack(message):
            found.append(message)
    return found


def test_every_error_status_names_its_error_in_an_error_info_detail() -> None:
    for cls in _subclasses(errors.MarqueeError) - {errors.DamagedRelease, errors.DamagedReport}:
        status = rich_status(cls("what went wrong"))
        (info,) = _unpacked(status, error_details_pb2.ErrorInfo)
        assert (info.domain, status.message) == ("marquee.v1", "what went wrong")
        assert status.code == GRPC_CODE[cls].value[0]
    for cls, code, reason in ((errors.DamagedRelease, grpc.StatusCode.FAILED_PRECONDITION, "DAMAGED_RELEASE"),
                              (errors.DamagedReport, grpc.StatusCode.DATA_LOSS, "DAMAGED_REPORT")):  # fmt: skip
        status = rich_status(cls("v1", "report.html", "sha256 differs"))
        (info,) = _unpacked(status, error_details_pb2.ErrorInfo)
        assert (status.code, info.reason, status.message) == (code.value[0], reason, "report.html: sha256 differs")
    assert [i.reason for i in _unpacked(rich_status(errors.NotFound("x")), error_details_pb2.ErrorInfo)] == [
        "NOT_FOUND"
    ]


def test_suggestions_travel_as_their_own_detail_and_only_when_there_are_some() -> None:
    (names,) = _unpacked(rich_status(errors.NotFound("no film 'Alpah'", ["Alpha", "Alps"])), errors_pb2.Suggestions)
    assert list(names.names) == ["Alpha", "Alps"]
    assert _unpacked(rich_status(errors.NotFound("no film 7")), errors_pb2.Suggestions) == []


def test_an_overloaded_service_says_when_to_retry() -> None:
    (retry,) = _unpacked(rich_status(errors.Overloaded("busy")), error_details_pb2.RetryInfo)
    assert retry.retry_delay.seconds == 1
    assert _unpacked(rich_status(errors.InvalidQuery("bad")), error_details_pb2.RetryInfo) == []
