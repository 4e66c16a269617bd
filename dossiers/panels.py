"""The instruction panels of the staff's dossier page (issue 11, item 9; decision 0054).

One page per dossier, `/dossiers/<id>/`, for everyone who may see the dossier. The apps
above `dossiers` (scoring: reviewers, reviews, synthesis, internal comments; budget:
the proposal and the decision) add their part of the instruction to it without
`dossiers` importing them: each registers a `Panel` in its `AppConfig.ready()`, and the
dossier page renders, in their order, the panels whose `visible(user, dossier)` holds
(a django-rules predicate's `test`, tested with the dossier: role *and* region).

A panel's `context(request, dossier, page=None, **overrides)` returns what its template
needs; `page` is what the dossier page has already read (PageData: its stored totals, its
snapshots, its sheets), for the panel not to read it again; `overrides` are what a form view of that
panel passes back when it shows the page again with a refused form
(`dossier_page(..., panels={"evaluation": {"review_form": form}})`).
Whether anyone sees a panel is decided here, on the server, per request; the dossier
itself is already loaded through `get_visible_dossier_or_404` (region scoping)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Panel:
    key: str  # the section's id on the page (its anchor) and its registry key
    title: str  # the entry of the page's summary (a lazy translation)
    template: str
    visible: Callable  # (user, dossier) -> bool
    context: Callable  # (request, dossier, page=None, **overrides) -> dict
    order: int = 100


@dataclass(frozen=True)
class PageData:
    """What the dossier page has read in this request, that the panels show too."""

    totals: dict  # dossiers.domain.totals.dossier_totals(dossier)
    snapshots: list  # the dossier's deposits by number (dossiers.queries.SnapshotRow)
    projects: list  # its sheets ({"id", "title", "priority", …}: serialize.project_documents)


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    title: str
    html: str


_registry: dict[str, Panel] = {}


def register(panel):
    """Add (or replace, by key: ready() may run twice in tests) a panel."""
    _registry[panel.key] = panel
    return panel


def registered():
    return sorted(_registry.values(), key=lambda panel: (panel.order, panel.key))


def visible_panels(user, dossier):
    return [panel for panel in registered() if panel.visible(user, dossier)]


def render_panels(request, dossier, overrides=None, page=None):
    """[RenderedPanel] of the panels this person may see on this dossier (`page`: the
    PageData the dossier page has)."""
    overrides = overrides or {}
    rendered = []
    for panel in visible_panels(request.user, dossier):
        context = panel.context(request, dossier, page=page, **overrides.get(panel.key, {}))
        context.setdefault("dossier", dossier)
        context.setdefault("panel_key", panel.key)
        html = render_to_string(panel.template, context, request=request)
        rendered.append(RenderedPanel(panel.key, panel.title, html))
    return rendered
