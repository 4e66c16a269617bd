"""`{{ field|dsfr_field }}` (common/templatetags/dsfr_fields.py) gives the markup of the
DSFR crispy pack's field template, faster: the same HTML for every field kind it builds
itself, in every state (required, help text, errors, disabled), and crispy's own for
the others."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.template import Context, Template
from django.test.html import parse_html

from budget.forms import AmountField, MonthField
from common.templatetags.dsfr_fields import dsfr_field


class Sample(forms.Form):
    name = forms.CharField(label="Nom <de> la ligne", max_length=10)
    hinted = forms.CharField(required=False, help_text="Une aide & un conseil")
    amount = AmountField(required=False, nature="one_off", label="Montant « proposé »")
    month = MonthField(required=False)
    opinion = forms.ChoiceField(
        choices=[("", "—"), ("favourable", "Favorable")], required=False, help_text="Aide"
    )
    required_choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    comment = forms.CharField(widget=forms.Textarea, required=False, max_length=5)
    number = forms.IntegerField(required=False, min_value=0, help_text="≥ 0")
    frozen = forms.CharField(disabled=True, required=False, initial="figé")
    # Left to crispy:
    agree = forms.BooleanField(required=False)
    outcome = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    file = forms.FileField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


STATES = {
    "empty": None,
    "valid": {"name": "Ligne", "required_choice": "a", "outcome": "a", "amount": "12,50"},
    "invalid": {
        "name": "beaucoup trop long <b>",
        "amount": "abc",
        "month": "13/2025",
        "opinion": "inconnu",
        "comment": "bien trop long",
        "number": "-1",
        "agree": "on",
        "outcome": "z",
    },
}


@pytest.mark.parametrize("state", STATES)
def test_same_markup_as_the_crispy_pack(state):
    form = Sample(STATES[state]) if STATES[state] is not None else Sample()
    if form.is_bound:
        form.is_valid()
    for name in form.fields:
        fast, crispy = dsfr_field(form[name]), as_crispy_field(form[name])
        assert parse_html(fast) == parse_html(crispy), (state, name, fast, crispy)


def test_errors_are_announced_and_tied_to_the_field():
    form = Sample({"amount": "abc"})
    form.is_valid()
    html = dsfr_field(form["amount"])
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_amount-desc-error"' in html
    assert "fr-input-group--error" in html and "fr-input--error" in html
    assert 'class="fr-error-text"' in html


def test_usable_in_templates():
    rendered = Template("{% load dsfr_fields %}{{ form.name|dsfr_field }}").render(
        Context({"form": Sample()})
    )
    assert 'id="div_id_name"' in rendered and "&lt;de&gt;" in rendered
