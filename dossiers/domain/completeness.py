"""Is a dossier ready to be submitted? Every problem at once (`check_dossier`), and the
advice that does not block the submission (`check_advice`: the actors the call names
that are not members and are not justified)."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.identifiers import validate_finess
from dossiers.domain.participation import participation
from dossiers.domain.parts import SWOT_KEYS
from dossiers.enums import LineNature, Mission, MissionStatus, Section
from dossiers.models import FundingLine


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    section: str
    project_id: int | None = None

    def as_dict(self):
        return {"field": self.field, "message": self.message}


def check_dossier(dossier):
    """Return the list of problems (empty when the dossier can be submitted)."""
    problems = []

    def add(field, message, section, project_id=None):
        problems.append(Problem(field, str(message), section, project_id))

    identity = dossier.identity or {}
    lead = identity.get("lead_structure") or {}
    coordinator = identity.get("coordinator") or {}
    if not identity.get("name"):
        add("identity.name", _("Fiche d'identité : le nom de la filière manque."), Section.IDENTITY)
    if not lead.get("name"):
        add(
            "identity.lead_structure.name",
            _("Fiche d'identité : le nom de la structure porteuse manque."),
            Section.IDENTITY,
        )
    try:
        validate_finess(lead.get("finess") or "")
    except ValidationError:
        add(
            "identity.lead_structure.finess",
            _("Fiche d'identité : le FINESS de la structure porteuse manque ou est invalide."),
            Section.IDENTITY,
        )
    if not coordinator.get("email"):
        add(
            "identity.coordinator.email",
            _("Fiche d'identité : l'adresse électronique du coordonnateur manque."),
            Section.IDENTITY,
        )
    if not identity.get("members"):
        add(
            "identity.members",
            _("Fiche d'identité : indiquez au moins une structure membre."),
            Section.IDENTITY,
        )

    diagnostic = dossier.diagnostic or {}
    if not diagnostic.get("population"):
        add(
            "diagnostic.population",
            _("Diagnostic : la population du territoire manque."),
            Section.DIAGNOSTIC,
        )
    statuses = {m.get("code"): m.get("status") for m in diagnostic.get("missions") or []}
    for code, label in Mission.choices:
        if statuses.get(code) not in MissionStatus.values:
            add(
                f"diagnostic.missions.{code}",
                _("Diagnostic : indiquez la couverture de la mission « %(mission)s ».")
                % {"mission": label},
                Section.DIAGNOSTIC,
            )

    swot = dossier.swot or {}
    swot_labels = {
        "strengths": _("forces"),
        "weaknesses": _("faiblesses"),
        "opportunities": _("opportunités"),
        "threats": _("menaces"),
    }
    for key in SWOT_KEYS:
        if not swot.get(key):
            add(
                f"swot.{key}",
                _("AFOM : indiquez au moins un élément dans « %(list)s ».")
                % {"list": swot_labels[key]},
                Section.SWOT,
            )

    # Plain values: the printable dossier, the API and every page of the lead's writing
    # check dossiers of up to 40 sheets, and only these fields are read.
    projects = list(
        dossier.projects.order_by("priority", "id").values(
            "id", "priority", "title", "objectives", "start", "end"
        )
    )
    lines_of = defaultdict(list)
    for line in (
        FundingLine.objects.filter(project__dossier=dossier)
        .order_by("project", "id")
        .values("id", "project_id", "label", "amount", "nature", "first_year")
    ):
        lines_of[line["project_id"]].append(line)
    if not projects:
        add(
            "projects",
            _("Projet territorial : ajoutez au moins une fiche projet."),
            Section.PROJECTS,
        )
    ranks = Counter(p["priority"] for p in projects if p["priority"] is not None)
    for project in projects:
        name = project["title"] or _("fiche sans titre")
        prefix = f"projects.{project['id']}"
        if project["priority"] is None:
            add(
                f"{prefix}.priority",
                _("Fiche « %(name)s » : le rang de priorité manque.") % {"name": name},
                Section.PROJECTS,
                project["id"],
            )
        elif ranks[project["priority"]] > 1:
            add(
                f"{prefix}.priority",
                _(
                    "Fiche « %(name)s » : le rang de priorité %(rank)d est utilisé par plusieurs fiches."
                )
                % {"name": name, "rank": project["priority"]},
                Section.PROJECTS,
                project["id"],
            )
        if not project["title"]:
            add(
                f"{prefix}.title",
                _("Une fiche projet n'a pas d'intitulé."),
                Section.PROJECTS,
                project["id"],
            )
        if not project["objectives"]:
            add(
                f"{prefix}.objectives",
                _("Fiche « %(name)s » : les objectifs manquent.") % {"name": name},
                Section.PROJECTS,
                project["id"],
            )
        lines = lines_of[project["id"]]
        if not lines:
            add(
                f"{prefix}.lines",
                _("Fiche « %(name)s » : ajoutez au moins une ligne de financement.")
                % {"name": name},
                Section.PROJECTS,
                project["id"],
            )
        for line in lines:
            line_name = line["label"] or _("ligne sans libellé")
            line_prefix = f"{prefix}.lines.{line['id']}"
            if line["amount"] is None or line["amount"] <= 0:
                add(
                    f"{line_prefix}.amount",
                    _(
                        "Fiche « %(name)s », ligne « %(line)s » : le montant doit être strictement positif."
                    )
                    % {"name": name, "line": line_name},
                    Section.PROJECTS,
                    project["id"],
                )
            if line["nature"] == LineNature.RECURRING and not line["first_year"]:
                add(
                    f"{line_prefix}.first_year",
                    _(
                        "Fiche « %(name)s », ligne « %(line)s » : indiquez la première année du financement reconductible."
                    )
                    % {"name": name, "line": line_name},
                    Section.PROJECTS,
                    project["id"],
                )
            elif (
                line["first_year"]
                and project["start"]
                and project["end"]
                and not (project["start"].year <= line["first_year"] <= project["end"].year)
            ):
                # The call: a sheet's dates and its lines' first year must agree.
                add(
                    f"{line_prefix}.first_year",
                    _(
                        "Fiche « %(name)s », ligne « %(line)s » : la première année (%(year)s) "
                        "est hors de la période de la fiche (%(start)s–%(end)s)."
                    )
                    % {
                        "name": name,
                        "line": line_name,
                        "year": line["first_year"],
                        "start": project["start"].year,
                        "end": project["end"].year,
                    },
                    Section.PROJECTS,
                    project["id"],
                )
    return problems


def check_advice(dossier):
    """What the lead should still do without it blocking the submission: the call wants
    every actor it names to take part (seed 004) — a missing one is justified instead
    (identity.actors_justification)."""
    actors = participation(dossier.identity)
    if actors.justified:
        return []
    return [
        Problem(
            "identity.actors_justification",
            _(
                "Fiche d'identité : des acteurs que l'appel demande d'associer ne figurent pas "
                "parmi les structures membres (%(missing)s) : indiquez pourquoi."
            )
            % {"missing": ", ".join(actors.missing)},
            Section.IDENTITY,
        )
    ]
