"""The export agrees with the scoring aggregate and with the budget view."""

import datetime as dt
from decimal import Decimal

from budget.domain.delegations import record_delegation
from budget.queries import budget_summary
from common.identifiers import finess_with_key
from outputs.domain.exports import SHEET_DECISIONS, SHEET_ENVELOPES, export_decisions
from scoring.domain.aggregate import dossier_aggregate
from scoring.domain.assignments import assign_reviewer
from scoring.domain.grid import get_grid, grid_criteria
from scoring.domain.reviews import save_review
from tests.outputs.sheets import rows_of, workbook


def _review(dossier, reviewer, first_four, others):
    criteria = grid_criteria(get_grid(dossier.campaign))
    scores = {c.code: (first_four if i < 4 else others) for i, c in enumerate(criteria)}
    save_review(
        dossier,
        reviewer,
        {"scores": scores, "opinion": "favourable", "comment": "Avis motivé."},
        submit=True,
    )


def _sheet(content, name):
    return rows_of(workbook(content)[name])


def test_score_column_is_the_weighted_mean_of_the_reviews(scenario, caresp, instructor):
    dossier = scenario["b"]
    assign_reviewer(dossier, instructor, caresp)
    assign_reviewer(dossier, instructor, instructor)
    _review(dossier, caresp, 4, 4)
    _review(dossier, instructor, 3, 2)
    # Default grid: 4 criteria of weight 2 and 5 of weight 1 → (4 + 34/13) / 2 = 3.3077.
    assert dossier_aggregate(dossier).stats.mean.quantize(Decimal("0.01")) == Decimal("3.31")
    content = export_decisions(dossier.campaign, "xlsx")[2]
    rows = [r for r in _sheet(content, SHEET_DECISIONS) if r["Filière"] == dossier.filiere.name]
    # On the grid's scale, which the header names.
    assert rows and all(r["Score pondéré (/4)"] == 3.31 for r in rows)


def test_envelope_sheet_equals_the_budget_view(scenario, decider):
    campaign = scenario["a"].campaign
    line = scenario["a"].projects.get(priority=1).lines.get(nature="recurring")
    record_delegation(
        decider, line, "13000.00", dt.date(2025, 7, 15), "fir_arrete", finess_with_key("29000001")
    )
    summary = budget_summary(campaign)["envelopes"]
    rows = _sheet(export_decisions(campaign, "xlsx")[2], SHEET_ENVELOPES)
    assert len(rows) == 2
    for row, kind in zip(rows, ("recurring", "one_off"), strict=True):
        expected = summary[kind]
        for column, key in [
            ("Montant de l'enveloppe (€)", "envelope"),
            ("Demandé (€)", "requested"),
            ("Proposé (€)", "proposed"),
            ("Accordé (€)", "granted"),
            ("Délégué (€)", "delegated"),
            ("Reste à accorder (€)", "remaining"),
        ]:
            assert Decimal(str(row[column])).quantize(Decimal("0.01")) == expected[key], column
    assert summary["recurring"]["delegated"] == Decimal("13000.00")
