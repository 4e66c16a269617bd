import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context
from django.template.base import render_value_in_context
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from common.escaping import render_value

VALUES = [
    "a < b & \"c\" 'd'",
    mark_safe("<i>sûr</i>"),
    2026,
    1234567,
    -5,
    True,
    Decimal("1234.50"),
    1234.5,
    None,
    dt.date(2027, 1, 31),
    gettext_lazy("Ligne"),
]


@pytest.mark.parametrize("thousands", [False, True])
@pytest.mark.parametrize("autoescape", [True, False])
def test_render_value_is_render_value_in_context(settings, thousands, autoescape):
    settings.USE_THOUSAND_SEPARATOR = thousands
    context = Context(autoescape=autoescape)
    with translation.override("fr"):
        for value in VALUES:
            assert str(render_value(value, context)) == str(
                render_value_in_context(value, context)
            ), value
