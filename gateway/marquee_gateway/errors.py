"""Every error answer of the gateway, mapped here and nowhere else.

gRPC status -> HTTP status is one table (`HTTP_STATUS`, fallback 502). Every error answer,
whatever raised it, has one body::

    {"error": {"code": "NOT_FOUND", "message": "no film titled 'Alpah'; ...", "suggestions": ["Alpha"]}}

GatewayError
├── UpstreamError    a gRPC call failed; carries the upstream's status and suggestions
└── InvalidRequest   the HTTP request cannot be answered as asked (INVALID_ARGUMENT)

Request validation errors (FastAPI's) answer 422 INVALID_ARGUMENT; unknown routes 404
NOT_FOUND; anything unexpected 500 INTERNAL, logged with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, cast

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from google.protobuf.message import DecodeError
from grpc_status import rpc_status
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from marquee.v1 import errors_pb2

log = logging.getLogger("marquee.gateway")

HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.INVALID_ARGUMENT: 422,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.DATA_LOSS: 502,  # a file the upstream should send fails its checks (a damaged data report)
}
FALLBACK_STATUS = 502
"""Any other upstream status: the upstream failed, not the caller."""
RETRY_AFTER_S = 1
"""Sent with 429 (a service at its limit of calls in flight) and 503: when to try again."""

CALLER_CODES = frozenset(
    {grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION}
)
"""Statuses whose upstream message is written for the caller and is passed on as it is."""

ROUTE_ERROR_CODE = {404: "NOT_FOUND", 405: "UNIMPLEMENTED", 408: "DEADLINE_EXCEEDED", 503: "UNAVAILABLE"}
"""Answers made without an upstream (no such route, wrong method; headers too slow, too many
connections: connections.py), in the same vocabulary."""


def error_code(status: int) -> str:
    """The `code` of an answer the gateway makes itself, no upstream involved: routing (404, 405) or
    HTTP (400 unparsable, 414 URL too long, 431 headers too large; protocol.py).

    >>> error_code(405), error_code(414), error_code(500)
    ('UNIMPLEMENTED', 'INVALID_ARGUMENT', 'INTERNAL')
    """
    return ROUTE_ERROR_CODE.get(status) or ("INVALID_ARGUMENT" if status < 500 else "INTERNAL")


def http_status(code: grpc.StatusCode) -> int:
    """The HTTP status answering a failed upstream call.

    >>> http_status(grpc.StatusCode.NOT_FOUND), http_status(grpc.StatusCode.INTERNAL)
    (404, 502)
    """
    return HTTP_STATUS.get(code, FALLBACK_STATUS)


class ErrorDetail(BaseModel):
    code: str = Field(examples=["NOT_FOUND"], description="gRPC status name")
    message: str = Field(examples=["no film titled 'Toy Stroy'; did you mean 'Toy Story'?"])
    suggestions: list[str] = Field(default_factory=list, examples=[["Toy Story"]])


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


def error_body(code: str, message: str, suggestions: Sequence[str] = ()) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "suggestions": list(suggestions)}}


def error_response(
    status: int, code: str, message: str, suggestions: Sequence[str] = (), headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message, suggestions), status_code=status, headers=headers)


class GatewayError(Exception):
    """An error the gateway answers on purpose, with a gRPC status code."""

    def __init__(self, code: grpc.StatusCode, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.suggestions = list(suggestions)


class InvalidRequest(GatewayError):
    """The request's parameters contradict each other (title and text, say)."""

    def __init__(self, message: str) -> None:
        super().__init__(grpc.StatusCode.INVALID_ARGUMENT, message)


