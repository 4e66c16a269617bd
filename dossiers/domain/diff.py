"""What changed between two snapshots of a dossier ("reviewers can see
what changed").

`diff_snapshots(old_content, new_content)` compares two snapshot documents
(dossiers.domain.serialize.dossier_document):
- the identity sheet, diagnostic and SWOT field by field, each change with
  its path (e.g. "identity.coordinator.email"), a French label, the old and
  the new value (raw and displayed); members are matched by FINESS, SIRET or
  name, missions by code; for lists of texts (SWOT), the items added and
  removed;
- the project sheets project by project, matched by id: added, removed, and
  for the others the changed fields and the funding lines added, removed or
  changed (amounts shown in euros);
- the requested totals and the attachments (added or removed).
Internal fields (state, version, proposals, grants) are ignored."""

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.money import format_eur
from dossiers.enums import (
    DIAGNOSTIC_ANALYSES,
    LegalStatus,
    LineCategory,
    LineNature,
    MemberRole,
    MemberType,
    Mission,
    MissionStatus,
)

SECTION_LABELS = {
    "identity": gettext_lazy("Fiche d'identité"),
    "diagnostic": gettext_lazy("Diagnostic territorial"),
    "swot": gettext_lazy("Analyse AFOM (SWOT)"),
}
IDENTITY_FIELDS = [
    ("name", gettext_lazy("Nom de la filière"), "text"),
    ("lead_structure.name", gettext_lazy("Structure porteuse : nom"), "text"),
    ("lead_structure.finess", gettext_lazy("Structure porteuse : FINESS"), "text"),
    ("lead_structure.legal_status", gettext_lazy("Structure porteuse : statut"), LegalStatus),
    ("lead_structure.address", gettext_lazy("Structure porteuse : adresse postale"), "text"),
    (
        "lead_structure.representative_name",
        gettext_lazy("Structure porteuse : représentant légal"),
        "text",
    ),
    (
        "lead_structure.representative_title",
        gettext_lazy("Structure porteuse : qualité du représentant légal"),
        "text",
    ),
    ("coordinator.name", gettext_lazy("Coordination : nom"), "text"),
    ("coordinator.email", gettext_lazy("Coordination : adresse électronique"), "text"),
    ("coordinator.phone", gettext_lazy("Coordination : téléphone"), "text"),
    ("communes", gettext_lazy("Communes ou EPCI couverts"), "text"),
    ("territory_notes", gettext_lazy("Précisions sur le territoire"), "text"),
    ("governance", gettext_lazy("Gouvernance"), "text"),
    ("convention_signed", gettext_lazy("Convention de partenariat signée"), "bool"),
    (
        "actors_justification",
        gettext_lazy("Acteurs de l'appel absents : justification"),
        "text",
    ),
]
MEMBER_FIELDS = [
    ("type", gettext_lazy("type"), MemberType),
    ("name", gettext_lazy("nom"), "text"),
    ("finess", gettext_lazy("FINESS"), "text"),
    ("siret", gettext_lazy("SIRET"), "text"),
    ("role", gettext_lazy("rôle"), MemberRole),
]
DIAGNOSTIC_FIELDS = [
    ("population", gettext_lazy("Population"), "number"),
    ("minors", gettext_lazy("Population : dont mineurs"), "number"),
    ("over_75", gettext_lazy("Population : dont plus de 75 ans"), "number"),
    ("area_km2", gettext_lazy("Superficie (km²)"), "number"),
    ("access_notes", gettext_lazy("Accessibilité, temps de trajet"), "text"),
    ("lisp_beds", gettext_lazy("Lits identifiés de soins palliatifs (LISP)"), "number"),
    ("usp_beds", gettext_lazy("Lits d'unité de soins palliatifs (USP)"), "number"),
    ("emsp_count", gettext_lazy("Équipes mobiles de soins palliatifs (EMSP)"), "number"),
    ("had_count", gettext_lazy("Hospitalisation à domicile (HAD)"), "number"),
    ("ehpad_count", gettext_lazy("EHPAD"), "number"),
    ("ehpad_residents", gettext_lazy("Résidents d'EHPAD"), "number"),
    ("dac_count", gettext_lazy("Dispositifs d'appui à la coordination (DAC)"), "number"),
    ("cpts_count", gettext_lazy("CPTS"), "number"),
    ("volunteer_associations", gettext_lazy("Associations de bénévoles"), "number"),
    ("had_patients", gettext_lazy("Patients suivis en HAD"), "number"),
    ("other_housing_count", gettext_lazy("Autres habitats collectifs"), "number"),
    (
        "specialised_team_establishments",
        gettext_lazy("Établissements ayant recours à une équipe spécialisée"),
        "number",
    ),
    *[(key, label, "text") for key, label in DIAGNOSTIC_ANALYSES],
]
SWOT_FIELDS = [
    ("strengths", gettext_lazy("Forces")),
    ("weaknesses", gettext_lazy("Faiblesses")),
    ("opportunities", gettext_lazy("Opportunités")),
    ("threats", gettext_lazy("Menaces")),
]
PROJECT_FIELDS = [
    ("priority", gettext_lazy("Rang de priorité"), "number"),
    ("title", gettext_lazy("Intitulé"), "text"),
    ("objectives", gettext_lazy("Objectifs"), "text"),
    ("actions", gettext_lazy("Actions"), "text"),
    ("start", gettext_lazy("Début"), "date"),
    ("end", gettext_lazy("Fin"), "date"),
    ("pilot", gettext_lazy("Structure pilote"), "text"),
    ("partners", gettext_lazy("Partenaires"), "text"),
    ("indicators", gettext_lazy("Indicateurs"), "text"),
    ("swot_items", gettext_lazy("Éléments AFOM liés"), "list"),
    ("missions", gettext_lazy("Missions liées"), Mission),
]
LINE_FIELDS = [
    ("label", gettext_lazy("libellé"), "text"),
    ("nature", gettext_lazy("nature"), LineNature),
    ("category", gettext_lazy("catégorie"), LineCategory),
    ("etp", gettext_lazy("ETP"), "number"),
    ("staff_profile", gettext_lazy("profil du poste"), "text"),
    ("amount", gettext_lazy("montant demandé"), "money"),
    ("first_year", gettext_lazy("première année"), "number"),
    ("beneficiary_finess", gettext_lazy("FINESS bénéficiaire"), "text"),
]
TOTAL_FIELDS = [
    ("requested_recurring", gettext_lazy("Total demandé en crédits reconductibles"), "money"),
    ("requested_one_off", gettext_lazy("Total demandé en crédits ponctuels"), "money"),
]


