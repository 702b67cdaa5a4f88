"""What a failed call's google.rpc.Status details say, read the way a client of Marquee reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.rpc import error_details_pb2
from grpc_status import rpc_status

from marquee.v1 import errors_pb2


@dataclass
class Details:
    reason: str = ""
    domain: str = ""
    suggestions: list[str] = field(default_factory=list)
    retry_s: float | None = None


def details(err: Any) -> Details:
    """The details of a grpc.RpcError (sync) or grpc.aio.AioRpcError; a status without them fails the test."""
    status = rpc_status.from_call(err)
    assert status is not None, f"no google.rpc.Status details on {err.code()}: {err.details()}"
    found = Details()
    for detail in status.details:
        info, names, retry = error_details_pb2.ErrorInfo(), errors_pb2.Suggestions(), error_details_pb2.RetryInfo()
        if detail.Unpack(info):
            found.reason, found.domain = info.reason, info.domain
        elif detail.Unpack(names):
            found.suggestions = list(names.names)
        elif detail.Unpack(retry):
            found.retry_s = retry.retry_delay.ToTimedelta().total_seconds()
    return found