class UpstreamError(GatewayError):
    """A call to `upstream` ("catalog", "recommender") ended with a non-OK status."""

    def __init__(self, upstream: str, code: grpc.StatusCode, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(code, message, suggestions)
        self.upstream = upstream
        self.release: str | None = None  # the release that answered with this error, when one did

    @classmethod
    def of(cls, upstream: str, code: grpc.StatusCode, details: str, suggestions: Sequence[str] = ()) -> UpstreamError:
        """The error for status `code`: the upstream's own words when they are meant for the caller."""
        if code in CALLER_CODES:
            message = details or code.name
        elif code == grpc.StatusCode.UNAVAILABLE:
            message = f"the {upstream} service is unavailable; retry shortly"
        elif code == grpc.StatusCode.DEADLINE_EXCEEDED:
            message = f"the {upstream} service did not answer in time"
        elif code == grpc.StatusCode.RESOURCE_EXHAUSTED:
            message = f"the {upstream} service is busy (at its limit of calls in flight); retry in {RETRY_AFTER_S} s"
        else:
            message = f"the {upstream} service failed ({code.name}): {details}"
        return cls(upstream, code, message, suggestions)

    @classmethod
    def from_rpc(cls, upstream: str, exc: grpc.aio.AioRpcError, release: str | None = None) -> UpstreamError:
        error = cls.of(upstream, exc.code(), exc.details() or "", suggestions_of(exc))
        error.release = release
        return error

    @classmethod
    def from_failure(cls, upstream: str, failure: Any) -> UpstreamError:
        """One item of a Batch* call that failed (a `Failure` message), as its own call would have."""
        code = grpc.StatusCode.__members__.get(failure.code, grpc.StatusCode.UNKNOWN)
        return cls.of(upstream, code, failure.message, list(failure.suggestions))

    def copy(self) -> UpstreamError:
        """The same error, for another waiting request: each raises its own."""
        twin = UpstreamError(self.upstream, self.code, self.message, self.suggestions)
        twin.release = self.release
        return twin


def suggestions_of(exc: grpc.aio.AioRpcError) -> list[str]:
    """The close names a failed call carries in its `google.rpc.Status` details, if any
    (a `marquee.v1.Suggestions` detail: proto/marquee/v1/errors.proto)."""
    try:
        status = rpc_status.from_call(cast(grpc.Call, exc))  # it reads what AioRpcError has: code, details, trailers
    except (ValueError, DecodeError):  # details unreadable or contradicting the call's status: not trusted
        return []
    if status is None:
        return []
    for detail in status.details:
        if detail.Is(errors_pb2.Suggestions.DESCRIPTOR):
            suggestions = errors_pb2.Suggestions()
            detail.Unpack(suggestions)
            return list(suggestions.names)
    return []


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        where = f"{loc[0]} parameter {loc[-1]!r}" if len(loc) >= 2 else (loc[0] if loc else "request")
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def _gateway_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GatewayError)
    status = http_status(exc.code)
    if isinstance(exc, UpstreamError) and exc.code not in CALLER_CODES:
        log.warning(
            "upstream failed",
            extra={"upstream": exc.upstream, "code": exc.code.name, "path": request.url.path, "status": status},
        )
    retry = {"Retry-After": str(RETRY_AFTER_S)} if status in (429, 503) else None
    return error_response(status, exc.code.name, exc.message, exc.suggestions, headers=retry)


def _validation_suggestions(exc: RequestValidationError) -> list[str]:
    """What a parameter's own check proposes instead (routes/params.py: the months, say)."""
    return [str(s) for error in exc.errors() for s in (error.get("ctx") or {}).get("suggestions", ())]


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(
        422, grpc.StatusCode.INVALID_ARGUMENT.name, _validation_message(exc), _validation_suggestions(exc)
    )


async def route_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = error_code(exc.status_code)
    if exc.status_code == 404:
        message = f"no route {request.method} {request.url.path}; the routes are listed at /docs"
    else:
        message = str(exc.detail) if exc.detail else HTTPStatus(exc.status_code).phrase
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("internal error", exc_info=exc, extra={"path": request.url.path})
    return error_response(500, grpc.StatusCode.INTERNAL.name, "internal error; the gateway log has the details")


def install(app: FastAPI) -> None:
    """Register every error handler, once, on `app`."""
    app.add_exception_handler(GatewayError, _gateway_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, route_error)
    app.add_exception_handler(Exception, _internal_error)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "nothing matches; `suggestions` names close existing values"},
    422: {"model": ErrorBody, "description": "invalid input (empty, over 200 characters, malformed)"},
    429: {"model": ErrorBody, "description": "an upstream service is at its limit of calls in flight; see Retry-After"},
    503: {"model": ErrorBody, "description": "an upstream service is unavailable; see Retry-After"},
    504: {"model": ErrorBody, "description": "an upstream service did not answer within the deadline"},
}
"""The error answers every data route documents in OpenAPI."""
