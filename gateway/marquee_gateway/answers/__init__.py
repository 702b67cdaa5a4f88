"""What the gateway answers: per API surface one module (`v1`, `compat`, `ops`), one class per answer.

An `Answer` is the one description of an answer: its fields (a pydantic model, for the OpenAPI
document and the tests), the protobuf message it is made from (`proto`), `from_proto`, which makes
the JSON-ready dict from that message, and its `example`: a real reply of the service, shown in
OpenAPI as the answer `from_proto` makes of it, so an example cannot disagree with its answer.
Each surface's `LEFT_OUT` names the proto fields its answers leave out on purpose, and why;
tests/unit/test_gateway_answers.py checks that every other field is read and that every route's
real answer validates against its model.

`from_proto` is written out where an answer renames or computes (compat), and otherwise made from
the model when the class is created, as `dataclasses` makes `__init__`: a dict literal reading each
field by name, as fast as one written by hand, without pydantic or `MessageToDict` per request
(MessageToDict would also turn int64 values into strings). Where the JSON name is not the proto's,
the field keeps the proto's name and takes the JSON name as its alias:
`return_ratio: float = Field(alias="return")`.

Routes return the upstream's reply and the router converts it (`AnswerRouter.answer`), so what a
route declares is what it answers.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, ParamSpec, cast

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from pydantic import BaseModel, ConfigDict
from pydantic.fields import FieldInfo

from marquee_gateway.errors import ERROR_RESPONSES

Json = dict[str, Any]
P = ParamSpec("P")


class EnumNames(dict[int, str]):
    """An enum's value names without their type prefix, as HTTP shows them (MATCH_KIND_EXACT -> EXACT);
    a number newer than this code reads as its digits.

    >>> from marquee.v1 import catalog_pb2
    >>> names = EnumNames(catalog_pb2.SearchHit.MatchKind.DESCRIPTOR)
    >>> names[1], names[9]
    ('EXACT', '9')
    """

    def __init__(self, enum: EnumDescriptor) -> None:
        prefix = enum.values[0].name.removesuffix("UNSPECIFIED")  # buf's rule: the zero value is <PREFIX>UNSPECIFIED
        super().__init__((v.number, v.name.removeprefix(prefix)) for v in enum.values)

    def __missing__(self, number: int) -> str:
        return str(number)


class Answer(BaseModel):
    """One answer's shape; subclasses set `proto` and `example`, and write `from_proto` when it is not by name."""

    model_config = ConfigDict(extra="forbid")  # a key the model does not declare fails validation: drift shows

    proto: ClassVar[type[Message] | None] = None
    """The protobuf message the answer is made from; None for what the gateway makes itself."""
    example: ClassVar[Message | Json | None] = None
    """A real reply of the upstream (or, for what the gateway makes itself, a real answer), for OpenAPI."""

    @staticmethod
    def from_proto(message: Any) -> Json:
        """`proto` message -> the answer as a JSON-ready dict (made by name unless written out)."""
        raise TypeError("an answer made by the gateway itself has no from_proto")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.proto is not None and "from_proto" not in cls.__dict__:
            # setattr: a type checker lets no method be assigned, and this one is made, not written
            setattr(cls, "from_proto", staticmethod(_by_name(cls, cls.proto)))  # noqa: B010


def _by_name(cls: type[Answer], proto: type[Message]) -> Callable[[Any], Json]:
    """`from_proto` for an answer whose fields are the message's, read by name."""
    descriptor = proto.DESCRIPTOR
    scope: dict[str, Any] = {}
    items = []
    for name, info in cls.model_fields.items():
        field = descriptor.fields_by_name.get(name)
        if field is None:
            raise TypeError(f"{cls.__name__}.{name}: {descriptor.full_name} has no such field; write from_proto out")
        items.append(f"{info.alias or name!r}: {_read(cls, cast(FieldDescriptor, field), info, scope)}")
    source = f"def from_proto(m):\n    return {{{', '.join(items)}}}\n"
    exec(source, scope)  # made from the model's own field names, as dataclasses makes __init__
    made: Callable[[Any], Json] = scope["from_proto"]
    made.__qualname__ = f"{cls.__name__}.from_proto"
    made.__doc__ = f"{descriptor.full_name} -> {cls.__name__}, field by field:\n\n{source}"
    return made


