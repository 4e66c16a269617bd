"""Version checks under real concurrency (PostgreSQL, one connection per thread): two
instructors saving the same proposal, or two editors the same funding line, from the
same version at the same instant: exactly one wins, the other gets a Conflict and
nothing of theirs is written."""

from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Role
from budget.domain.proposals import propose
from common.errors import Conflict
from dossiers.domain.editing import update_line
from dossiers.models import Dossier, FundingLine
from tests.budget.conftest import REC, lines_of, make_dossier
from tests.budget.test_concurrency_pg import run_together
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_proposals_from_the_same_version_one_wins(campaign, instructor):
    dossier = make_dossier(campaign, instructor, [(REC, "50000.00")])
    line = lines_of(dossier)[0]
    other = UserFactory(roles=[(Role.ARS_INSTRUCTOR, campaign.region)])
    for user in (instructor, other):
        user.role_codes  # noqa: B018 - load the roles once, before the threads
    amounts = ["1000.00", "2000.00"]
    results = run_together(
        [
            (
                lambda user=user, amount=amount: propose(
                    dossier, user, [{"line": line.pk, "proposed": amount}], version=0
                )
            )
            for user, amount in zip((instructor, other), amounts, strict=True)
        ]
    )
    kinds = [kind for kind, _value in results]
    assert sorted(kinds) == ["error", "ok"], results
    loser = next(value for kind, value in results if kind == "error")
    assert isinstance(loser, Conflict)
    winner = amounts[kinds.index("ok")]
    assert FundingLine.objects.get(pk=line.pk).proposed == Decimal(winner)
    assert Dossier.objects.get(pk=dossier.pk).proposal_version == 1


def test_concurrent_line_edits_from_the_same_version_one_wins(campaign, instructor):
    dossier = make_dossier(campaign, instructor, [(REC, "50000.00")], state="draft")
    line = lines_of(dossier)[0]
    lead = dossier.filiere.editors.get()
    co_editor = UserFactory(roles=[Role.FILIERE_LEAD])
    dossier.filiere.editors.add(co_editor)
    labels = ["Par le porteur", "Par le co-rédacteur"]
    results = run_together(
        [
            (
                lambda user=user, label=label: update_line(
                    Dossier.objects.get(pk=dossier.pk),
                    user,
                    line.project_id,
                    line.pk,
                    {"label": label},
                    version=1,
                )
            )
            for user, label in zip((lead, co_editor), labels, strict=True)
        ]
    )
    kinds = [kind for kind, _value in results]
    assert sorted(kinds) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), Conflict)
    line.refresh_from_db()
    assert (line.label, line.version) == (labels[kinds.index("ok")], 2)
