"""Budget and decisions (design brief §5): from requested amounts to proposals,
decisions within the envelopes, and credits delegated.

One entry point per action, each raising common.errors exceptions with French
messages; the API (budget.api) and the pages (budget.views.pages)
both call them.

Hard rules, checked inside the database transaction:
- the granted recurring total (full-year amounts) of the campaign's decided
  dossiers never exceeds the recurring envelope, the granted one-off total never
  exceeds the one-off envelope. `decide` and `amend_envelope` lock the
  campaign's Envelope rows (SELECT ... FOR UPDATE, always in primary-key order,
  so two deciders never deadlock) before summing what is granted in the
  database: on PostgreSQL two concurrent decisions are serialised on those rows
  and the second one sums what the first committed. On SQLite every write
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
  given, otherwise in the year of the decision.
"""

import datetime as dt
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, Min, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budget.models import (
    Delegation,
    DelegationInstrument,
    Envelope,
    EnvelopeAmendment,
    EnvelopeKind,
)
from budget.rules import (
    can_amend_envelope,
    can_decide,
    can_propose,
    can_record_delegation,
)
from campaign.models import Filiere, Territory
from common.errors import Conflict, InvalidInput, PermissionDenied
from common.identifiers import validate_finess
from common.money import CENT, format_eur, parse_amount
from dossiers.domain.transitions import transition
from dossiers.enums import SUBMITTED_STATES, DossierState, LineNature, Opinion, Outcome
from dossiers.models import Dossier, FundingLine, Project
from dossiers.rules import is_dossier_editor

ZERO = Decimal("0.00")
KINDS = (EnvelopeKind.RECURRING.value, EnvelopeKind.ONE_OFF.value)
# Line nature → envelope kind (same codes, kept explicit).
NATURE_TO_KIND = {LineNature.RECURRING.value: "recurring", LineNature.ONE_OFF.value: "one_off"}
ENVELOPE_NAMES = {
    "recurring": gettext_lazy("L'enveloppe reconductible"),
    "one_off": gettext_lazy("L'enveloppe ponctuelle"),
}
YEARS_SHOWN = 5
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# ---------------------------------------------------------------- input helpers


def _add(errors, key, message):
    errors.setdefault(key, []).append(str(message))


def _parse_money(value, errors, key, *, allow_none=False):
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none:
            return None
        _add(errors, key, _("Indiquez un montant."))
        return None
    try:
        return parse_amount(value)
    except ValidationError as exc:
        for message in exc.messages:
            _add(errors, key, message)
        return None


