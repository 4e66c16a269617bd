"""Budget and decisions: from requested amounts to proposals,
decisions within the envelopes, and credits delegated.

One entry point per action, each raising common.errors exceptions with French
messages; the API (budget.api) and the pages (budget.views.pages)
both call them.

Hard rules, checked inside the database transaction:
- the granted recurring total (full-year amounts) of the campaign's decided
  dossiers never exceeds the recurring envelope, the granted one-off total never
  exceeds the one-off envelope. `decide` locks the campaign's Envelope rows
  (SELECT ... FOR UPDATE, always in primary-key order, so two deciders never
  deadlock) and `amend_envelope` the one it changes, before summing what is
  granted in the database: on PostgreSQL two concurrent decisions (or a decision
  and an amendment) are serialised on those rows and the second one sums what
  the first committed. On SQLite every write
  transaction is already exclusive (transaction_mode IMMEDIATE).
- the delegated total of a line never exceeds its granted amount
  (`record_delegation` locks the line row).
- a granted amount above the requested amount needs a written justification.
A refused action changes nothing.

Definitions (documented in the README section of this work):
- outcome: `rejected` ⇔ every line is granted 0; `accepted` ⇔ every line is
  granted at least its requested amount; `partially_accepted` ⇔ something is
  granted but at least one line gets less than requested.
- requested / proposed count the dossiers from their submission on (states
  submitted, caresp_review, ars_analysis, returned, decided): drafts and
  withdrawn dossiers do not count. Granted counts decided dossiers only.
  Delegated counts every delegation. Remaining = envelope − granted.
- per territory: a filière may cover several health territories; its amounts
  are reported once, on the row of its set of territories ("T2 + T3"), never
  split nor counted twice, so the rows add up to the envelope totals.
  Territories no dossier covers are listed with zeros. Each row also carries
  its commitments per year (same rule as below).
- per year: a recurring line granted G from month m of year Y costs
  G × (13 − m) / 12 in Y (rounded to the cent, half up) and G every later year;
  a one-off line costs its amount in the year of its start month when one was
  given, otherwise in the year of the decision."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from budget.domain.checks import overflow_message, refuse_own_dossier
from budget.domain.envelopes import lock_envelopes
from budget.domain.inputs import add_error, clean_text, object_id, parse_money, parse_month
from budget.enums import KINDS, NATURE_TO_KIND, ZERO
from budget.queries import granted_totals_of
from budget.rules import (
    can_decide,
)
from common.errors import Conflict, Forbidden, InvalidInput
from common.limits import MAX_DOSSIER_LINES, bounded
from common.money import format_eur
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState, LineNature, Outcome
from dossiers.models import Dossier, FundingLine


def _check_outcome(outcome, decided_lines, errors):
    """Coherence of the outcome with the amounts (see module docstring)."""
    if outcome not in Outcome.values:
        add_error(
            errors, "outcome", _("Issue inconnue : accepted, partially_accepted ou rejected.")
        )
        return
    all_zero = all(granted == 0 for _line, granted, *_rest in decided_lines)
    all_full = all(granted >= (line.amount or ZERO) for line, granted, *_rest in decided_lines)
    if outcome == Outcome.REJECTED and not all_zero:
        add_error(
            errors,
            "outcome",
            _("Un rejet n'accorde aucun montant : mettez 0 sur chaque ligne ou changez l'issue."),
        )
    elif outcome == Outcome.ACCEPTED and (all_zero or not all_full):
        add_error(
            errors,
            "outcome",
            _(
                "« Accepté » suppose que chaque ligne reçoive au moins le montant demandé : "
                "sinon choisissez « Partiellement accepté »."
            ),
        )
    elif outcome == Outcome.PARTIALLY_ACCEPTED:
        if all_zero:
            add_error(errors, "outcome", _("Aucun montant n'est accordé : choisissez « Rejeté »."))
        elif all_full:
            add_error(
                errors,
                "outcome",
                _("Chaque ligne reçoit au moins le montant demandé : choisissez « Accepté »."),
            )


def default_start_month(line):
    """The start month of a granted recurring line when none is given (api.md): the
    later of its project sheet's start and January of its first year; None when the
    dossier says neither."""
    candidates = []
    start = line.project.start
    if start:
        candidates.append(dt.date(start.year, start.month, 1))
    if line.first_year:
        candidates.append(dt.date(line.first_year, 1, 1))
    return max(candidates, default=None)


def _parse_decision_lines(dossier_lines, lines, errors):
    """[(line, granted, start_month, justification)] in the order of dossier_lines."""
    by_id = {line.pk: line for line in dossier_lines}
    given = {}
    if not isinstance(lines, list | tuple):
        add_error(errors, "lines", _("Indiquez la liste des lignes et des montants accordés."))
        lines = []
    lines = bounded(list(lines), MAX_DOSSIER_LINES, "lines", _("lignes"), errors)
    for index, item in enumerate(lines):
        key = f"lines.{index}"
        if not isinstance(item, dict):
            add_error(errors, key, _("Chaque ligne est un objet {line, granted, start_month}."))
            continue
        line = by_id.get(object_id(item.get("line")))
        if line is None:
            add_error(
                errors, f"{key}.line", _("Cette ligne de financement n'est pas dans le dossier.")
            )
            continue
        if line.pk in given:
            add_error(errors, f"{key}.line", _("Cette ligne figure deux fois."))
            continue
        granted = parse_money(item.get("granted"), errors, f"{key}.granted")
        start = parse_month(item.get("start_month"), errors, f"{key}.start_month")
        justification = clean_text(item.get("justification"), errors, f"{key}.justification")
        given[line.pk] = (index, granted, start, justification)
    missing = [line for line in dossier_lines if line.pk not in given]
    if missing:
        add_error(
            errors,
            "lines",
            _(
                "Chaque ligne du dossier doit recevoir un montant accordé (0 possible) ; "
                "il manque : %(lines)s."
            )
            % {"lines": ", ".join(f"n° {line.pk} « {line.label} »" for line in missing)},
        )
    decided = []
    for line in dossier_lines:
        if line.pk not in given:
            continue
        index, granted, start, justification = given[line.pk]
        key = f"lines.{index}"
        if granted is None:
            continue
        requested = line.amount or ZERO
        if granted > requested and not justification:
            add_error(
                errors,
                f"{key}.justification",
                _(
                    "Le montant accordé dépasse le montant demandé (%(requested)s) : "
                    "justifiez-le par écrit."
                )
                % {"requested": format_eur(requested)},
            )
        if granted == 0:
            start = None
        elif line.nature == LineNature.RECURRING and start is None:
            if f"{key}.start_month" not in errors:
                start = default_start_month(line)
            if start is None and f"{key}.start_month" not in errors:
                add_error(
                    errors,
                    f"{key}.start_month",
                    _(
                        "Indiquez le mois de démarrage de cette ligne reconductible (la fiche "
                        "projet n'a pas de date de début ni la ligne de première année)."
                    ),
                )
        if start is not None and line.first_year and start.year < line.first_year:
            add_error(
                errors,
                f"{key}.start_month",
                _(
                    "Le mois de démarrage ne peut pas précéder la première année demandée (%(year)s)."
                )
                % {"year": line.first_year},
            )
        decided.append((line, granted, start, justification if granted > requested else ""))
    return decided


def decide(dossier, user, outcome, lines, comment, *, recognised=None, now=None):
    """Record the ARS decider's decision and the granted amounts; the dossier becomes `decided`.

    `recognised`: the decision recognises the filière for the dossier's territories
    (api.md); None means "unless rejected". A rejected dossier cannot recognise it; a
    recognition with no new funds is an accepted or partial decision granting 0 where
    nothing is funded.

    `lines`: [{line, granted, start_month?, justification?}] covering every
    line of the dossier. Refused with Conflict (nothing changed) when an
    envelope would be exceeded, saying by how much."""

    if not can_decide.test(user, dossier):
        raise Forbidden(_("Seul le décideur ARS peut enregistrer la décision."))
    refuse_own_dossier(dossier, user)
    with transaction.atomic():
        envelopes = lock_envelopes(dossier.campaign_id)
        locked = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("campaign", "filiere")
            .get(pk=dossier.pk)
        )
        if locked.state != DossierState.ARS_ANALYSIS:
            raise Conflict(
                _("Décision impossible : le dossier est « %(state)s », pas « Analyse ARS ».")
                % {"state": locked.get_state_display()}
            )
        dossier_lines = list(
            FundingLine.objects.filter(project__dossier=locked)
            .select_related("project")
            .order_by("project__priority", "project_id", "pk")
        )
        errors = {}
        decided_lines = _parse_decision_lines(dossier_lines, lines, errors)
        if not errors:
            _check_outcome(outcome, decided_lines, errors)
        elif outcome not in Outcome.values:
            add_error(
                errors, "outcome", _("Issue inconnue : accepted, partially_accepted ou rejected.")
            )
        if recognised is not None and not isinstance(recognised, bool):
            add_error(errors, "recognised", _("Indiquez vrai ou faux."))
        elif recognised and outcome == Outcome.REJECTED:
            add_error(
                errors,
                "recognised",
                _("Un dossier rejeté ne peut pas reconnaître la filière."),
            )
        comment = clean_text(comment, errors, "comment")
        if not comment:
            add_error(errors, "comment", _("Indiquez la motivation de la décision."))
        if errors:
            raise InvalidInput(_("La décision est incomplète ou incohérente."), errors)

        new = dict.fromkeys(KINDS, ZERO)
        for line, granted, *_rest in decided_lines:
            new[NATURE_TO_KIND[line.nature]] += granted
        already = granted_totals_of(locked.campaign_id)
        overflows = {}
        for kind in KINDS:
            if new[kind] == 0:
                continue
            envelope = envelopes.get(kind)
            available = envelope.amount if envelope else ZERO
            if already[kind] + new[kind] > available:
                overflows[kind] = already[kind] + new[kind] - available
        if overflows:
            messages = [overflow_message(kind, amount) for kind, amount in overflows.items()]
            raise Conflict(
                _("Décision refusée : %(reasons)s")
                % {"reasons": " ".join(m[0].lower() + m[1:] for m in messages)},
                {
                    kind: [
                        overflow_message(kind, amount)
                        + " "
                        + _(
                            "Déjà accordé : %(already)s ; cette décision : %(new)s ; enveloppe : %(envelope)s."
                        )
                        % {
                            "already": format_eur(already[kind]),
                            "new": format_eur(new[kind]),
                            "envelope": format_eur(
                                envelopes[kind].amount if kind in envelopes else ZERO
                            ),
                        }
                    ]
                    for kind, amount in overflows.items()
                },
            )
        for line, granted, start, justification in decided_lines:
            line.granted, line.start_month, line.grant_justification = granted, start, justification
        FundingLine.objects.bulk_update(
            [line for line, *_rest in decided_lines],
            ["granted", "start_month", "grant_justification"],
        )
        return transition(
            locked,
            "decide",
            user,
            outcome=outcome,
            comment=comment,
            recognised=outcome != Outcome.REJECTED if recognised is None else recognised,
            now=now,
        )
