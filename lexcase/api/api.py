"""/api/v1: assembles each app's router; one error shape for every failure."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import Field

from lexcase.accounts.models import TokenScope
from lexcase.accounts.rules import is_client_contact, is_collaborator, second_factor_pending
from lexcase.accounts.services import api_token_authenticate
from lexcase.core.exceptions import AlreadySent, NotAllowed, StaleEdit
from lexcase.core.validators import nul_message, querydict_nul_fields, unstorable_message

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        grant = api_token_authenticate(token)
        if grant is None:
            return None
        user = grant.user
        # Portal users (client contacts) and outside helpers never reach the staff API,
        # whatever token they hold.
        if is_client_contact(user) or is_collaborator(user):
            return None
        # A token does not stand in for the second factor its owner's role requires.
        if second_factor_pending(user):
            raise NotAllowed(
                "accounts.second_factor",
                message=_("Your role requires two-factor authentication: set it up to continue."),
            )
        if grant.scope == TokenScope.READ and request.method not in SAFE_METHODS:
            raise NotAllowed("api.token_scope", message=_("This API token is read-only."))
        request.user = user
        return user


class GuardedParser(Parser):
    """Refuses NUL in form fields, which include multipart uploads' text fields: the
    request guard (core/middleware.py) checks path, query and JSON bodies, but cannot read
    a multipart body before the view chooses its upload handlers."""

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        fields = querydict_nul_fields(data)
        if fields:
            raise DjangoValidationError({field: [nul_message()] for field in fields})
        return super().parse_querydict(data, list_fields, request)


class ErrorOut(Schema):
    field: str = Field(description="The input field at fault (dotted path), or `__all__`")
    message: str = Field(description="In the caller's language (Accept-Language)")


class ErrorsOut(Schema):
    """The one error shape of every /api/ response with a 4xx or 5xx status."""

    errors: list[ErrorOut]


# The error statuses an operation may answer with, by whether it takes a request body.
# Declared on every operation (clients and the schemathesis run read them from the
# document); an operation's own declaration of a status wins.
ERROR_STATUSES_ANY = {
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found, or not visible to the caller",
    422: "Invalid input: one entry per field at fault",
}
ERROR_STATUSES_WITH_BODY = {
    400: "Malformed request body",
    409: "Changed by someone else since it was read (stale `version`)",
    413: "Request body too large",
}
BODY_METHODS = {"post", "put", "patch", "delete"}


class LexCaseAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        errors_schema = ErrorsOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(errors_schema.pop("$defs", {}))
        components["ErrorsOut"] = errors_schema
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorsOut"}}}
        for item in schema["paths"].values():
            for method, operation in item.items():
                statuses = dict(ERROR_STATUSES_ANY)
                if method in BODY_METHODS:
                    statuses |= ERROR_STATUSES_WITH_BODY
                responses = operation.setdefault("responses", {})
                for status, description in sorted(statuses.items()):
                    responses.setdefault(status, {"description": description, "content": content})
        return schema


api = LexCaseAPI(
    title="LexCase API",
    version="1",
    auth=BearerToken(),
    urls_namespace="api",
    docs_url=None,
    parser=GuardedParser(),
)


def _errors(request: HttpRequest, status: int, errors: list[dict[str, str]]) -> HttpResponse:
    return api.create_response(request, {"errors": errors}, status=status)


PARAM_SOURCES = ("body", "query", "path", "file", "form", "header", "cookie")


def _limit(ctx: dict[str, Any], key: str) -> str:
    return str(ctx.get(key, ""))


def schema_error_message(error: dict[str, Any]) -> str:
    """A schema error's message in the request's language: pydantic writes its own in
    English (\"Field required\"); our own errors (PydanticCustomError: the civil range, the
    wall clock) are translated already. An unknown kind keeps pydantic's text."""
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = error.get("ctx") or {}
    family = kind.split("_", 1)[0]
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "string_unicode":
        return unstorable_message("\ud800") or ""
    if kind == "string_too_long":
        return _("At most %(n)d characters.") % {"n": ctx.get("max_length", 0)}
    if kind == "string_too_short":
        return _("At least %(n)d characters.") % {"n": ctx.get("min_length", 0)}
    if kind in ("too_long", "too_short"):
        limit = _limit(ctx, "max_length" if kind == "too_long" else "min_length")
        if kind == "too_long":
            return _("At most %(n)s items.") % {"n": limit}
        return _("At least %(n)s items.") % {"n": limit}
    if kind in ("literal_error", "enum"):
        return _("Choose one of %(choices)s.") % {"choices": _limit(ctx, "expected")}
    if kind == "greater_than_equal":
        return _("Enter a value of at least %(limit)s.") % {"limit": _limit(ctx, "ge")}
    if kind == "greater_than":
        return _("Enter a value greater than %(limit)s.") % {"limit": _limit(ctx, "gt")}
    if kind == "less_than_equal":
        return _("Enter a value of at most %(limit)s.") % {"limit": _limit(ctx, "le")}
    if kind == "less_than":
        return _("Enter a value less than %(limit)s.") % {"limit": _limit(ctx, "lt")}
    if kind == "decimal_max_places":
        places = int(ctx.get("decimal_places", 0))
        return ngettext(
            "Ensure that there are no more than %(max)s decimal place.",
            "Ensure that there are no more than %(max)s decimal places.",
            places,
        ) % {"max": places}
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return _("This number has too many digits.")
    if kind in ("int_type", "int_parsing", "int_parsing_size", "int_from_float"):
        return _("Enter a whole number.")
    if family in ("float", "decimal") or kind == "finite_number":
        return _("Enter a number.")
    if family == "string":
        return _("Expected text.")
    if family == "bool":
        return _("Enter true or false.")
    if family == "date":
        return _("Enter a date as YYYY-MM-DD.")
    if family == "datetime":
        return _("Enter a date and time as YYYY-MM-DDTHH:MM.")
    if family == "time":
        return _("Enter a time as HH:MM.")
    if kind in ("list_type", "tuple_type", "set_type", "frozen_set_type"):
        return _("Expected a list.")
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return _("Expected an object.")
    return str(error.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        # loc is ("body", "payload", "field", ...) or ("query", "field"): keep the field path.
        loc = [str(p) for p in error.get("loc", ())]
        if loc and loc[0] in PARAM_SOURCES:  # ("file", "file") names the field once
            loc = loc[1:]
        loc = [p for p in loc if p != "payload"]
        errors.append({"field": ".".join(loc) or "__all__", "message": schema_error_message(error)})
    return _errors(request, 422, errors)


@api.exception_handler(DjangoValidationError)
def on_service_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "__all__", "message": m} for m in exc.messages]
    return _errors(request, 422, errors)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _errors(request, 404, [{"field": "__all__", "message": _("Not found.")}])


