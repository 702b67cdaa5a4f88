"""Every route's answer has one owner (marquee_gateway.answers): what the route answers is what its
model declares, and every field the services send is either in the answer or left out on purpose.

For every route of the app: real answers (over the fakes) and the documented example validate
strictly against the declared model (which forbids keys it does not declare); and the protobuf
message the answer is made from, filled in completely, is read field by field (recursively) by
`from_proto`, but for the fields its surface's `LEFT_OUT` names. A new route, a new proto field or
a field dropped from a model fails here until it is decided.
"""

from __future__ import annotations

import json
import sys
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.routing import APIRoute
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from marquee_gateway.answers import Answer, compat, ops, v1
from marquee_gateway.config import GatewaySettings
from marquee_gateway.main import create_app
from marquee_gateway.web import PAGES

if TYPE_CHECKING:
    from starlette.testclient import TestClient

REQUESTS: dict[str, list[str]] = {
    "/v1/movies/{movie_id:segment}": ["/v1/movies/862", "/v1/movies/8844"],
    "/v1/movies": ["/v1/movies?query=toy"],
    "/v1/movies/{movie_id:segment}/similar": ["/v1/movies/862/similar"],
    "/v1/recommendations": ["/v1/recommendations?title=Heat", "/v1/recommendations?text=a cowboy doll"],
    "/v1/model": ["/v1/model"],
    "/v1/stats/releases/month/{month:text}": ["/v1/stats/releases/month/diciembre"],
    "/v1/stats/releases/weekday/{day:text}": ["/v1/stats/releases/weekday/lunes"],
    "/v1/titles/{title:text}/score": ["/v1/titles/Heat/score"],
    "/v1/titles/{title:text}/votes": ["/v1/titles/Heat/votes"],
    "/v1/titles/{title:text}/runtime": ["/v1/titles/Heat/runtime", "/v1/titles/Jumanji/runtime"],
    "/v1/titles/{title:text}/return": ["/v1/titles/Heat/return"],
    "/v1/actors/{name:text}": ["/v1/actors/Tom Hanks"],
    "/v1/directors/{name:text}": ["/v1/directors/Michael Mann"],
    "/v1/collections/{name:text}": ["/v1/collections/Toy Story"],
    "/v1/companies/{name:text}": ["/v1/companies/Pixar Animation Studios"],
    "/v1/countries/{country:text}": ["/v1/countries/US"],
    "/v1/languages/{language:text}": ["/v1/languages/en"],
    "/cantidad_filmaciones_mes/{mes:text}": ["/cantidad_filmaciones_mes/diciembre"],
    "/cantidad_filmaciones_dia/{dia:text}": ["/cantidad_filmaciones_dia/lunes"],
    "/peliculas_mes/{mes:text}": ["/peliculas_mes/diciembre"],
    "/peliculas_dia/{dia:text}": ["/peliculas_dia/lunes"],
    "/score_titulo/{titulo:text}": ["/score_titulo/Heat"],
    "/votos_titulo/{titulo:text}": ["/votos_titulo/Heat", "/votos_titulo/Toy Story"],
    "/get_actor/{nombre_actor:text}": ["/get_actor/Tom Hanks"],
    "/get_director/{nombre_director:text}": ["/get_director/Michael Mann"],
    "/recomendacion/{titulo:text}": ["/recomendacion/Heat"],
    "/peliculas_idioma/{idioma:text}": ["/peliculas_idioma/en"],
    "/peliculas_duracion/{pelicula:text}": ["/peliculas_duracion/Heat", "/peliculas_duracion/Jumanji"],
    "/franquicia/{franquicia:text}": ["/franquicia/Toy Story"],
    "/peliculas_pais/{pais:text}": ["/peliculas_pais/US"],
    "/productoras_exitosas/{productora:text}": ["/productoras_exitosas/Pixar Animation Studios"],
    "/productoras/{productora:text}": ["/productoras/Pixar Animation Studios"],
    "/retorno/{pelicula:text}": ["/retorno/Heat"],
    "/healthz": ["/healthz"],
    "/readyz": ["/readyz"],
    "/v1/releases": ["/v1/releases"],
    "/v1/releases/all": ["/v1/releases/all", "/v1/releases/all?limit=1"],
}
"""Real requests per route, answered 200 over the fakes."""

