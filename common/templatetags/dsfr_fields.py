"""`{{ field|dsfr_field }}`: a form field in the DSFR markup of the crispy pack
(templates/dsfr_pack/field.html), built in Python for text-like inputs, textareas and
selects, the fields repeated on every row of large forms (proposal, decision, reviews:
hundreds of fields). Other widgets (checkboxes, radios, files, hidden) go through
crispy's `as_crispy_field` as before. tests/config/test_dsfr_field.py checks that both
give the same markup."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import template
from django.utils.html import strip_spaces_between_tags
from django.utils.safestring import SafeString, mark_safe

from common.escaping import escape
from common.form_renderer import render_widget

register = template.Library()

_CRISPY_ONLY = {
    "checkboxinput",
    "radioselect",
    "checkboxselectmultiple",
    "clearablefileinput",
    "fileinput",
    "selectmultiple",
}


def _required_marker(field):
    return (
        '<span class="fr-required-marker" aria-hidden="true"> *</span>'
        if field.field.required
        else ""
    )


def _label(field, auto_id, help_text):
    required = _required_marker(field)
    hint = (
        f'<span class="fr-hint-text" id="{auto_id}-hint">{escape(help_text)}</span>'
        if help_text
        else ""
    )
    return (
        f'<label class="fr-label" for="{field.id_for_label}">'
        f"{escape(field.label)}{required}{hint}</label>"
    )


def _errors(auto_id, errors):
    if not errors:
        return ""
    messages = "".join(f'<p class="fr-error-text">{escape(e)}</p>' for e in errors)
    return f'<div id="{auto_id}-desc-error">{messages}</div>'


@register.filter
def dsfr_field(field):
    widget_type = field.field.widget.__class__.__name__.lower()
    if field.is_hidden or widget_type in _CRISPY_ONLY:
        return as_crispy_field(field)
    errors = field.form.errors.get(field.name)  # no empty ErrorList made per field
    auto_id = field.auto_id
    help_text = field.help_text
    error_id = f"{auto_id}-desc-error"
    if widget_type == "select":
        group, css = "fr-select-group", "fr-select"
        attrs = {"class": css}
        if errors:
            attrs = {
                "class": f"{css} {css}--error",
                "aria-describedby": error_id,
                "aria-invalid": "true",
            }
    else:
        group, css = "fr-input-group", "fr-input"
        if errors:
            attrs = {
                "class": f"{css} {css}--error",
                "aria-describedby": error_id,
                "aria-invalid": "true",
            }
        elif help_text:
            attrs = {"class": css, "aria-describedby": f"{auto_id}-hint"}
        else:
            attrs = {"class": css}
    group_class = f"{group} {group}--error" if errors else group
    return SafeString(  # every value is escaped above or by the widget's renderer
        f'<div class="{group_class}" id="div_{auto_id}">{_label(field, auto_id, help_text)}'
        f"{render_widget(field, attrs)}{_errors(auto_id, errors)}</div>"
    )


# --------------------------------------------------------------------------- whole forms
# `{{ form|dsfr_form }}`: the string `{{ form|crispy }}` gives (dsfr_pack/uni_form.html,
# each field through dsfr_pack/field.html inside {% spaceless %}), built in Python for the
# small forms of the dossier page's panels (assign a reviewer, declare a conflict, an
# internal comment) and the project sheet page's (a sheet with its lists of missions and
# SWOT items to tick, a funding line with its radio buttons). The field template's text is rebuilt with its line breaks where they
# touch text, the widget rendered with the attributes in the order widget_tweaks'
# render_field gives them, then spaces between tags removed as {% spaceless %} does. A
# form with errors (its summary) or with another kind of field goes through crispy.
# tests/config/test_dsfr_field.py compares both strings.

# The pack's branches other than its last (an input group, whatever the widget: text,
# number, date, a textarea, or a select of its own class such as budget.forms.LineSelect,
# which widget_tweaks names "lineselect") that dsfr_form leaves to crispy.
_FORM_LEFT_TO_CRISPY = {"selectmultiple", "clearablefileinput", "fileinput"}


def _crispy_label(field):
    # dsfr_pack/layout/label.html
    required = _required_marker(field)
    help_text = field.help_text
    hint = (
        f'<span class="fr-hint-text" id="{field.auto_id}-hint">{escape(help_text)}</span>'
        if help_text
        else ""
    )
    return (
        f'<label class="fr-label" for="{field.id_for_label}">{escape(field.label)}'
        f"{required}\n  {hint}\n</label>\n"
    )


def _crispy_field(field, widget_type):
    """dsfr_pack/field.html of a field without errors, or None when not built here."""
    if field.is_hidden:
        raw = f"\n\n  {field}\n"
    elif widget_type == "checkboxinput":
        required = _required_marker(field)
        hint = (
            f'<span class="fr-hint-text">{escape(field.help_text)}</span>'
            if field.help_text
            else ""
        )
        raw = (
            f'\n\n  <div class="fr-checkbox-group fr-mb-3w" id="div_{field.auto_id}">\n    {field}'
            f'\n    <label class="fr-label" for="{field.id_for_label}">'
            f"{escape(field.label)}{required}\n      {hint}\n    </label>\n    \n  </div>\n"
        )
    elif widget_type in ("radioselect", "checkboxselectmultiple"):
        raw = _crispy_choices(field, widget_type)
    elif widget_type == "select":
        widget = field.as_widget(attrs={"class": "fr-select"})
        raw = (
            f'\n\n  <div class="fr-select-group" id="div_{field.auto_id}">\n    '
            f"{_crispy_label(field)}\n    {widget}\n    \n  </div>\n"
        )
    elif widget_type not in _FORM_LEFT_TO_CRISPY:
        # render_field's attributes, last one first.
        attrs = (
            {"aria-describedby": f"{field.auto_id}-hint", "class": "fr-input"}
            if field.help_text
            else {"class": "fr-input"}
        )
        widget = field.as_widget(attrs=attrs)
        raw = (
            f'\n\n  <div class="fr-input-group" id="div_{field.auto_id}">\n    '
            f"{_crispy_label(field)}\n    {widget}\n    \n  </div>\n"
        )
    else:
        return None
    return strip_spaces_between_tags(raw.strip()) + "\n"


def _crispy_choices(field, widget_type):
    """dsfr_pack/field.html's fieldset of radio buttons or checkboxes, without errors
    (and without `inline_choices`, which `{{ form|crispy }}` does not set)."""
    required = _required_marker(field)
    hint = f'<span class="fr-hint-text">{escape(field.help_text)}</span>' if field.help_text else ""
    group = "fr-radio-group" if widget_type == "radioselect" else "fr-checkbox-group"
    choices = "".join(
        f'\n      <div class="fr-fieldset__element">\n        <div class="{group}">'
        f"\n          {choice.tag()}\n"
        f'          <label class="fr-label" for="{choice.id_for_label}">'
        f"{escape(choice.choice_label)}</label>\n        </div>\n      </div>\n    "
        for choice in field
    )
    auto_id = field.auto_id
    return (
        f'\n\n  <fieldset class="fr-fieldset" id="{auto_id}" >\n'
        f'    <legend class="fr-fieldset__legend fr-fieldset__legend--regular"'
        f' id="{auto_id}-legend">{escape(field.label)}{required}\n      {hint}\n    </legend>'
        f"\n    {choices}\n    \n  </fieldset>\n"
    )


@register.filter
def dsfr_form(form):
    if form.is_bound and form.errors:
        return as_crispy_form(form)
    parts = []
    for field in form:
        html = _crispy_field(field, field.field.widget.__class__.__name__.lower())
        if html is None:
            return as_crispy_form(form)
        parts.append(html)
    return mark_safe("\n\n\n\n" + "".join(parts) + "\n")  # noqa: S308 - escaped above
