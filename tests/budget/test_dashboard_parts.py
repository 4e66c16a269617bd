"""The dashboard's envelopes and page of dossiers read as plain values (decision 0066):
the same figures, authors and rows as the model instances and the two-step page gave."""

import datetime as dt
from decimal import Decimal

import pytest

from budget import queries
from budget.models import Envelope, EnvelopeAmendment
from tests.budget.conftest import ONE_OFF, REC, make_dossier
from tests.factories import UserFactory


@pytest.mark.django_db
def test_envelopes_and_amendments_as_the_models_give_them(campaign):
    recurring = Envelope.objects.get(campaign=campaign, kind="recurring")
    named = UserFactory(first_name="Anne <b>", last_name="\"Kerr\" & 'co'")
    unnamed = UserFactory(first_name="", last_name="")
    for index, user in enumerate([named, unnamed, None]):
        EnvelopeAmendment.objects.create(
            envelope=recurring,
            date=dt.date(2025, 7, 1 + index),
            previous_amount=Decimal("1600000.00") + index,
            new_amount=Decimal("1700000.00") + index,
            reason=f"Motif <{index}>\nsur deux lignes",
            created_by=user,
        )
    envelopes, amendments = queries.dashboard_envelopes(campaign)
    assert sorted((e.kind, e.amount) for e in envelopes) == sorted(
        Envelope.objects.filter(campaign=campaign).values_list("kind", "amount")
    )
    expected = [
        (a.date, a.previous_amount, a.new_amount, a.reason, str(a.created_by or "") or None)
        for a in recurring.amendments.order_by("created_at", "pk")
    ]
    assert [
        (a.date, a.previous_amount, a.new_amount, a.reason, a.created_by)
        for a in amendments["recurring"]
    ] == expected
    assert expected[0][4] == "Anne <b> \"Kerr\" & 'co'" and expected[1][4] == unnamed.username
    assert expected[2][4] is None and amendments["one_off"] == []


@pytest.mark.django_db
def test_dossier_pages_are_the_dossier_amounts_of_their_ids(campaign, instructor):
    for amounts in ([(REC, "10.00")], [(ONE_OFF, "5.50"), (REC, "1.00")], [(REC, "2.00")]):
        make_dossier(campaign, instructor, amounts)
    make_dossier(campaign, instructor, [(REC, "3.00")], state="draft")  # not counted
    ordered = queries.counted_dossiers(campaign).order_by("filiere__name", "pk")
    ids = list(ordered.values_list("pk", flat=True))
    assert len(ids) == 3

    def rows(dossiers):
        return [
            (d.pk, d.state, d.outcome, d.filiere.name)
            + tuple(getattr(d, name) for name in queries.DOSSIER_AMOUNTS)
            for d in dossiers
        ]

    for number in ("1", "2", "3", None, "x", "9"):
        page = queries.dossier_amounts_page(campaign, number, 2)
        start = (page.number - 1) * 2
        assert page.paginator.count == 3
        assert rows(page.object_list) == rows(
            queries.dossier_amounts(campaign, ids[start : start + 2])
        )
