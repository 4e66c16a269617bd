import datetime as dt

import pytest
from django.utils import translation
from django.utils.formats import date_format

from common.dates import long_date


@pytest.mark.parametrize("language", ["fr", "en"])
def test_long_date_writes_what_date_format_writes(language):
    with translation.override(language):
        for day in (dt.date(2026, month, 1 + month) for month in range(1, 13)):
            assert long_date(day) == date_format(day, "j F Y")
        assert long_date(dt.date(2027, 1, 1)) == date_format(dt.date(2027, 1, 1), "j F Y")


def test_long_date_in_french():
    with translation.override("fr"):
        assert long_date(dt.date(2026, 12, 5)) == "5 décembre 2026"
        assert long_date(dt.date(2026, 8, 15)) == "15 août 2026"