def _empty(value):
    return value is None or value == "" or value == [] or value == {}


def display(value, kind="text"):
    """A value as shown to a French reader."""
    if _empty(value):
        return "—"
    if isinstance(value, list):
        return " ; ".join(display(item, kind) for item in value)
    if kind == "bool" or isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if kind == "money":
        try:
            return format_eur(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if kind == "number":
        text = str(value)
        if text.replace(".", "", 1).isdigit():
            integer, _dot, decimals = text.partition(".")
            groups = []
            while len(integer) > 3:
                groups.insert(0, integer[-3:])
                integer = integer[:-3]
            groups.insert(0, integer)
            return "\u202f".join(groups) + ("," + decimals if decimals else "")
        return text
    if isinstance(kind, type) and hasattr(kind, "values"):
        try:
            return str(kind(value).label)
        except ValueError:
            return str(value)
    return str(value)


def _get(document, path):
    value = document
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _same(old, new, kind="text"):
    if _empty(old) and _empty(new):
        return True
    numeric = kind in ("number", "money")
    if numeric and isinstance(old, (int, str)) and isinstance(new, (int, str)):
        try:
            return Decimal(str(old)) == Decimal(str(new))
        except InvalidOperation:
            pass
    return old == new


@dataclass
class Change:
    path: str
    label: str
    old: Any
    new: Any
    old_display: str
    new_display: str
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)


def _change(path, label, old, new, kind="text"):
    change = Change(path, str(label), old, new, display(old, kind), display(new, kind))
    if isinstance(old, list) or isinstance(new, list):
        old_items, new_items = list(old or []), list(new or [])
        remaining = list(old_items)
        for item in new_items:
            if item in remaining:
                remaining.remove(item)
            else:
                change.added.append(display(item, kind))
        remaining = list(new_items)
        for item in old_items:
            if item in remaining:
                remaining.remove(item)
            else:
                change.removed.append(display(item, kind))
    return change