NOT_JSON = {
    "/docs": "HTML",
    "/redoc": "HTML",
    "/metrics": "Prometheus text",
    **dict.fromkeys(PAGES, "the web page's HTML shell (marquee_gateway/web.py): its script asks /v1 for the data"),
    "/static/{name:segment}": "the web page's scripts, stylesheet and icon",
    "/v1/releases/current/report": "the data report, an HTML page as the pipeline wrote it",
    "/v1/releases/{version:segment}/report": "the data report, an HTML page as the pipeline wrote it",
    "/v1/releases/current/report.json": "the data report's JSON document, sent byte for byte: the pipeline's, not ours",
    "/v1/releases/{version:segment}/report.json": "the data report's JSON document, sent byte for byte",
}
"""Routes answering no JSON made from a model, and what they answer instead."""
FILES = {
    "/metrics": "/metrics",
    "/v1/releases/current/report": "/v1/releases/current/report",
    "/v1/releases/{version:segment}/report": "/v1/releases/20260101T000000000Z-fake/report",
    "/v1/releases/current/report.json": "/v1/releases/current/report.json",
    "/v1/releases/{version:segment}/report.json": "/v1/releases/20260101T000000000Z-fake/report.json",
}
"""A real request for each route of NOT_JSON that the OpenAPI document lists, answered 200 over the fakes."""
MADE_BY_THE_GATEWAY = {ops.Health, ops.Ready, ops.Releases, ops.UpstreamReleases}
"""Answers made from no protobuf message."""
SURFACES = (v1, compat, ops)

ROUTES = {route.path: route for route in create_app(GatewaySettings()).routes if isinstance(route, APIRoute)}
ANSWERING = [path for path, route in ROUTES.items() if path not in NOT_JSON]


def test_every_route_answers_json_with_a_model_or_is_named_here() -> None:
    for path, route in ROUTES.items():
        assert (route.response_model is None) == (path in NOT_JSON), path
        assert path in REQUESTS or path in NOT_JSON, f"{path}: add a real request for it to REQUESTS"


@pytest.mark.parametrize("path", ANSWERING)
def test_real_answers_validate_strictly_against_the_declared_model(client: TestClient, path: str) -> None:
    model = ROUTES[path].response_model
    for url in REQUESTS[path]:
        reply = client.get(url)
        assert reply.status_code == 200, (url, reply.text)
        model.model_validate_json(reply.content, strict=True)


def test_every_route_without_a_model_that_the_document_lists_has_a_real_request_here() -> None:
    listed = {path for path, route in ROUTES.items() if path in NOT_JSON and route.include_in_schema}
    assert listed == set(FILES)


@pytest.mark.parametrize("path", FILES)
def test_routes_without_a_model_answer_the_one_media_type_their_document_states(client: TestClient, path: str) -> None:
    (documented,) = ROUTES[path].responses[200]["content"]
    reply = client.get(FILES[path])
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].split(";")[0] == documented.split(";")[0]


@pytest.mark.parametrize("path", ANSWERING)
def test_the_documented_example_validates_against_the_declared_model(path: str) -> None:
    route = ROUTES[path]
    example = route.responses[200]["content"]["application/json"]["example"]
    route.response_model.model_validate_json(json.dumps(example), strict=True)


# -- every proto field mapped or left out ------------------------------------------------------


class Recorder:
    """A protobuf message that notes each field read from it, by its path from the outermost message."""

    def __init__(self, message: Message, path: str, read: set[str]) -> None:
        self._message, self._path, self._read = message, path, read

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._message, name)
        field = self._message.DESCRIPTOR.fields_by_name.get(name)
        if field is None:
            return value
        path = f"{self._path}.{name}"
        self._read.add(path)
        if not is_message(field):
            return value
        if field.is_repeated:
            return [Recorder(item, path, self._read) for item in value]
        return Recorder(value, path, self._read)

    def HasField(self, name: str) -> bool:  # noqa: N802 (protobuf's name)
        self._read.add(f"{self._path}.{name}")
        return self._message.HasField(name)


