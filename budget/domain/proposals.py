"""The ARS instructor's proposal: a proposed amount and an opinion per funding line
and per project sheet, while the dossier is in ARS analysis."""

from django.db import transaction
from django.utils.translation import gettext as _

from budget.domain.checks import refuse_own_dossier
from budget.domain.inputs import add_error, object_id, parse_money
from budget.rules import (
    can_propose,
)
from common.errors import Conflict, Forbidden, InvalidInput
from common.limits import MAX_DOSSIER_LINES, bounded
from dossiers.enums import DossierState, Opinion
from dossiers.models import Dossier, FundingLine, Project


def propose(dossier, user, lines, project_opinions=None, *, version=None):
    """Record the ARS instructor's proposed amount and opinion for funding lines.

    `lines`: [{line, proposed, opinion}] — only the lines listed change
    (proposed may be null to clear it). `project_opinions`: [{project, opinion}]
    for the opinion on each project sheet. Dossier in `ars_analysis`.
    `version`: the proposal version the client read (`Dossier.proposal_version`): a
    Conflict when another instructor saved the proposal since, nothing changed."""

    if not can_propose.test(user, dossier):
        raise Forbidden(_("Seul l'instructeur ARS peut proposer des montants."))
    refuse_own_dossier(dossier, user)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.state != DossierState.ARS_ANALYSIS:
            raise Conflict(
                _("Proposition impossible : le dossier est « %(state)s », pas « Analyse ARS ».")
                % {"state": locked.get_state_display()}
            )
        if version is not None and version != locked.proposal_version:
            raise Conflict(
                _(
                    "La proposition a été modifiée par une autre personne pendant que vous la "
                    "modifiiez (version %(current)d, vous aviez la version %(yours)d). Vos saisies "
                    "sont conservées : rechargez la page pour voir la sienne."
                )
                % {"current": locked.proposal_version, "yours": version}
            )
        dossier_lines = {
            line.pk: line for line in FundingLine.objects.filter(project__dossier=locked)
        }
        projects = {p.pk: p for p in Project.objects.filter(dossier=locked)}
        errors = {}
        if not isinstance(lines, list | tuple):
            add_error(errors, "lines", _("Indiquez la liste des lignes proposées."))
            lines = []
        lines = bounded(list(lines), MAX_DOSSIER_LINES, "lines", _("lignes"), errors)
        changed_lines, seen = [], set()
        for index, item in enumerate(lines):
            key = f"lines.{index}"
            if not isinstance(item, dict):
                add_error(errors, key, _("Chaque ligne est un objet {line, proposed, opinion}."))
                continue
            line = dossier_lines.get(object_id(item.get("line")))
            if line is None:
                add_error(
                    errors,
                    f"{key}.line",
                    _("Cette ligne de financement n'est pas dans le dossier."),
                )
                continue
            if line.pk in seen:
                add_error(errors, f"{key}.line", _("Cette ligne figure deux fois."))
                continue
            seen.add(line.pk)
            proposed = parse_money(item.get("proposed"), errors, f"{key}.proposed", allow_none=True)
            opinion = item.get("opinion") or ""
            if opinion and opinion not in Opinion.values:
                add_error(
                    errors,
                    f"{key}.opinion",
                    _("Avis inconnu : favourable, reserved ou unfavourable."),
                )
            line.proposed, line.proposal_opinion = proposed, opinion
            changed_lines.append(line)
        changed_projects = []
        for index, item in enumerate(project_opinions or []):
            key = f"projects.{index}"
            project = (
                projects.get(object_id(item.get("project"))) if isinstance(item, dict) else None
            )
            if project is None:
                add_error(
                    errors, f"{key}.project", _("Cette fiche projet n'est pas dans le dossier.")
                )
                continue
            opinion = item.get("opinion") or ""
            if opinion and opinion not in Opinion.values:
                add_error(
                    errors,
                    f"{key}.opinion",
                    _("Avis inconnu : favourable, reserved ou unfavourable."),
                )
            project.proposal_opinion = opinion
            changed_projects.append(project)
        if not changed_lines and not changed_projects and not errors:
            add_error(errors, "lines", _("Indiquez au moins une ligne."))
        if errors:
            raise InvalidInput(_("La proposition contient des erreurs."), errors)
        FundingLine.objects.bulk_update(changed_lines, ["proposed", "proposal_opinion"])
        Project.objects.bulk_update(changed_projects, ["proposal_opinion"])
        locked.proposal_version += 1
        locked.save(update_fields=["proposal_version"])
    return locked