def _compare(changes, prefix, old, new, fields, label_prefix=""):
    for key, label, kind in fields:
        before, after = _get(old, key), _get(new, key)
        if not _same(before, after, kind):
            changes.append(_change(f"{prefix}{key}", f"{label_prefix}{label}", before, after, kind))


def _member_key(member, index):
    if not isinstance(member, dict):
        return ("index", index)
    for key in ("finess", "siret"):
        if member.get(key):
            return (key, member[key])
    if member.get("name"):
        return ("name", member["name"].strip().lower())
    return ("index", index)


def _members_by_key(members):
    result = {}
    for index, member in enumerate(members or []):
        key = _member_key(member, index)
        if key in result:  # the same structure twice: keep both
            key = (*key, index)
        result[key] = (index, member if isinstance(member, dict) else {})
    return result


def _member_summary(member):
    parts = [member.get("name") or "—"]
    details = [display(member.get("type"), MemberType), display(member.get("role"), MemberRole)]
    details = [d for d in details if d != "—"]
    if details:
        parts.append(f"({', '.join(details)})")
    return " ".join(parts)


def _identity_changes(old, new):
    changes = []
    _compare(changes, "identity.", old, new, IDENTITY_FIELDS)
    old_members = _members_by_key(old.get("members"))
    new_members = _members_by_key(new.get("members"))
    for key, (index, member) in new_members.items():
        if key not in old_members:
            changes.append(
                _change(
                    f"identity.members.{index}",
                    _("Membre ajouté"),
                    None,
                    _member_summary(member),
                )
            )
            continue
        _old_index, before = old_members[key]
        name = member.get("name") or before.get("name") or str(index + 1)
        _compare(
            changes,
            f"identity.members.{index}.",
            before,
            member,
            MEMBER_FIELDS,
            label_prefix=_("Membre « %(name)s » : ") % {"name": name},
        )
    for key, (index, member) in old_members.items():
        if key not in new_members:
            changes.append(
                _change(
                    f"identity.members.{index}",
                    _("Membre retiré"),
                    _member_summary(member),
                    None,
                )
            )
    return changes


def _diagnostic_changes(old, new):
    changes = []
    _compare(changes, "diagnostic.", old, new, DIAGNOSTIC_FIELDS)
    old_missions = {m.get("code"): m for m in old.get("missions") or [] if isinstance(m, dict)}
    new_missions = {m.get("code"): m for m in new.get("missions") or [] if isinstance(m, dict)}
    for code in Mission.values:
        before, after = old_missions.get(code) or {}, new_missions.get(code) or {}
        label = Mission(code).label
        _compare(
            changes,
            f"diagnostic.missions.{code}.",
            before,
            after,
            [
                ("status", _("statut"), MissionStatus),
                ("comment", _("commentaire"), "text"),
            ],
            label_prefix=_("Mission « %(label)s » : ") % {"label": label},
        )
    return changes


def _swot_changes(old, new):
    changes = []
    for key, label in SWOT_FIELDS:
        before, after = old.get(key) or [], new.get(key) or []
        if before != after:
            changes.append(_change(f"swot.{key}", label, before, after, "list"))
    return changes


def _requested(project):
    total = Decimal(0)
    for line in project.get("lines") or []:
        try:
            total += Decimal(str(line.get("amount") or 0))
        except InvalidOperation:
            continue
    return total


def _project_summary(project):
    return {
        "id": project.get("id"),
        "priority": project.get("priority"),
        "title": project.get("title") or _("Fiche projet sans titre"),
        "lines": len(project.get("lines") or []),
        "requested": format(_requested(project), "f"),
        "requested_display": format_eur(_requested(project)),
    }


def _line_summary(line):
    return {
        "id": line.get("id"),
        "label": line.get("label") or _("Ligne sans libellé"),
        "nature": display(line.get("nature"), LineNature),
        "category": display(line.get("category"), LineCategory),
        "amount": line.get("amount"),
        "amount_display": display(line.get("amount"), "money"),
    }


@dataclass
class LineChange:
    id: Any
    label: str
    changes: list


