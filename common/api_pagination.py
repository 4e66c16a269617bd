"""Pagination of the API's lists (../shared/api.md, "Conventions").

Every list takes `?limit=` (default 100, at most 500) and `?offset=`; the body stays
a bare JSON list, the total is in the `X-Total-Count` header and the next page in
`Link: <…>; rel="next"` (absent on the last page). Built on django-ninja's own
pagination hooks (`ninja.pagination.paginate`), with an output that stays the
endpoint's declared `list[...]` so the OpenAPI schema still describes the body; the
two headers and the parameters' bounds are added to the schema.

Use:
- `Router` (this module's) instead of ninja's: every GET whose 200 response is a
  list is paginated, nothing to remember for a new list endpoint;
- or `@paginated` under the route decorator of a single endpoint.

A view returns a queryset (sliced in SQL, counted with COUNT(*)), a list, or
`Rows(queryset, to_documents)` so that only the page's rows are turned into JSON
(and their totals computed): `to_documents` receives the page's objects.

The headers reach the response through the temporal response ninja creates before
calling the view (`NinjaAPI.create_temporal_response`, kept on the request by this
module's `NinjaAPI`)."""

import copy
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import urlencode

import ninja
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema
from ninja.pagination import PaginationBase, paginate
from ninja.signature.details import is_collection_type
from ninja.utils import contribute_operation_callback

from common.api_input import loose
from common.errors import InvalidInput

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# Beyond any real list; keeps the SQL OFFSET far from the database's integer limits.
MAX_OFFSET = 10**9

TOTAL_HEADER = "X-Total-Count"
_TEMPORAL_RESPONSE = "_api_temporal_response"


class Rows:
    """A queryset (or list) whose page only is turned into documents.

    `to_documents(page)` receives the page's objects (a list) and returns their JSON
    documents in the same order: per-page totals and permission flags are computed
    for those rows only. `total`, when known, spares the COUNT query."""

    def __init__(self, rows, to_documents: Callable[[list], list], total: int | None = None):
        self.rows = rows
        self.to_documents = to_documents
        self.total = total


def _integer(value, name, low, high, default):
    if value is None or value == "":
        return default
    message = _("Nombre entier entre %(low)s et %(high)s attendu.") % {
        "low": low,
        "high": f"{high:_}".replace("_", "\u202f"),
    }
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise InvalidInput(_("Paramètre de pagination invalide."), {name: [message]})
    number = int(text)
    if not low <= number <= high:
        raise InvalidInput(_("Paramètre de pagination invalide."), {name: [message]})
    return number


class ListPagination(PaginationBase):
    """`limit`/`offset` pagination whose body stays the bare list (no `Output`)."""

    class Input(Schema):
        # Loose: the bounds are checked here, with a French message (400), not by
        # pydantic; the schema still documents integers and their bounds.
        limit: loose(
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            allow_null=False,
        ) = Field(
            None,
            description=f"Nombre d'éléments de la page (défaut {DEFAULT_LIMIT}, au plus {MAX_LIMIT}).",
        )
        offset: loose(
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
            allow_null=False,
        ) = Field(None, description="Nombre d'éléments à sauter (défaut 0).")

    InputSource = Query(...)
    Output = None  # the endpoint's own `list[...]` stays the response schema

    def paginate_queryset(self, items, pagination, request, **params):
        limit = _integer(pagination.limit, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
        offset = _integer(pagination.offset, "offset", 0, MAX_OFFSET, 0)
        to_documents = None
        if isinstance(items, Rows):
            items, to_documents, total = items.rows, items.to_documents, items.total
        else:
            total = None
        if not isinstance(items, QuerySet):
            items = list(items)
        page = list(items[offset : offset + limit])
        if total is None:
            # Always counted (one COUNT query): the same queries whatever the list's length.
            total = items.count() if isinstance(items, QuerySet) else len(items)
        if to_documents is not None:
            page = to_documents(page)
        response = getattr(request, _TEMPORAL_RESPONSE, None)
        if response is not None:
            response[TOTAL_HEADER] = str(total)
            if offset + limit < total:
                response["Link"] = f'<{next_url(request, limit, offset + limit)}>; rel="next"'
        return page


def next_url(request, limit, offset):
    """The same URL (filters kept) with the next page's `limit` and `offset`."""
    query = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in ("limit", "offset")
        for value in values
    ]
    query += [("limit", limit), ("offset", offset)]
    return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")


_HEADERS_DOC = {
    TOTAL_HEADER: {
        "description": "Nombre total d'éléments de la liste (toutes pages).",
        "schema": {"type": "integer", "minimum": 0},
    },
    "Link": {
        "description": 'Page suivante : `<URL>; rel="next"` (absent sur la dernière page).',
        "schema": {"type": "string"},
    },
}


def _document_headers(operation):
    extra = copy.deepcopy(operation.openapi_extra or {})
    responses = extra.setdefault("responses", {})
    responses.setdefault(200, {}).setdefault("headers", {}).update(_HEADERS_DOC)
    operation.openapi_extra = extra


def paginated(func):
    """Paginate one list endpoint (put it under the route decorator)."""
    view = paginate(ListPagination)(func)
    contribute_operation_callback(view, _document_headers)
    return view


def returns_list(response) -> bool:
    if isinstance(response, dict):
        response = response.get(200)
    return response is not None and is_collection_type(response)


# Statuses any operation may answer, in ErrorOut's shape (common.errors, config.api): a
# missing or bad token (401; 429 once an address sent too many bad ones), a malformed
# or refused body (400; 413 too large), a role (403), an object (404) or a state (409)
# that does not allow it. Documented on every operation so that clients, and the schema
# checks (tests/audit/test_schemathesis.py), know them.
COMMON_ERRORS = (400, 401, 403, 404, 409, 429)
ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}  # declared by the dossier operations
BODY_ERRORS = (413,)


def document_errors(methods, kwargs):
    """kwargs["openapi_extra"] with the error statuses the operation does not declare."""
    response = kwargs.get("response")
    declared = set(response) if isinstance(response, dict) else set()
    codes = COMMON_ERRORS + (BODY_ERRORS if set(methods) & {"POST", "PUT", "PATCH"} else ())
    extra = copy.deepcopy(kwargs.get("openapi_extra") or {})
    responses = extra.setdefault("responses", {})
    for code in codes:
        if code not in declared and code not in responses and str(code) not in responses:
            responses[code] = {
                "description": HTTPStatus(code).phrase,
                "content": {"application/json": {"schema": ERROR_SCHEMA}},
            }
    return extra


class Router(ninja.Router):
    """ninja's Router, paginating every GET whose 200 response is a list and documenting
    the error statuses every operation may answer."""

    def add_api_operation(self, path, methods, view_func, **kwargs):
        if methods == ["GET"] and returns_list(kwargs.get("response")):
            view_func = paginated(view_func)
        kwargs["openapi_extra"] = document_errors(methods, kwargs)
        return super().add_api_operation(path, methods, view_func, **kwargs)


class NinjaAPI(ninja.NinjaAPI):
    """ninja's NinjaAPI, keeping the response it prepares for the view on the request,
    where the pagination sets its headers."""

    def create_temporal_response(self, request):
        response = super().create_temporal_response(request)
        setattr(request, _TEMPORAL_RESPONSE, response)
        return response