@api.exception_handler(NotAllowed)
def on_not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    message = exc.message or _("You may not do this on this matter.")
    return _errors(
        request, 403, [{"field": field, "message": message} for field in exc.fields or ("__all__",)]
    )


@api.exception_handler(StaleEdit)
def on_stale(request: HttpRequest, exc: StaleEdit) -> HttpResponse:
    return _errors(
        request,
        409,
        [{"field": "version", "message": _("The object was changed by someone else; reload it.")}],
    )


@api.exception_handler(AlreadySent)
def on_already_sent(request: HttpRequest, exc: AlreadySent) -> HttpResponse:
    # The same Idempotency-Key again (core.once): the first request's write stands.
    return _errors(
        request,
        409,
        [
            {
                "field": "__all__",
                "message": _(
                    "A request with this Idempotency-Key was already carried out; it was "
                    "not carried out a second time."
                ),
            }
        ],
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # e.g. a body that is not JSON (400): django-ninja's English "Cannot parse request body".
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("The request body cannot be read as JSON.")
    return _errors(request, exc.status_code, [{"field": "__all__", "message": message}])


@api.exception_handler(AuthenticationError)
def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _errors(request, 401, [{"field": "__all__", "message": _("Authentication required.")}])


from lexcase.billing.api import router as billing_router  # noqa: E402
from lexcase.calendar.api import router as calendar_router  # noqa: E402
from lexcase.comms.api import router as comms_router  # noqa: E402
from lexcase.conflicts.api import router as conflicts_router  # noqa: E402
from lexcase.documents.api import router as documents_router  # noqa: E402
from lexcase.insights.api import router as insights_router  # noqa: E402
from lexcase.matters.api import router as matters_router  # noqa: E402
from lexcase.matters.party_api import router as parties_router  # noqa: E402
from lexcase.papers.api import router as papers_router  # noqa: E402
from lexcase.portal.api import router as portal_router  # noqa: E402
from lexcase.reviews.api import router as reviews_router  # noqa: E402
from lexcase.search.api import router as search_router  # noqa: E402
from lexcase.todos.api import router as todos_router  # noqa: E402

api.add_router("/parties", parties_router)
api.add_router("/matters", matters_router)
api.add_router("", calendar_router)
api.add_router("", comms_router)
api.add_router("", conflicts_router)
api.add_router("", todos_router)
api.add_router("", documents_router)
api.add_router("", search_router)
api.add_router("", portal_router)
api.add_router("", billing_router)
api.add_router("", insights_router)
api.add_router("", reviews_router)
api.add_router("", papers_router)