@dataclass
class ProjectChange:
    id: Any
    priority: Any
    title: str
    changes: list = field(default_factory=list)
    lines_added: list = field(default_factory=list)
    lines_removed: list = field(default_factory=list)
    lines_changed: list = field(default_factory=list)
    requested_old: str = ""
    requested_new: str = ""

    @property
    def has_changes(self):
        return bool(self.changes or self.lines_added or self.lines_removed or self.lines_changed)


@dataclass
class Section:
    key: str
    label: str
    changes: list


@dataclass
class SnapshotDiff:
    sections: list = field(default_factory=list)
    projects_added: list = field(default_factory=list)
    projects_removed: list = field(default_factory=list)
    projects_changed: list = field(default_factory=list)
    totals: list = field(default_factory=list)
    attachments_added: list = field(default_factory=list)
    attachments_removed: list = field(default_factory=list)

    @property
    def has_changes(self):
        return bool(
            any(s.changes for s in self.sections)
            or self.projects_added
            or self.projects_removed
            or self.projects_changed
            or self.totals
            or self.attachments_added
            or self.attachments_removed
        )

    def as_dict(self):
        data = asdict(self)
        data["has_changes"] = self.has_changes
        return data


def _project_changes(old_project, new_project):
    change = ProjectChange(
        id=new_project.get("id"),
        priority=new_project.get("priority"),
        title=new_project.get("title") or old_project.get("title") or _("Fiche projet sans titre"),
    )
    pid = change.id
    _compare(change.changes, f"projects.{pid}.", old_project, new_project, PROJECT_FIELDS)
    old_lines = {line.get("id"): line for line in old_project.get("lines") or []}
    new_lines = {line.get("id"): line for line in new_project.get("lines") or []}
    for line_id, line in new_lines.items():
        if line_id not in old_lines:
            change.lines_added.append(_line_summary(line))
            continue
        line_changes = []
        _compare(
            line_changes,
            f"projects.{pid}.lines.{line_id}.",
            old_lines[line_id],
            line,
            LINE_FIELDS,
        )
        if line_changes:
            change.lines_changed.append(
                LineChange(
                    line_id,
                    line.get("label") or old_lines[line_id].get("label") or _("Ligne sans libellé"),
                    line_changes,
                )
            )
    for line_id, line in old_lines.items():
        if line_id not in new_lines:
            change.lines_removed.append(_line_summary(line))
    before, after = _requested(old_project), _requested(new_project)
    if before != after:
        change.requested_old, change.requested_new = format_eur(before), format_eur(after)
    return change


def diff_snapshots(old_content, new_content):
    """Compare two snapshot documents; see the module docstring."""
    old_content, new_content = old_content or {}, new_content or {}
    result = SnapshotDiff()
    for key, function in (
        ("identity", _identity_changes),
        ("diagnostic", _diagnostic_changes),
        ("swot", _swot_changes),
    ):
        changes = function(old_content.get(key) or {}, new_content.get(key) or {})
        result.sections.append(Section(key, str(SECTION_LABELS[key]), changes))
    old_projects = {p.get("id"): p for p in old_content.get("projects") or []}
    new_projects = {p.get("id"): p for p in new_content.get("projects") or []}
    for pid, project in new_projects.items():
        if pid not in old_projects:
            result.projects_added.append(_project_summary(project))
            continue
        change = _project_changes(old_projects[pid], project)
        if change.has_changes:
            result.projects_changed.append(change)
    for pid, project in old_projects.items():
        if pid not in new_projects:
            result.projects_removed.append(_project_summary(project))
    _compare(
        result.totals,
        "totals.",
        old_content.get("totals") or {},
        new_content.get("totals") or {},
        TOTAL_FIELDS,
    )
    old_files = {a.get("id"): a for a in old_content.get("attachments") or []}
    new_files = {a.get("id"): a for a in new_content.get("attachments") or []}
    result.attachments_added = [
        {"id": aid, "name": a.get("name")} for aid, a in new_files.items() if aid not in old_files
    ]
    result.attachments_removed = [
        {"id": aid, "name": a.get("name")} for aid, a in old_files.items() if aid not in new_files
    ]
    sort_key = lambda p: (p["priority"] is None, p["priority"] or 0, p["id"] or 0)  # noqa: E731
    result.projects_added.sort(key=sort_key)
    result.projects_removed.sort(key=sort_key)
    result.projects_changed.sort(key=lambda p: (p.priority is None, p.priority or 0, p.id or 0))
    return result
