"""`{{ field|dsfr_field }}` (common/templatetags/dsfr_fields.py) gives the markup of the
DSFR crispy pack's field template, faster: the same HTML for every field kind it builds
itself, in every state (required, help text, errors, disabled), and crispy's own for
the others."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.template import Context, Template
from django.test.html import parse_html
from django.utils.html import format_html

from budget.forms import AmendmentForm, AmountField, MonthField
from common.templatetags.dsfr_fields import dsfr_field, dsfr_form
from dossiers.forms_projects import FundingLineForm, ProjectForm
from scoring.forms import AssignReviewerForm, ConflictForm, InternalCommentForm
from tests.factories import UserFactory


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


# --------------------------------------------------------------------------- whole forms


class OwnSelect(forms.Select):
    """A select of its own class (as budget.forms.LineSelect)."""


class Plain(forms.Form):
    """Every kind of field dsfr_form builds itself, in each of its cases."""

    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    choice = forms.ChoiceField(
        label="Choix <un>", choices=[("", "—"), ("a", "A & B")], help_text="Aide <b>"
    )
    plain_choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=50)
    hinted_text = forms.CharField(
        widget=forms.Textarea, required=False, help_text=format_html("<em>{}</em>", "sûr")
    )
    line = forms.CharField(required=False, label="Ligne « libre »")
    number = forms.IntegerField(required=False, help_text="≥ 0")
    email = forms.EmailField(required=False)
    agree = forms.BooleanField(required=False, label="J'accepte <tout>")
    required_agree = forms.BooleanField(help_text="Obligatoire")
    # Widgets the pack does not name: its last branch, an input group.
    password = forms.CharField(widget=forms.PasswordInput, required=False)
    own_select = forms.ChoiceField(
        choices=[("", "—"), ("a", "A <a>")], widget=OwnSelect, required=False, help_text="Aide"
    )


PLAIN_STATES = {
    "empty": ({}, None),
    "initial": ({"initial": {"text": "déjà <écrit>\nsur deux lignes", "agree": True}}, None),
    "valid": (
        {},
        {
            "choice": "a",
            "text": "Un texte <b>",
            "hinted_text": "\n",
            "line": "x",
            "number": "3",
            "required_agree": "on",
        },
    ),
    "invalid": ({}, {"choice": "z", "number": "-x"}),
}


@pytest.mark.parametrize("state", PLAIN_STATES)
def test_form_same_string_as_crispy(state):
    kwargs, data = PLAIN_STATES[state]
    form = Plain(data, **kwargs) if data is not None else Plain(**kwargs)
    if form.is_bound:
        form.is_valid()
    assert str(dsfr_form(form)) == str(as_crispy_form(form))


def test_form_with_other_fields_left_to_crispy():
    form = Sample()
    assert str(dsfr_form(form)) == str(as_crispy_form(form))


@pytest.mark.django_db
@pytest.mark.parametrize("can_restrict", [True, False])
def test_dossier_panel_forms_same_string_as_crispy(can_restrict):
    once = re.compile(r'name="once" value="[^"]+"')
    eligible = UserFactory.create_batch(2, first_name="Anne <b>")
    for form in (
        AssignReviewerForm(eligible=eligible),
        ConflictForm(),
        InternalCommentForm(can_restrict=can_restrict),
        InternalCommentForm({"text": ""}, can_restrict=can_restrict),
    ):
        if form.is_bound:
            form.is_valid()
        fast, crispy = str(dsfr_form(form)), str(as_crispy_form(form))
        assert once.sub("", fast) == once.sub("", crispy)
        assert 'id="div_id_' in fast


@pytest.mark.parametrize("prefix", ["recurring", "one_off"])
def test_budget_amendment_form_same_string_as_crispy(prefix):
    """The budget dashboard's envelope amendment forms (one per envelope)."""
    once = re.compile(r'name="[a-z_-]*once" value="[^"]+"')
    form = AmendmentForm(prefix=prefix)
    fast, crispy = str(dsfr_form(form)), str(as_crispy_form(form))
    assert once.sub("", fast) == once.sub("", crispy)
    assert f'id="div_id_{prefix}-reason"' in fast


class Choices(forms.Form):
    """The radio and checkbox lists dsfr_form builds itself."""

    nature = forms.ChoiceField(
        label="Nature <des> crédits",
        choices=[("recurring", "Reconductible"), ("one_off", "Ponctuel « & »")],
        widget=forms.RadioSelect,
        help_text="Aide <b>",
    )
    missions = forms.MultipleChoiceField(
        choices=[("a", "Mission <a>"), ("b", "Mission 'b'")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    empty = forms.MultipleChoiceField(
        choices=[], widget=forms.CheckboxSelectMultiple, required=False, help_text="Rien"
    )


CHOICES_STATES = {
    "empty": ({}, None),
    "initial": ({"initial": {"nature": "one_off", "missions": ["a", "b"]}}, None),
    "valid": ({}, {"nature": "recurring", "missions": ["b"]}),
    "invalid": ({}, {"nature": "z", "missions": ["<script>"]}),
}


@pytest.mark.parametrize("state", CHOICES_STATES)
def test_choice_lists_same_string_as_crispy(state):
    kwargs, data = CHOICES_STATES[state]
    form = Choices(data, **kwargs) if data is not None else Choices(**kwargs)
    if form.is_bound:
        form.is_valid()
    fast = str(dsfr_form(form))
    assert fast == str(as_crispy_form(form))
    if state == "initial":
        assert fast.count("checked") == 3
        assert "Ponctuel « &amp; »" in fast


@pytest.mark.parametrize("with_version", [True, False])
def test_project_sheet_forms_same_string_as_crispy(with_version):
    """The project sheet page's two forms (a sheet, a funding line), with SWOT items a
    lead typed (hostile ones included) as choices."""
    once = re.compile(r'name="once" value="[^"]+"')
    swot = {"strengths": ["Équipe <mobile>", 'Lien "ville-hôpital"'], "threats": ["A & B"]}
    forms_ = [
        ProjectForm(
            swot=swot,
            linked_items=["Retiré <b>"],
            with_version=with_version,
            initial={"title": "Fiche <1>", "missions": ["coordination"], "swot_items": ["A & B"]},
        ),
        ProjectForm(swot={}, with_version=with_version),
        FundingLineForm(initial={"label": "Poste « IDE »", "nature": "one_off", "etp": "0,5"}),
        FundingLineForm(),
    ]
    for form in forms_:
        fast, crispy = str(dsfr_form(form)), str(as_crispy_form(form))
        assert once.sub("", fast) == once.sub("", crispy)
        assert "<fieldset" in fast
