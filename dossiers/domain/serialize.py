"""The dossier document: one shape for the API, the snapshots and the exports (api.md)."""

import hashlib
import json
from decimal import Decimal

from common.money import money_str
from common.prepared import prepared
from dossiers.enums import LineNature
from dossiers.models import FundingLine, Project

_ZERO = Decimal("0.00")
_NATURES = frozenset(LineNature.values)


def _date(value):
    return value.isoformat() if value else None


def _money_str(amount):
    """money_str: the database's amounts already have their two decimals."""
    if type(amount) is Decimal and amount.as_tuple().exponent == -2:
        return format(amount, "f")
    return money_str(amount)


def line_document(line, *, show_proposal, show_grant):
    return {
        "id": line.id,
        "label": line.label,
        "nature": line.nature,
        "category": line.category,
        "etp": str(line.etp) if line.etp is not None else None,
        "staff_profile": line.staff_profile,
        "amount": money_str(line.amount),
        "first_year": line.first_year,
        "beneficiary_finess": line.beneficiary_finess,
        "proposed": money_str(line.proposed) if show_proposal else None,
        "proposal_opinion": (line.proposal_opinion or None) if show_proposal else None,
        "granted": money_str(line.granted) if show_grant else None,
        "start_month": _date(line.start_month) if show_grant else None,
    }


def project_document(project, *, show_proposal=False, show_grant=False):
    return {
        "id": project.id,
        "priority": project.priority,
        "title": project.title,
        "objectives": project.objectives,
        "actions": project.actions,
        "start": _date(project.start),
        "end": _date(project.end),
        "pilot": project.pilot,
        "partners": project.partners,
        "indicators": project.indicators,
        "swot_items": project.swot_items,
        "missions": project.missions,
        "lines": [
            line_document(line, show_proposal=show_proposal, show_grant=show_grant)
            for line in project.lines.all()
        ],
    }


def totals(projects, *, show_grant):
    sums = {
        "requested_recurring": Decimal(0),
        "requested_one_off": Decimal(0),
        "granted_recurring": Decimal(0),
        "granted_one_off": Decimal(0),
    }
    for project in projects:
        for line in project.lines.all():
            kind = "recurring" if line.nature == LineNature.RECURRING else "one_off"
            sums[f"requested_{kind}"] += line.amount or 0
            sums[f"granted_{kind}"] += line.granted or 0
    result = {key: money_str(value) for key, value in sums.items()}
    if not show_grant:
        result["granted_recurring"] = result["granted_one_off"] = None
    return result


# project_documents' columns: what project_document and line_document read.
_PROJECT_FIELDS = (
    "id",
    "priority",
    "title",
    "objectives",
    "actions",
    "start",
    "end",
    "pilot",
    "partners",
    "indicators",
    "swot_items",
    "missions",
)
_LINE_FIELDS = (
    "project_id",
    "id",
    "label",
    "nature",
    "category",
    "etp",
    "staff_profile",
    "amount",
    "first_year",
    "beneficiary_finess",
    "proposed",
    "proposal_opinion",
    "granted",
    "start_month",
)


_SHEET_SUMS = tuple(
    f"{name}_{kind}"
    for name in ("requested", "proposed", "granted")
    for kind in ("recurring", "one_off")
)


@prepared
def _line_rows(dossier_id):
    return (
        FundingLine.objects.filter(project__dossier_id=dossier_id)
        .order_by("project_id", "id")
        .values_list(*_LINE_FIELDS)
    )


@prepared
def _project_rows(dossier_id):
    return (
        Project.objects.filter(dossier_id=dossier_id)
        .order_by("priority", "id")
        .values_list(*_PROJECT_FIELDS)
    )


def project_documents(dossier, *, show_proposal=False, show_grant=False, sheet_sums=None):
    """[project_document] of the dossier's sheets (in the order of the dossier page:
    priority, id) and the document's `totals`, read as plain values in two queries: a
    large dossier has forty sheets and a hundred lines, whose model instances cost more
    than the dossier page's use of them. Same values as project_document, line_document
    and totals (tests/dossiers/test_document_values.py compares them).

    `sheet_sums`, a dict, receives each sheet's sums of the lines read here, as
    totals.dossier_line_totals gives them ({project_id: {"requested_recurring": …,
    "proposed_…", "granted_…"}}, 0.00 where nothing to add, sheets with lines only):
    exact decimals of the rows already read, instead of one more query."""
    lines_of = {}
    sums = dict.fromkeys(
        ("requested_recurring", "requested_one_off", "granted_recurring", "granted_one_off"),
        Decimal(0),
    )
    recurring = LineNature.RECURRING
    for (
        project_id,
        line_id,
        label,
        nature,
        category,
        etp,
        staff_profile,
        amount,
        first_year,
        beneficiary_finess,
        proposed,
        proposal_opinion,
        granted,
        start_month,
    ) in _line_rows(dossier.pk):
        # line_document, written out: a hundred lines on a large dossier.
        lines_of.setdefault(project_id, []).append(
            {
                "id": line_id,
                "label": label,
                "nature": nature,
                "category": category,
                "etp": str(etp) if etp is not None else None,
                "staff_profile": staff_profile,
                "amount": _money_str(amount),
                "first_year": first_year,
                "beneficiary_finess": beneficiary_finess,
                "proposed": _money_str(proposed) if show_proposal else None,
                "proposal_opinion": (proposal_opinion or None) if show_proposal else None,
                "granted": _money_str(granted) if show_grant else None,
                "start_month": _date(start_month) if show_grant else None,
            }
        )
        kind = "recurring" if nature == recurring else "one_off"
        sums[f"requested_{kind}"] += amount or 0
        sums[f"granted_{kind}"] += granted or 0
        if sheet_sums is not None and nature in _NATURES:
            sheet = sheet_sums.get(project_id)
            if sheet is None:
                sheet = sheet_sums[project_id] = dict.fromkeys(_SHEET_SUMS, _ZERO)
            if amount is not None:
                sheet[f"requested_{kind}"] += amount
            if proposed is not None:
                sheet[f"proposed_{kind}"] += proposed
            if granted is not None:
                sheet[f"granted_{kind}"] += granted
    projects = []
    for row in _project_rows(dossier.pk):
        project = dict(zip(_PROJECT_FIELDS, row, strict=True))
        project["start"], project["end"] = _date(project["start"]), _date(project["end"])
        project["lines"] = lines_of.get(project["id"], [])
        projects.append(project)
    document_totals = {key: money_str(value) for key, value in sums.items()}
    if not show_grant:
        document_totals["granted_recurring"] = document_totals["granted_one_off"] = None
    return projects, document_totals