def _read(cls: type[Answer], field: FieldDescriptor, info: FieldInfo, scope: dict[str, Any]) -> str:
    """The expression reading `field` of message `m` as the model's field `info` holds it."""
    value = f"m.{field.name}"
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        return f"dict({value})"
    each = "{}"  # how one value is turned into JSON
    if field.message_type is not None:
        nested = _nested_answer(info.annotation)
        if nested is None or nested.proto is None or nested.proto.DESCRIPTOR is not field.message_type:
            raise TypeError(f"{cls.__name__}.{field.name}: declare it as an Answer of {field.message_type.full_name}")
        each = _bind(scope, nested.__name__, nested.from_proto) + "({})"
    elif field.enum_type is not None:
        each = _bind(scope, field.enum_type.full_name, EnumNames(field.enum_type)) + "[{}]"
    if field.is_repeated:
        return f"[{each.format('x')} for x in {value}]" if each != "{}" else f"list({value})"
    if type(None) not in typing.get_args(info.annotation):
        return each.format(value)
    if not field.has_presence:
        raise TypeError(f"{cls.__name__}.{field.name} may be null, but {field.full_name} is never unset")
    return f"{each.format(value)} if m.HasField({field.name!r}) else None"


def _bind(scope: dict[str, Any], name: str, value: Any) -> str:
    """The name under which the made code finds `value` (a nested answer's converter, an enum's names)."""
    key = "_" + name.replace(".", "_")
    if scope.get(key, value) != value:
        raise TypeError(f"two different {name} in one answer")
    scope[key] = value
    return key


def _nested_answer(annotation: Any) -> type[Answer] | None:
    """The Answer class inside `X`, `X | None` or `list[X]`."""
    if isinstance(annotation, type) and issubclass(annotation, Answer):
        return annotation
    return next(filter(None, map(_nested_answer, typing.get_args(annotation))), None)


def example_of(model: type[Answer], example: Message | Json | None = None) -> dict[str, Any]:
    """The OpenAPI content of a route's 200 answer: `example` (or the model's) as the answer."""
    example = example or model.example
    if isinstance(example, Message):
        example = model.from_proto(example)
    return {"content": {"application/json": {"example": example}}} if example is not None else {}


def documented(model: type[Answer], example: Message | Json | None = None) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route answering `model`: its example (or another real answer) and the error answers."""
    return {200: {"description": "the answer", **example_of(model, example)}, **ERROR_RESPONSES}


class AnswerRouter(APIRouter):
    """An APIRouter whose `answer(path, Model)` routes convert what they return with `Model.from_proto`."""

    def answer(
        self, path: str, model: type[Answer], example: Message | None = None, **options: Any
    ) -> Callable[[Callable[P, Awaitable[Any]]], Callable[P, Awaitable[Any]]]:
        """GET `path`, declared as answering `model` (OpenAPI: its schema, `example` or the model's, the
        error answers).

        The endpoint returns the upstream's reply; the answer is `model.from_proto(reply)` written
        straight to JSON: FastAPI passes a Response through without validating it again per request
        (that second pass cost a third of the gateway's CPU on `/v1/movies/{id}`; the tests validate).
        """
        convert = model.from_proto

        def register(endpoint: Callable[P, Awaitable[Any]]) -> Callable[P, Awaitable[Any]]:
            @functools.wraps(endpoint)  # FastAPI reads the endpoint's parameters through __wrapped__
            async def answer(*args: P.args, **kwargs: P.kwargs) -> JSONResponse:
                return JSONResponse(convert(await endpoint(*args, **kwargs)))

            self.get(path, response_model=model, responses=documented(model, example), **options)(answer)
            return endpoint

        return register