def is_message(field: FieldDescriptor) -> bool:
    """A message field, not a map (a map is read whole)."""
    return field.message_type is not None and not field.message_type.GetOptions().map_entry


def sample(field: FieldDescriptor) -> Any:
    if field.enum_type is not None:
        return field.enum_type.values[-1].number
    return {FieldDescriptor.CPPTYPE_STRING: "x", FieldDescriptor.CPPTYPE_BOOL: True,
            FieldDescriptor.CPPTYPE_DOUBLE: 1.5, FieldDescriptor.CPPTYPE_FLOAT: 1.5}.get(field.cpp_type, 1)  # fmt: skip


def fill(message: Message) -> Message:
    """Every field of `message` set (one item in each list and map), recursively."""
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.message_type is not None and not is_message(field):
            value["x"] = sample(field.message_type.fields_by_name["value"])
        elif is_message(field):
            fill(value.add() if field.is_repeated else value)
        elif field.is_repeated:
            value.append(sample(field))
        else:
            setattr(message, field.name, sample(field))
    return message


def unread(descriptor: Descriptor, path: str, read: set[str]) -> Iterator[str]:
    """The fields under `path` that were not read; under a message field that was not read, only it."""
    for field in descriptor.fields:
        key = f"{path}.{field.name}"
        if key not in read:
            yield key
        elif is_message(field):
            yield from unread(field.message_type, key, read)


def answers_in(model: type[Answer]) -> Iterator[type[Answer]]:
    """`model` and the answers nested in its fields (in lists, dicts, optional), outermost first."""
    yield model
    for info in model.model_fields.values():
        for nested in answer_classes(info.annotation):
            yield from answers_in(nested)


def answer_classes(annotation: Any) -> Iterator[type[Answer]]:
    if isinstance(annotation, type) and issubclass(annotation, Answer):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from answer_classes(arg)


def made_from_proto(model: type[Answer]) -> Iterator[type[Answer]]:
    """The outermost answers made from a message: `model`, or those nested in what the gateway makes."""
    if model.proto is not None:
        yield model
        return
    assert model in MADE_BY_THE_GATEWAY, f"{model.__name__} has no proto: set one, or name it in MADE_BY_THE_GATEWAY"
    for nested in list(answers_in(model))[1:]:
        if nested.proto is not None or nested not in MADE_BY_THE_GATEWAY:
            yield from made_from_proto(nested)


def left_unread(model: type[Answer]) -> set[str]:
    """What `model.from_proto` does not read of a message with every field set; its output validates too."""
    assert model.proto is not None
    message, read = fill(model.proto()), set()
    root = message.DESCRIPTOR.full_name
    answer = model.from_proto(Recorder(message, root, read))
    model.model_validate_json(json.dumps(answer), strict=True)
    return set(unread(message.DESCRIPTOR, root, read))


def left_out(model: type[Answer]) -> dict[str, str]:
    table: dict[str, str] = sys.modules[model.__module__].LEFT_OUT
    return table


@pytest.mark.parametrize("path", ANSWERING)
def test_every_proto_field_is_answered_or_left_out_on_purpose(path: str) -> None:
    for model in made_from_proto(ROUTES[path].response_model):
        missing = left_unread(model) - left_out(model).keys()
        assert not missing, f"{model.__name__} does not answer {sorted(missing)}: map them, or add to LEFT_OUT why not"


@pytest.mark.parametrize("surface", SURFACES, ids=lambda module: module.__name__)
def test_left_out_names_only_fields_an_answer_really_leaves_out(surface: Any) -> None:
    unread_here = {
        key
        for route in ROUTES.values()
        if route.response_model is not None and route.response_model.__module__ == surface.__name__
        for model in made_from_proto(route.response_model)
        for key in left_unread(model)
    }
    assert set(surface.LEFT_OUT) <= unread_here, f"stale: {sorted(set(surface.LEFT_OUT) - unread_here)}"
    assert all(reason.strip() for reason in surface.LEFT_OUT.values())
