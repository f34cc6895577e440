"""Meta-tests over every API operation: unambiguous schema names, bounded temporal inputs."""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections import defaultdict
from collections.abc import Iterator

from pydantic import BaseModel

from lexcase.api.api import api
from lexcase.core.schema import CivilRange


def _operations() -> Iterator[tuple[str, typing.Any]]:
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                yield f"{','.join(operation.methods)} {path}", operation


def _models_in(annotation: typing.Any, seen: set[type]) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models_in(field.annotation, seen)
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg, seen)


def _schema_models(operation: typing.Any) -> Iterator[type[BaseModel]]:
    """The named schemas an operation's inputs and responses are built from (ninja's own
    per-operation parameter wrappers excluded: they never become components)."""
    seen: set[type] = set()
    for wrapper in operation.models:
        for field in wrapper.model_fields.values():
            yield from _models_in(field.annotation, seen)
    for response in operation.response_models.values():
        if isinstance(response, type) and issubclass(response, BaseModel):
            for field in response.model_fields.values():  # ninja wraps it in `response`
                yield from _models_in(field.annotation, seen)


def test_every_schema_name_belongs_to_one_class():
    by_name: dict[str, set[str]] = defaultdict(set)
    for _label, operation in _operations():
        for model in _schema_models(operation):
            by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: sorted(owners) for name, owners in by_name.items() if len(owners) > 1}
    assert clashes == {}


def test_every_schema_component_describes_its_own_class():
    components = api.get_openapi_schema()["components"]["schemas"]
    merged = []
    for _label, operation in _operations():
        for model in _schema_models(operation):
            component = components.get(model.__name__, {})
            fields = {f.alias or name for name, f in model.model_fields.items()}
            if set(component.get("properties", {})) != fields:
                merged.append(f"{model.__module__}.{model.__qualname__}")
    # A namesake overwrote the component: clients see the wrong fields for one of them.
    assert sorted(set(merged)) == []


TEMPORAL = (dt.date, dt.datetime, dt.time)


def _unbounded(annotation: typing.Any, path: str, seen: set[type]) -> Iterator[str]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        if any(isinstance(m, CivilRange) for m in metadata):
            return
        yield from _unbounded(base, path, seen)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for name, field in annotation.model_fields.items():
            if any(isinstance(m, CivilRange) for m in field.metadata):
                continue
            yield from _unbounded(field.annotation, f"{path}.{name}", seen)
    elif isinstance(annotation, type) and issubclass(annotation, TEMPORAL):
        yield path
    elif origin in (typing.Union, types.UnionType, list, tuple, dict, set):
        for arg in typing.get_args(annotation):
            yield from _unbounded(arg, path, seen)


def test_every_date_and_time_input_is_bounded_to_the_civil_range():
    unbounded = []
    for label, operation in _operations():
        for wrapper in operation.models:
            unbounded += _unbounded(wrapper, label, set())
    assert unbounded == []


def test_the_walker_finds_a_bare_date():
    class Probe(BaseModel):
        when: dt.date | None = None
        nested: list[dict[str, dt.datetime]] = []

    assert sorted(_unbounded(Probe, "probe", set())) == ["probe.nested", "probe.when"]


def _inputs(document: dict) -> Iterator[tuple[str, dict]]:
    """(where, JSON schema) of every parameter and request body schema, components expanded
    by name (each component once)."""
    components = document["components"]["schemas"]
    seen: set[str] = set()

    def walk(node: object, where: str) -> Iterator[tuple[str, dict]]:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    yield from walk(components[name], name)
                return
            yield where, node
            for key, value in node.items():
                yield from walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}.{index}")

    for path, item in document["paths"].items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                yield from walk(parameter["schema"], f"{label} {parameter['name']}")
            yield from walk(operation.get("requestBody", {}), f"{label} body")


def test_every_integer_an_operation_accepts_has_a_maximum():
    # An unbounded integer reaching a query overflows the column (HTTP 500): ids use
    # core.schema.Id, counters Version. (Amounts: core.schema.Amount, or a service's own
    # check against core.validators.MAX_AMOUNT with a field error.)
    unbounded = [
        where
        for where, node in _inputs(api.get_openapi_schema())
        if node.get("type") == "integer"
        and "maximum" not in node
        and "exclusiveMaximum" not in node
    ]
    assert unbounded == []


def test_every_operation_documents_its_errors_in_the_error_shape():
    document = api.get_openapi_schema()
    assert document["components"]["schemas"]["ErrorsOut"]["properties"]["errors"]["items"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    undocumented = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            expected = {401, 403, 404, 422} | (
                {400, 409, 413} if method in ("post", "put", "patch", "delete") else set()
            )
            for status in expected:
                schema = (
                    operation["responses"]
                    .get(status, {})
                    .get("content", {})
                    .get("application/json", {})
                    .get("schema", {})
                )
                if schema.get("$ref", "").rsplit("/", 1)[-1] not in (
                    "ErrorsOut",
                    "ConflictCheckRefusedOut",
                ):
                    undocumented.append(f"{method.upper()} {path} {status}")
    assert undocumented == []
