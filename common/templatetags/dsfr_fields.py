"""`{{ field|dsfr_field }}`: a form field in the DSFR markup of the crispy pack
(templates/dsfr_pack/field.html), built in Python for text-like inputs, textareas and
selects, the fields repeated on every row of large forms (proposal, decision, reviews:
hundreds of fields). Other widgets (checkboxes, radios, files, hidden) go through
crispy's `as_crispy_field` as before. tests/config/test_dsfr_field.py checks that both
give the same markup."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.utils.safestring import SafeString

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


def _label(field, auto_id, help_text):
    required = (
        '<span class="fr-required-marker" aria-hidden="true"> *</span>'
        if field.field.required
        else ""
    )
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