def _parse_date(value, errors, key, *, required=True):
    if value is None or value == "":
        if required:
            _add(errors, key, _("Indiquez une date."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    _add(errors, key, _("Date invalide : écrivez-la AAAA-MM-JJ (exemple : 2025-07-15)."))
    return None


def _parse_month(value, errors, key):
    """A start month: the first day of a month (date or "AAAA-MM-01")."""
    start = _parse_date(value, errors, key, required=False)
    if start is not None and start.day != 1:
        _add(
            errors,
            key,
            _("Le mois de démarrage est le premier jour d'un mois (exemple : 2025-07-01)."),
        )
        return None
    if start is not None and not 2000 <= start.year <= 2100:
        _add(errors, key, _("Le mois de démarrage est hors des années possibles."))
        return None
    return start


def _object_id(value):
    """An id given as an int, a digit string or a model instance; None if unusable."""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _overflow_message(kind, overflow):
    return _("%(envelope)s serait dépassée de %(amount)s.") % {
        "envelope": ENVELOPE_NAMES[kind],
        "amount": format_eur(overflow),
    }


def _refuse_own_dossier(dossier, user):
    """A person who also writes the dossier (editor of its filière) neither proposes nor
    decides its amounts: conflict of interest, whatever ARS role they hold."""

    if is_dossier_editor.test(user, dossier):
        raise PermissionDenied(
            _(
                "Vous êtes rédacteur de ce dossier : vous ne pouvez ni proposer ni décider "
                "ses montants (conflit d'intérêts)."
            )
        )


# ---------------------------------------------------------------- sums in the database


def _granted_totals(campaign_id):
    """{kind: granted total (full-year)} of the campaign's decided dossiers, summed in the DB."""

    rows = (
        FundingLine.objects.filter(
            project__dossier__campaign_id=campaign_id,
            project__dossier__state=DossierState.DECIDED,
            granted__isnull=False,
        )
        .values("nature")
        .annotate(total=Sum("granted"))
        .order_by()
    )
    totals = dict.fromkeys(KINDS, ZERO)
    for row in rows:
        totals[NATURE_TO_KIND[row["nature"]]] += row["total"] or ZERO
    return totals


def _lock_envelopes(campaign_id):
    """Lock the campaign's envelopes, always in the same order: {kind: Envelope}."""
    return {
        envelope.kind: envelope
        for envelope in Envelope.objects.select_for_update()
        .filter(campaign_id=campaign_id)
        .order_by("pk")
    }


def get_envelope(campaign, kind):
    """The campaign's envelope of that kind, created at 0 € when the campaign has none."""
    if kind not in KINDS:
        return None
    envelope, _created = Envelope.objects.get_or_create(
        campaign=campaign, kind=kind, defaults={"amount": ZERO}
    )
    return envelope


# ---------------------------------------------------------------- envelope amendments


def amend_envelope(envelope, user, new_amount, date, reason):
    """Change an envelope's amount, with its date and reason kept in the history.

    Administrator or ARS decider. Lowering it below what is already granted on
    it is refused (409)."""
    if not can_amend_envelope.test(user):
        raise PermissionDenied(
            _("Seuls l'administrateur et le décideur ARS peuvent modifier une enveloppe.")
        )
    errors = {}
    amount = _parse_money(new_amount, errors, "new_amount")
    date = _parse_date(date, errors, "date")
    reason = _text(reason)
    if not reason:
        _add(errors, "reason", _("Indiquez le motif de la modification."))
    if errors:
        raise InvalidInput(_("La modification de l'enveloppe est incomplète."), errors)
    with transaction.atomic():
        locked = Envelope.objects.select_for_update().get(pk=envelope.pk)
        if amount == locked.amount:
            raise InvalidInput(
                _("Le nouveau montant est identique au montant actuel."),
                {"new_amount": [_("Le montant est inchangé.")]},
            )
        granted = _granted_totals(locked.campaign_id)[locked.kind]
        if amount < granted:
            raise Conflict(
                _(
                    "Modification refusée : %(amount)s est inférieur au total déjà accordé "
                    "sur cette enveloppe (%(granted)s), de %(gap)s."
                )
                % {
                    "amount": format_eur(amount),
                    "granted": format_eur(granted),
                    "gap": format_eur(granted - amount),
                },
                {"new_amount": [_("Au moins %(granted)s.") % {"granted": format_eur(granted)}]},
            )
        EnvelopeAmendment.objects.create(
            envelope=locked,
            date=date,
            previous_amount=locked.amount,
            new_amount=amount,
            reason=reason,
            created_by=user,
        )
        locked.amount = amount
        locked.save(update_fields=["amount"])
    return locked


# ---------------------------------------------------------------- proposal


def propose(dossier, user, lines, project_opinions=None):
    """Record the ARS instructor's proposed amount and opinion for funding lines.

    `lines`: [{line, proposed, opinion}] — only the lines listed change
    (proposed may be null to clear it). `project_opinions`: [{project, opinion}]
    for the opinion on each project sheet. Dossier in `ars_analysis`."""

    if not can_propose.test(user):
        raise PermissionDenied(_("Seul l'instructeur ARS peut proposer des montants."))
    _refuse_own_dossier(dossier, user)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.state != DossierState.ARS_ANALYSIS:
            raise Conflict(
                _("Proposition impossible : le dossier est « %(state)s », pas « Analyse ARS ».")
                % {"state": locked.get_state_display()}
            )
        dossier_lines = {
            line.pk: line for line in FundingLine.objects.filter(project__dossier=locked)
        }
        projects = {p.pk: p for p in Project.objects.filter(dossier=locked)}
        errors = {}
        if not isinstance(lines, list | tuple):
            _add(errors, "lines", _("Indiquez la liste des lignes proposées."))
            lines = []
        changed_lines, seen = [], set()
        for index, item in enumerate(lines):
            key = f"lines.{index}"
            if not isinstance(item, dict):
                _add(errors, key, _("Chaque ligne est un objet {line, proposed, opinion}."))
                continue
            line = dossier_lines.get(_object_id(item.get("line")))
            if line is None:
                _add(
                    errors,
                    f"{key}.line",
                    _("Cette ligne de financement n'est pas dans le dossier."),
                )
                continue
            if line.pk in seen:
                _add(errors, f"{key}.line", _("Cette ligne figure deux fois."))
                continue
            seen.add(line.pk)
            proposed = _parse_money(
                item.get("proposed"), errors, f"{key}.proposed", allow_none=True
            )
            opinion = item.get("opinion") or ""
            if opinion and opinion not in Opinion.values:
                _add(
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
                projects.get(_object_id(item.get("project"))) if isinstance(item, dict) else None
            )
            if project is None:
                _add(errors, f"{key}.project", _("Cette fiche projet n'est pas dans le dossier."))
                continue
            opinion = item.get("opinion") or ""
            if opinion and opinion not in Opinion.values:
                _add(
                    errors,
                    f"{key}.opinion",
                    _("Avis inconnu : favourable, reserved ou unfavourable."),
                )
            project.proposal_opinion = opinion
            changed_projects.append(project)
        if not changed_lines and not changed_projects and not errors:
            _add(errors, "lines", _("Indiquez au moins une ligne."))
        if errors:
            raise InvalidInput(_("La proposition contient des erreurs."), errors)
        FundingLine.objects.bulk_update(changed_lines, ["proposed", "proposal_opinion"])
        Project.objects.bulk_update(changed_projects, ["proposal_opinion"])
    return locked


# ---------------------------------------------------------------- decision


def _check_outcome(outcome, decided_lines, errors):
    """Coherence of the outcome with the amounts (see module docstring)."""
    if outcome not in Outcome.values:
        _add(errors, "outcome", _("Issue inconnue : accepted, partially_accepted ou rejected."))
        return
    all_zero = all(granted == 0 for _line, granted, *_rest in decided_lines)
    all_full = all(granted >= (line.amount or ZERO) for line, granted, *_rest in decided_lines)
    if outcome == Outcome.REJECTED and not all_zero:
        _add(
            errors,
            "outcome",
            _("Un rejet n'accorde aucun montant : mettez 0 sur chaque ligne ou changez l'issue."),
        )
    elif outcome == Outcome.ACCEPTED and (all_zero or not all_full):
        _add(
            errors,
            "outcome",
            _(
                "« Accepté » suppose que chaque ligne reçoive au moins le montant demandé : "
                "sinon choisissez « Partiellement accepté »."
            ),
        )
    elif outcome == Outcome.PARTIALLY_ACCEPTED:
        if all_zero:
            _add(errors, "outcome", _("Aucun montant n'est accordé : choisissez « Rejeté »."))
        elif all_full:
            _add(
                errors,
                "outcome",
                _("Chaque ligne reçoit au moins le montant demandé : choisissez « Accepté »."),
            )


def _parse_decision_lines(dossier_lines, lines, errors):
    """[(line, granted, start_month, justification)] in the order of dossier_lines."""
    by_id = {line.pk: line for line in dossier_lines}
    given = {}
    if not isinstance(lines, list | tuple):
        _add(errors, "lines", _("Indiquez la liste des lignes et des montants accordés."))
        lines = []
    for index, item in enumerate(lines):
        key = f"lines.{index}"
        if not isinstance(item, dict):
            _add(errors, key, _("Chaque ligne est un objet {line, granted, start_month}."))
            continue
        line = by_id.get(_object_id(item.get("line")))
        if line is None:
            _add(errors, f"{key}.line", _("Cette ligne de financement n'est pas dans le dossier."))
            continue
        if line.pk in given:
            _add(errors, f"{key}.line", _("Cette ligne figure deux fois."))
            continue
        granted = _parse_money(item.get("granted"), errors, f"{key}.granted")
        start = _parse_month(item.get("start_month"), errors, f"{key}.start_month")
        justification = _text(item.get("justification"))
        given[line.pk] = (index, granted, start, justification)
    missing = [line for line in dossier_lines if line.pk not in given]
    if missing:
        _add(
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
            _add(
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
                _add(
                    errors,
                    f"{key}.start_month",
                    _("Indiquez le mois de démarrage de cette ligne reconductible."),
                )
        if start is not None and line.first_year and start.year < line.first_year:
            _add(
                errors,
                f"{key}.start_month",
                _(
                    "Le mois de démarrage ne peut pas précéder la première année demandée (%(year)s)."
                )
                % {"year": line.first_year},
            )
        decided.append((line, granted, start, justification if granted > requested else ""))
    return decided


def decide(dossier, user, outcome, lines, comment, *, now=None):
    """Record the ARS decider's decision and the granted amounts; the dossier becomes `decided`.

    `lines`: [{line, granted, start_month?, justification?}] covering every
    line of the dossier. Refused with Conflict (nothing changed) when an
    envelope would be exceeded, saying by how much."""

    if not can_decide.test(user):
        raise PermissionDenied(_("Seul le décideur ARS peut enregistrer la décision."))
    _refuse_own_dossier(dossier, user)
    with transaction.atomic():
        envelopes = _lock_envelopes(dossier.campaign_id)
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
            FundingLine.objects.filter(project__dossier=locked).order_by(
                "project__priority", "project_id", "pk"
            )
        )
        errors = {}
        decided_lines = _parse_decision_lines(dossier_lines, lines, errors)
        if not errors:
            _check_outcome(outcome, decided_lines, errors)
        elif outcome not in Outcome.values:
            _add(errors, "outcome", _("Issue inconnue : accepted, partially_accepted ou rejected."))
        comment = _text(comment)
        if not comment:
            _add(errors, "comment", _("Indiquez la motivation de la décision."))
        if errors:
            raise InvalidInput(_("La décision est incomplète ou incohérente."), errors)

        new = dict.fromkeys(KINDS, ZERO)
        for line, granted, *_rest in decided_lines:
            new[NATURE_TO_KIND[line.nature]] += granted
        already = _granted_totals(locked.campaign_id)
        overflows = {}
        for kind in KINDS:
            if new[kind] == 0:
                continue
            envelope = envelopes.get(kind)
            available = envelope.amount if envelope else ZERO
            if already[kind] + new[kind] > available:
                overflows[kind] = already[kind] + new[kind] - available
        if overflows:
            messages = [_overflow_message(kind, amount) for kind, amount in overflows.items()]
            raise Conflict(
                _("Décision refusée : %(reasons)s")
                % {"reasons": " ".join(m[0].lower() + m[1:] for m in messages)},
                {
                    kind: [
                        _overflow_message(kind, amount)
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
        return transition(locked, "decide", user, outcome=outcome, comment=comment, now=now)


# ---------------------------------------------------------------- delegations


def record_delegation(user, line, amount, date, instrument, beneficiary_finess):
    """Record credits delegated against a granted line (ARS decider).

    The cumulated delegated amount of the line stays at or below its granted
    amount (409 otherwise, with the overflow)."""

    if not can_record_delegation.test(user):
        raise PermissionDenied(
            _("Seul le décideur ARS peut enregistrer une délégation de crédits.")
        )
    errors = {}
    line_id = _object_id(line)
    if line_id is None or not FundingLine.objects.filter(pk=line_id).exists():
        _add(errors, "line", _("Ligne de financement inconnue."))
    amount = _parse_money(amount, errors, "amount")
    if amount is not None and amount <= 0:
        _add(errors, "amount", _("Le montant délégué doit être strictement positif."))
    date = _parse_date(date, errors, "date")
    if instrument not in DelegationInstrument.values:
        _add(
            errors,
            "instrument",
            _(
                "Support inconnu : fir_arrete (arrêté FIR), cpom_amendment (avenant au CPOM) ou convention."
            ),
        )
    finess = ""
    try:
        finess = validate_finess(beneficiary_finess if isinstance(beneficiary_finess, str) else "")
    except ValidationError as exc:
        for message in exc.messages:
            _add(errors, "beneficiary_finess", message)
    if errors:
        raise InvalidInput(_("La délégation contient des erreurs."), errors)
    with transaction.atomic():
        locked = FundingLine.objects.select_for_update().get(pk=line_id)
        state = (
            FundingLine.objects.filter(pk=line_id)
            .values_list("project__dossier__state", flat=True)
            .get()
        )
        if state != DossierState.DECIDED or not locked.granted:
            raise Conflict(_("Aucun montant n'est accordé sur cette ligne : rien à déléguer."))
        already = locked.delegations.aggregate(total=Sum("amount"))["total"] or ZERO
        if already + amount > locked.granted:
            overflow = already + amount - locked.granted
            raise Conflict(
                _(
                    "Délégation refusée : le montant délégué dépasserait le montant accordé de "
                    "%(overflow)s (accordé : %(granted)s ; déjà délégué : %(already)s)."
                )
                % {
                    "overflow": format_eur(overflow),
                    "granted": format_eur(locked.granted),
                    "already": format_eur(already),
                },
                {
                    "amount": [
                        _("Au plus %(left)s.") % {"left": format_eur(locked.granted - already)}
                    ]
                },
            )
        return Delegation.objects.create(
            line=locked,
            date=date,
            amount=amount,
            instrument=instrument,
            beneficiary_finess=finess,
            created_by=user,
        )


# ---------------------------------------------------------------- summary


def first_year_cost(granted, start_month):
    """Prorated cost of a recurring line in its first year: G × (13 − m) / 12, to the cent."""
    return (granted * (13 - start_month.month) / 12).quantize(CENT, rounding=ROUND_HALF_UP)


def yearly_cost(nature, granted, start_month, decided_at, year):
    """What a granted line costs in `year` (see module docstring)."""
    if nature == LineNature.RECURRING:
        if start_month is None:  # not reachable through decide(); counts from the decision year
            start_month = dt.date(timezone.localtime(decided_at).year if decided_at else year, 1, 1)
        if year < start_month.year:
            return ZERO
        if year == start_month.year:
            return first_year_cost(granted, start_month)
        return granted
    if start_month is not None:
        cost_year = start_month.year
    elif decided_at is not None:
        cost_year = timezone.localtime(decided_at).year
    else:
        cost_year = year
    return granted if year == cost_year else ZERO


def _bucket():
    return {"requested": ZERO, "proposed": ZERO, "granted": ZERO, "delegated": ZERO}


def budget_summary(campaign):
    """The campaign's money, per envelope, per territory and per year (Decimals).

    A fixed number of queries (6), whatever the number of dossiers."""

    envelopes = {kind: ZERO for kind in KINDS}
    for envelope in Envelope.objects.filter(campaign=campaign):
        envelopes[envelope.kind] = envelope.amount

    # Requested / proposed / granted per filière and nature, summed in the DB.
    per_filiere = defaultdict(lambda: {kind: _bucket() for kind in KINDS})
    pending_proposed = dict.fromkeys(KINDS, ZERO)
    decided = Q(project__dossier__state=DossierState.DECIDED)
    rows = (
        FundingLine.objects.filter(
            project__dossier__campaign=campaign, project__dossier__state__in=SUBMITTED_STATES
        )
        .values("project__dossier__filiere_id", "nature")
        .annotate(
            sum_requested=Sum("amount"),
            sum_proposed=Sum("proposed"),
            sum_pending=Sum("proposed", filter=~decided),
            sum_granted=Sum("granted", filter=decided),
        )
        .order_by()
    )
    for row in rows:
        kind = NATURE_TO_KIND[row["nature"]]
        bucket = per_filiere[row["project__dossier__filiere_id"]][kind]
        for key in ("requested", "proposed", "granted"):
            bucket[key] += row[f"sum_{key}"] or ZERO
        pending_proposed[kind] += row["sum_pending"] or ZERO

    # Delegations per filière, nature and year.
    delegated_by_year = defaultdict(lambda: ZERO)
    first_delegation = None
    rows = (
        Delegation.objects.filter(line__project__dossier__campaign=campaign)
        .values("line__project__dossier__filiere_id", "line__nature", year=ExtractYear("date"))
        .annotate(total=Sum("amount"), first=Min("date"))
        .order_by()
    )
    for row in rows:
        kind = NATURE_TO_KIND[row["line__nature"]]
        per_filiere[row["line__project__dossier__filiere_id"]][kind]["delegated"] += row["total"]
        delegated_by_year[row["year"]] += row["total"]
        if first_delegation is None or row["first"] < first_delegation:
            first_delegation = row["first"]

    # Envelope totals.
    totals = {kind: _bucket() for kind in KINDS}
    for buckets in per_filiere.values():
        for kind in KINDS:
            for key, value in buckets[kind].items():
                totals[kind][key] += value
    envelope_rows = {}
    for kind in KINDS:
        envelope_rows[kind] = {
            "envelope": envelopes[kind],
            **totals[kind],
            "remaining": envelopes[kind] - totals[kind]["granted"],
            "proposed_pending": pending_proposed[kind],
        }

    # Per set of territories (a filière counted once, on its own set).
    territories = {
        t["id"]: t for t in Territory.objects.filter(campaign=campaign).values("id", "code", "name")
    }
    filiere_territories = defaultdict(set)
    for filiere_id, territory_id in Filiere.territories.through.objects.filter(
        filiere__campaign=campaign
    ).values_list("filiere_id", "territory_id"):
        filiere_territories[filiere_id].add(territory_id)

    def group_of(filiere_id):
        return tuple(
            sorted(filiere_territories.get(filiere_id, ()), key=lambda t: territories[t]["code"])
        )

    groups = defaultdict(lambda: {kind: _bucket() for kind in KINDS})
    for filiere_id, buckets in per_filiere.items():
        for kind in KINDS:
            for name, value in buckets[kind].items():
                groups[group_of(filiere_id)][kind][name] += value
    covered = {t for key in groups for t in key}
    for territory_id in territories:
        if territory_id not in covered:
            groups[(territory_id,)]  # noqa: B018 - creates the zero row

    # Commitments per year, for the campaign and for each set of territories.
    lines = list(
        FundingLine.objects.filter(
            project__dossier__campaign=campaign,
            project__dossier__state=DossierState.DECIDED,
            granted__gt=0,
        ).values_list(
            "nature",
            "granted",
            "start_month",
            "project__dossier__decided_at",
            "project__dossier__filiere_id",
        )
    )
    base = campaign.decision_date.year if campaign.decision_date else timezone.localdate().year
    starts = [start.year for _n, _g, start, _d, _f in lines if start is not None]
    first_year = min([base, *starts])
    years = range(first_year, first_year + YEARS_SHOWN)
    by_year = {year: {"year": year, "recurring": ZERO, "one_off": ZERO} for year in years}
    group_years = defaultdict(
        lambda: {year: {"year": year, "recurring": ZERO, "one_off": ZERO} for year in years}
    )
    for nature, granted, start, decided_at, filiere_id in lines:
        kind = NATURE_TO_KIND[nature]
        for year in years:
            cost = yearly_cost(nature, granted, start, decided_at, year)
            by_year[year][kind] += cost
            group_years[group_of(filiere_id)][year][kind] += cost
    for row in by_year.values():
        row["total"] = row["recurring"] + row["one_off"]
        row["recurring_envelope"] = envelopes["recurring"]
        row["delegated"] = delegated_by_year.get(row["year"], ZERO)

    by_territory = []
    for key, buckets in groups.items():
        commitments = list(group_years[key].values())
        for row in commitments:
            row["total"] = row["recurring"] + row["one_off"]
        by_territory.append(
            {
                "territories": [territories[t]["code"] for t in key],
                "label": " + ".join(
                    f"{territories[t]['code']} — {territories[t]['name']}" for t in key
                )
                or _("Sans territoire renseigné"),
                **buckets,
                "by_year": commitments,
            }
        )
    by_territory.sort(key=lambda row: (not row["territories"], row["territories"]))

    return {
        "campaign": campaign,
        "envelopes": envelope_rows,
        "by_territory": by_territory,
        "by_year": list(by_year.values()),
        "first_delegation_date": first_delegation,
        "planned_first_delegation_date": campaign.first_delegation_date,
    }


def envelope_totals(campaign):
    """{kind: {envelope, granted, proposed_pending}}, as in budget_summary's envelope rows,
    in two queries: what the proposal and decision pages of one dossier need, without the
    per-territory and per-year breakdown of the whole campaign."""

    totals = {kind: {"envelope": ZERO, "granted": ZERO, "proposed_pending": ZERO} for kind in KINDS}
    for envelope in Envelope.objects.filter(campaign=campaign):
        totals[envelope.kind]["envelope"] = envelope.amount
    decided = Q(project__dossier__state=DossierState.DECIDED)
    rows = (
        FundingLine.objects.filter(
            project__dossier__campaign=campaign, project__dossier__state__in=SUBMITTED_STATES
        )
        .values("nature")
        .annotate(pending=Sum("proposed", filter=~decided), granted=Sum("granted", filter=decided))
        .order_by()
    )
    for row in rows:
        kind = NATURE_TO_KIND[row["nature"]]
        totals[kind]["granted"] += row["granted"] or ZERO
        totals[kind]["proposed_pending"] += row["pending"] or ZERO
    return totals


def dossier_amounts(campaign):
    """Every counted dossier of the campaign with its sums per nature (one query)."""

    def total(field, nature):
        return Sum(f"projects__lines__{field}", filter=Q(projects__lines__nature=nature))

    annotations = {}
    for nature in (LineNature.RECURRING, LineNature.ONE_OFF):
        kind = NATURE_TO_KIND[nature]
        for field in ("amount", "proposed", "granted"):
            annotations[f"{field}_{kind}"] = total(field, nature)
    return (
        counted_dossiers(campaign)
        .select_related("filiere")
        .defer("identity", "diagnostic", "swot")
        .annotate(**annotations)
        .order_by("filiere__name", "pk")
    )


def counted_dossiers(campaign):
    """The campaign's dossiers whose amounts count (from their submission on)."""

    return Dossier.objects.filter(campaign=campaign, state__in=SUBMITTED_STATES)


# ---------------------------------------------------------------- reading helpers


def granted_totals(campaign):
    """{kind: granted total} of the campaign's decided dossiers."""
    return _granted_totals(campaign.pk)


def campaign_envelopes(campaign):
    """The campaign's envelopes (recurring first) with their amendment history."""

    envelopes = Envelope.objects.filter(campaign=campaign).prefetch_related(
        Prefetch(
            "amendments",
            queryset=EnvelopeAmendment.objects.select_related("created_by").order_by(
                "created_at", "pk"
            ),
        )
    )
    return sorted(envelopes, key=lambda e: KINDS.index(e.kind))


# The long texts and JSON documents of the project sheet and dossier a line belongs to:
# never shown next to a line, not loaded with it.
LINE_CONTEXT_DEFERRED = (
    "project__objectives",
    "project__actions",
    "project__partners",
    "project__indicators",
    "project__dossier__identity",
    "project__dossier__diagnostic",
    "project__dossier__swot",
)


def campaign_delegations(campaign):
    return (
        Delegation.objects.filter(line__project__dossier__campaign=campaign)
        .select_related("line__project__dossier__filiere", "created_by")
        .defer(*(f"line__{field}" for field in LINE_CONTEXT_DEFERRED))
        .order_by("date", "pk")
    )


def delegated_per_line(campaign):
    """{line id: delegated total} for the campaign (one query)."""
    return dict(
        Delegation.objects.filter(line__project__dossier__campaign=campaign)
        .values("line_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("line_id", "total")
    )


def line_delegated(line_id):
    return (
        Delegation.objects.filter(line_id=line_id).aggregate(total=Sum("amount"))["total"] or ZERO
    )


def delegable_lines(campaign):
    """Granted lines of the campaign's decided dossiers, with what was delegated (one query)."""

    return (
        FundingLine.objects.filter(
            project__dossier__campaign=campaign,
            project__dossier__state=DossierState.DECIDED,
            granted__gt=0,
        )
        .select_related("project__dossier__filiere")
        .defer(*LINE_CONTEXT_DEFERRED)
        .annotate(
            delegated=Coalesce(
                Sum("delegations__amount"),
                Value(ZERO),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .order_by("project__dossier__filiere__name", "project__priority", "project_id", "pk")
    )