def dossier_document(
    dossier,
    *,
    show_proposal=False,
    show_grant=False,
    attachments=True,
    read_values=False,
    sheet_sums=None,
):
    """Everything about a dossier. Callers decide what the reader may see.

    Pass a dossier fetched with dossiers.domain.access.with_document_relations
    to avoid a query per project, or `read_values=True` to read its sheets and lines as
    plain values (project_documents: two queries; `sheet_sums`: see there)."""
    if read_values:
        project_docs, document_totals = project_documents(
            dossier, show_proposal=show_proposal, show_grant=show_grant, sheet_sums=sheet_sums
        )
    else:
        projects = list(dossier.projects.all())
        project_docs = [
            project_document(p, show_proposal=show_proposal, show_grant=show_grant)
            for p in projects
        ]
        document_totals = totals(projects, show_grant=show_grant)
    document = {
        "id": dossier.id,
        "campaign": dossier.campaign.slug,
        "filiere": dossier.filiere.slug,
        "state": dossier.state,
        "outcome": (dossier.outcome or None) if show_grant else None,
        "recognised": dossier.recognised if show_grant else None,
        "version": dossier.version,
        "submitted_at": dossier.submitted_at.isoformat() if dossier.submitted_at else None,
        "identity": dossier.identity or {},
        "diagnostic": dossier.diagnostic or {},
        "swot": dossier.swot or {},
        "projects": project_docs,
        "totals": document_totals,
    }
    if dossier.return_message:
        document["completion_request"] = {
            "message": dossier.return_message,
            "due_date": _date(dossier.return_due_date),
        }
    if attachments:
        document["attachments"] = [
            {
                "id": a.id,
                "section": a.section,
                "project": a.project_id,
                "name": a.name,
                "size": a.size,
                "content_type": a.content_type,
                "sha256": a.sha256,
            }
            for a in dossier.attachments.all()
            if a.removed_at is None
        ]
    return document


_STRING = json.encoder.encode_basestring  # the C encoder of json.dumps(ensure_ascii=False)
_FLOAT = float.__repr__
_INT = int.__repr__


def _scalar(value):
    """A value that is not a container, as json.dumps writes it (TypeError if not JSON)."""
    kind = type(value)
    if kind is str:
        return _STRING(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return _INT(value)
    if kind is float and value == value and value not in (float("inf"), float("-inf")):
        return _FLOAT(value)
    raise TypeError(kind)


def _indented(value, out, indent):
    """Append the parts of json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    to `out`; TypeError for anything but what json.loads makes (a snapshot's content)."""
    kind = type(value)
    if kind is dict:
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        separator = ",\n" + inner
        out.append("{\n" + inner)
        first = True
        for key in sorted(value):
            if type(key) is not str:
                raise TypeError(key)
            if not first:
                out.append(separator)
            first = False
            item = value[key]
            kind = type(item)
            if kind is dict or kind is list:
                out.append(_STRING(key) + ": ")
                _indented(item, out, inner)
            else:
                out.append(_STRING(key) + ": " + (_STRING(item) if kind is str else _scalar(item)))
        out.append("\n" + indent + "}")
    elif kind is list:
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        separator = ",\n" + inner
        out.append("[\n" + inner)
        first = True
        for item in value:
            if not first:
                out.append(separator)
            first = False
            kind = type(item)
            if kind is dict or kind is list:
                _indented(item, out, inner)
            else:
                out.append(_STRING(item) if kind is str else _scalar(item))
        out.append("\n" + indent + "]")
    else:
        out.append(_scalar(value))


def readable_json(document):
    """json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True), the same text:
    with an indent, json.dumps runs its pure-Python encoder, token by token (a large
    deposit's page spent a tenth of its time there). Anything json.loads does not make
    goes to json.dumps itself."""
    out = []
    try:
        _indented(document, out, "")
    except (TypeError, RecursionError):
        return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True)
    return "".join(out)


def content_hash(document):
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
