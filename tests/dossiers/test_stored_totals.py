"""A dossier's stored totals (DossierTotals, kept by database triggers, decision 0056) are
always what its lines add up to: after every kind of write — the domain's actions, a
bulk insert, a queryset update, a deletion — on SQLite and on PostgreSQL. The lists, the
budget and the envelopes read them instead of the lines: a stale total would show wrong
money."""

from decimal import Decimal

import pytest
from django.db.models import Q, Sum

from budget.domain.decisions import decide
from budget.domain.proposals import propose
from dossiers.domain.totals import MONEY, dossier_totals, sums_by_dossier, totals_of
from dossiers.enums import LineNature
from dossiers.models import Dossier, DossierTotals, FundingLine, Project
from tests.budget.conftest import ONE_OFF, REC, grant_all, lines_of, make_dossier
from tests.factories import DossierFactory, FundingLineFactory, ProjectFactory

COLUMNS = [
    f"{field}_{nature}"
    for field in ("amount", "proposed", "granted")
    for nature in LineNature.values
]


def from_lines(dossier):
    """The dossier's totals summed from its lines now (None: no line)."""
    lines = FundingLine.objects.filter(project__dossier=dossier)
    if not lines.exists():
        return None
    return lines.aggregate(
        **{
            f"{field}_{nature}": Sum(field, filter=Q(nature=nature), output_field=MONEY)
            for field in ("amount", "proposed", "granted")
            for nature in LineNature.values
        }
    )


def stored(dossier):
    return DossierTotals.objects.filter(dossier_id=dossier.pk).values(*COLUMNS).first()


def assert_kept(*dossiers):
    for dossier in dossiers:
        assert stored(dossier) == from_lines(dossier), dossier


@pytest.fixture
def sheet(draft):
    return ProjectFactory(dossier=draft, priority=1)


def test_a_new_line_is_counted(draft, sheet):
    assert stored(draft) is None

    FundingLineFactory(project=sheet, amount=Decimal("52000.50"))
    FundingLineFactory(project=sheet, nature=ONE_OFF, amount=Decimal("10000"))

    assert stored(draft)["amount_recurring"] == Decimal("52000.50")
    assert stored(draft)["amount_one_off"] == Decimal("10000.00")
    assert stored(draft)["proposed_recurring"] is None
    assert_kept(draft)


def test_lines_without_amount_sum_to_nothing_then_to_their_amount(draft, sheet):
    line = FundingLineFactory(project=sheet, amount=None)
    assert stored(draft)["amount_recurring"] is None

    line.amount = Decimal("1.10")
    line.save()
    FundingLineFactory(project=sheet, amount=Decimal("2.20"))

    assert stored(draft)["amount_recurring"] == Decimal("3.30")
    assert_kept(draft)


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("99999.99")},
        {"nature": ONE_OFF},
        {"proposed": Decimal("40000.00")},
        {"granted": Decimal("12345.67")},
        {"label": "Libellé seul : rien ne change"},
    ],
)
def test_an_update_through_the_model_or_a_queryset_is_counted(draft, sheet, change):
    line = FundingLineFactory(project=sheet)
    other = FundingLineFactory(project=sheet, amount=Decimal("1000"))

    for name, value in change.items():
        setattr(line, name, value)
    line.save()
    FundingLine.objects.filter(pk=other.pk).update(**change)

    assert_kept(draft)


def test_a_line_moved_to_another_dossier_leaves_one_total_for_the_other(draft, sheet):
    other_dossier = DossierFactory()
    other_sheet = ProjectFactory(dossier=other_dossier)
    FundingLineFactory(project=sheet, amount=Decimal("10"))
    moved = FundingLineFactory(project=sheet, amount=Decimal("32"))

    FundingLine.objects.filter(pk=moved.pk).update(project=other_sheet)

    assert stored(draft)["amount_recurring"] == Decimal("10.00")
    assert stored(other_dossier)["amount_recurring"] == Decimal("32.00")
    assert_kept(draft, other_dossier)


def test_deleting_lines_sheets_and_dossiers(draft, sheet):
    second = ProjectFactory(dossier=draft, priority=2)
    first_line = FundingLineFactory(project=sheet, amount=Decimal("10"))
    FundingLineFactory(project=second, amount=Decimal("20"))
    FundingLineFactory(project=second, amount=Decimal("30"))

    first_line.delete()
    assert stored(draft)["amount_recurring"] == Decimal("50.00")

    Project.objects.filter(pk=second.pk).delete()  # its lines go with it
    assert stored(draft) is None  # no line left: no row

    FundingLineFactory(project=sheet, amount=Decimal("7"))
    Dossier.objects.filter(pk=draft.pk).delete()
    assert not DossierTotals.objects.filter(dossier_id=draft.pk).exists()


def test_a_bulk_insert_is_counted(draft, sheet):
    other = ProjectFactory(dossier=DossierFactory())
    FundingLine.objects.bulk_create(
        [
            FundingLine(project=project, nature=nature, amount=Decimal(amount))
            for project in (sheet, other)
            for nature, amount in ((REC, "100.10"), (REC, "200.20"), (ONE_OFF, "5"))
        ]
    )

    assert stored(draft)["amount_recurring"] == Decimal("300.30")
    assert_kept(draft, other.dossier)


def test_the_proposal_and_the_decision_are_counted(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "52000.00"), (ONE_OFF, "10000.00")])
    recurring, one_off = lines_of(dossier)

    propose(
        dossier,
        instructor,
        [
            {"line": recurring.pk, "proposed": "40000.50", "opinion": "favourable"},
            {"line": one_off.pk, "proposed": "0", "opinion": "unfavourable"},
        ],
    )
    assert stored(dossier)["proposed_recurring"] == Decimal("40000.50")
    assert stored(dossier)["proposed_one_off"] == Decimal("0.00")

    decide(dossier, decider, "partially_accepted", grant_all(dossier, ["40000.50", "0"]), "Ok.")

    assert stored(dossier)["granted_recurring"] == Decimal("40000.50")
    assert stored(dossier)["granted_one_off"] == Decimal("0.00")
    assert_kept(dossier)


def test_readers_give_what_the_lines_add_up_to(campaign, instructor):
    dossiers = [
        make_dossier(campaign, instructor, [(REC, "52000.00"), (ONE_OFF, "10000.00")]),
        make_dossier(campaign, instructor, [[(REC, "0.01")], [(REC, "1600000"), (REC, "3.33")]]),
        make_dossier(campaign, instructor, [(ONE_OFF, "12.34")], state="submitted"),
    ]
    empty = DossierFactory()
    queryset = Dossier.objects.filter(pk__in=[d.pk for d in [*dossiers, empty]])

    by_dossier = sums_by_dossier(queryset, null=None)

    assert set(by_dossier) == {d.pk for d in dossiers}  # no row for a dossier without lines
    for dossier in dossiers:
        assert by_dossier[dossier.pk] == from_lines(dossier)
    assert totals_of(queryset) == {
        "amount_recurring": Decimal("1652003.34"),
        "amount_one_off": Decimal("10012.34"),
    }
    assert dossier_totals(dossiers[1])["requested_recurring"] == Decimal("1600003.34")
    assert dossier_totals(empty) == {
        f"{name}_{nature}": Decimal("0.00")
        for name in ("requested", "proposed", "granted")
        for nature in LineNature.values
    }
