"""The financing panel of the dossier page reads what each envelope still has in two
light queries (budget.queries.panel_envelope_room, decision 0065): the rows of
envelope_room, which the proposal and decision pages use, for every state of the dossier
and both ways of counting the other dossiers' proposals."""

from decimal import Decimal

import pytest

from budget.domain.decisions import decide
from budget.domain.proposals import propose
from budget.enums import EnvelopeKind
from budget.models import Envelope
from budget.queries import envelope_room, panel_envelope_room
from dossiers.domain.totals import dossier_totals
from tests.budget.conftest import ONE_OFF, REC, grant_all, lines_of, make_dossier


@pytest.fixture
def campaign_figures(campaign, instructor, decider, analysed):
    """Envelopes, a decided dossier, pending proposals on two dossiers (the page's one
    and another), a submitted dossier and a draft (not counted)."""
    Envelope.objects.update_or_create(
        campaign=campaign, kind=EnvelopeKind.RECURRING, defaults={"amount": Decimal("900000")}
    )
    Envelope.objects.update_or_create(
        campaign=campaign, kind=EnvelopeKind.ONE_OFF, defaults={"amount": Decimal("50000.50")}
    )
    granted = make_dossier(campaign, instructor, [(REC, "12000.10"), (ONE_OFF, "999.99")])
    decide(granted, decider, "accepted", grant_all(granted), "Accord.")
    other = make_dossier(campaign, instructor, [(REC, "7000"), (ONE_OFF, "300.03")])
    for dossier, amounts in ((other, ["6500.01", "300"]), (analysed, ["40000", None])):
        propose(
            dossier,
            instructor,
            [
                {"line": line.pk, "proposed": amount, "opinion": ""}
                for line, amount in zip(lines_of(dossier), amounts, strict=True)
            ],
        )
    submitted = make_dossier(campaign, instructor, [(REC, "1")], state="submitted")
    make_dossier(campaign, instructor, [(REC, "5")], state="draft")
    return {"analysed": analysed, "other": other, "submitted": submitted}


@pytest.mark.parametrize("which", ["analysed", "other", "submitted"])
@pytest.mark.parametrize("minus_pending", [True, False])
def test_panel_envelope_room_is_envelope_room(campaign_figures, which, minus_pending):
    dossier = campaign_figures[which]
    expected = envelope_room(dossier, [], "proposed", minus_pending=minus_pending)
    rows = panel_envelope_room(dossier, dossier_totals(dossier), minus_pending=minus_pending)
    assert rows == expected
    assert [type(row["available"]) for row in rows] == [Decimal, Decimal]
    if minus_pending:
        assert any(row["others_pending"] for row in rows)
    assert any(row["granted"] for row in rows)


def test_without_envelope_nor_dossier_counted(campaign, analysed):
    Envelope.objects.filter(campaign=campaign).delete()
    for minus_pending in (True, False):
        assert panel_envelope_room(
            analysed, dossier_totals(analysed), minus_pending=minus_pending
        ) == envelope_room(analysed, [], "proposed", minus_pending=minus_pending)
