import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Sum

from common.money import CENT, Cents, format_eur, from_cents
from dossiers.models import FundingLine
from tests.factories import FundingLineFactory


def grouped_by_hand(amount, cents=True):
    """format_eur as it was written first: groups of three digits cut by hand."""
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    integer, _dot, decimals = format(abs(amount), "f").partition(".")
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    text = "\u202f".join(groups)
    if cents:
        text += "," + decimals
    return f"{sign}{text}\u00a0€"


EDGES = [
    0,
    Decimal("0"),
    Decimal("0.00"),
    Decimal("-0.00"),
    Decimal("-0.004"),
    Decimal("0.005"),
    Decimal("0.015"),
    Decimal("0.025"),
    Decimal("-0.005"),
    Decimal("1"),
    Decimal("999.995"),
    Decimal("1000"),
    Decimal("-1000.5"),
    Decimal("123456.789"),
    Decimal("1600000"),
    Decimal("999999999999.99"),
    Decimal("-999999999999.99"),
    Decimal("12345678901234567.891"),
    12,
    -7,
    "1234.5",
]


@pytest.mark.parametrize("amount", EDGES)
@pytest.mark.parametrize("cents", [True, False])
def test_format_eur_writes_what_grouping_by_hand_writes(amount, cents):
    assert format_eur(amount, cents=cents) == grouped_by_hand(amount, cents)


def test_format_eur_on_random_amounts():
    draw = random.Random(13)
    for _ in range(2000):
        amount = Decimal(draw.randrange(-(10**14), 10**14)).scaleb(-draw.choice([0, 1, 2, 3]))
        assert format_eur(amount) == grouped_by_hand(amount)
        assert format_eur(amount, cents=False) == grouped_by_hand(amount, cents=False)


def test_format_eur_french_way():
    assert format_eur(Decimal("1600000")) == "1\u202f600\u202f000,00\u00a0€"
    assert format_eur(Decimal("-1234.567")) == "-1\u202f234,57\u00a0€"
    assert format_eur(Decimal("1234.99"), cents=False) == "1\u202f234\u00a0€"
    assert format_eur(Decimal("-0.001")) == "0,00\u00a0€"
    assert format_eur(None) == "—"


def test_from_cents():
    assert from_cents(0) == Decimal("0.00") and str(from_cents(0)) == "0.00"
    assert str(from_cents(12345)) == "123.45"
    assert str(from_cents(-5)) == "-0.05"
    assert str(from_cents(99999999999999)) == "999999999999.99"


@pytest.mark.django_db
def test_cents_reads_and_sums_exact_cents():
    # Binary floats on SQLite: 0.29 × 100 is 28.999…; ROUND gives 29.
    amounts = ["0.29", "0.57", "1.15", "4.35", "1234567890.99", "0.01", "0.10"]
    for text in amounts:
        FundingLineFactory(amount=Decimal(text))
    lines = FundingLine.objects.order_by("pk")
    assert list(lines.values_list(Cents("amount"), flat=True)) == [
        int(Decimal(text) * 100) for text in amounts
    ]
    total = lines.aggregate(total=Sum(Cents("amount")))["total"]
    assert from_cents(total) == sum(Decimal(text) for text in amounts)
