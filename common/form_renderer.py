"""Form widgets rendered in Python for the common cases (settings.FORM_RENDERER).

Django renders each widget through its template engine: an <input> is three template
renders (text.html → input.html → attrs.html), a <select> of 4 options eleven. On the
proposal and decision pages (a 40-sheet dossier: 300 fields) that was half the page's
time. This renderer produces the same markup as Django's own templates, in Python,
for `input.html` and the templates that only include it, `select.html`,
`select_option.html` and `textarea.html`; any other template, and any of these that an
installed app or the project overrides, goes through the template engine as before.
tests/config/test_form_renderer.py compares both outputs for every standard widget."""

from pathlib import Path

import django
from django import forms
from django.forms import widgets
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe

from common.escaping import escape
from common.forms import FixedChoices

_DJANGO_FORM_TEMPLATES = Path(django.__file__).parent / "forms" / "templates"

# Templates that only include input.html (django/forms/widgets/<type>.html).
_INPUT_TEMPLATES = [
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
    )
]


# ` name="value"` of plain-string attributes already rendered: most repeat on every
# field of a page (class, inputmode, autocomplete…). Plain str only: a SafeString equal
# to a plain string renders differently. Emptied when full (ids don't repeat).
_RENDERED_ATTRS = {}


def _attrs(attrs):
    """django/forms/widgets/attrs.html: ` name="value"`, bare when True, left out when False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {escape(name)}")
        elif type(value) is str and type(name) is str:
            html = _RENDERED_ATTRS.get((name, value))
            if html is None:
                if len(_RENDERED_ATTRS) >= 2048:
                    _RENDERED_ATTRS.clear()
                html = _RENDERED_ATTRS[name, value] = f' {escape(name)}="{escape(value)}"'
            parts.append(html)
        else:
            parts.append(f' {escape(name)}="{escape(str(value))}"')
    return "".join(parts)


def _input(widget):
    value = widget["value"]
    html = f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"'
    if value is not None:
        html += f' value="{escape(str(value))}"'
    return html + _attrs(widget["attrs"]) + ">"


def _input_option(widget):
    """input_option.html (a radio button or checkbox of a choice, as crispy renders each
    with `choice.tag`); the engine renders labels that are not plain strings."""
    html = _input(widget)
    if not widget.get("wrap_label"):
        return html
    label = widget["label"]
    if not isinstance(label, str):
        return None
    id_ = widget["attrs"].get("id")
    label_for = f' for="{escape(id_)}"' if id_ else ""
    return f"<label{label_for}>{html}\n {escape(label)}</label>"  # input.html's newline


def _option(option):
    return (
        f'<option value="{escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
        f"{escape(option['label'])}</option>"
    )


def _select(widget):
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != "django/forms/widgets/select_option.html":
                return None  # a custom option template: the engine renders the whole
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget):
    value = widget["value"]
    return (
        f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{escape(value) if value else ''}</textarea>"
    )


class FastWidgetRenderer(DjangoTemplates):
    """Django's default renderer, with the common widget templates done in Python."""

    def __init__(self):
        super().__init__()
        fast = dict.fromkeys(_INPUT_TEMPLATES, _input)
        fast["django/forms/widgets/select.html"] = _select
        fast["django/forms/widgets/select_option.html"] = _option
        fast["django/forms/widgets/textarea.html"] = _textarea
        for option in ("input_option", "radio_option", "checkbox_option"):
            fast[f"django/forms/widgets/{option}.html"] = _input_option
        # Only where the engine would use Django's own file (not an app's override);
        # input.html itself must be Django's for the templates including it.
        overridden = {name for name in fast if not self._is_djangos(name)}
        if "django/forms/widgets/input.html" in overridden:
            overridden.update(_INPUT_TEMPLATES)
        if overridden & {
            "django/forms/widgets/input.html",
            "django/forms/widgets/input_option.html",
        }:
            overridden.update(
                f"django/forms/widgets/{option}_option.html" for option in ("radio", "checkbox")
            )
        if "django/forms/widgets/select_option.html" in overridden:
            overridden.add("django/forms/widgets/select.html")
        self.fast = {name: f for name, f in fast.items() if name not in overridden}

    def _is_djangos(self, template_name):
        origin = self.get_template(template_name).origin.name
        return Path(origin).resolve().is_relative_to(_DJANGO_FORM_TEMPLATES.resolve())

    def render(self, template_name, context, request=None):
        render = self.fast.get(template_name)
        if render is not None and "widget" in context:
            html = render(context["widget"])
            if html is not None:
                return mark_safe(html)  # every value above is escaped
        return super().render(template_name, context, request)


def _is_plain_input(kind):
    """An input whose context is Input's, unchanged: TextInput, NumberInput… and their
    subclasses that only set a type or attributes (budget's MonthInput)."""
    return (
        issubclass(kind, widgets.Input)
        and kind.get_context is widgets.Input.get_context
        and kind.format_value is forms.Widget.format_value
        and kind.build_attrs is forms.Widget.build_attrs
    )


def _option_tags(choices):
    """(value, <option>, <option selected>) of each flat choice; None when grouped."""
    tags = []
    for option_value, label in choices:
        if isinstance(label, (list, tuple)):
            return None
        value = "" if option_value is None else str(option_value)
        head, tail = f'\n  <option value="{escape(value)}"', f">{escape(label)}</option>"
        tags.append((value, head + tail, f"{head} selected{tail}"))
    return tags


def _plain_select(name, attrs, widget, value):
    """select.html for flat choices (Select.optgroups without its per-option dicts);
    None for grouped choices or a queryset's iterator. FixedChoices keep their options'
    markup: a proposal page has one select per funding line on the same choices."""
    choices = widget.choices
    if isinstance(choices, FixedChoices):
        if choices.option_tags is None:
            choices.option_tags = _option_tags(choices)
        tags = choices.option_tags
    elif isinstance(choices, list):
        tags = _option_tags(choices)
    else:
        return None
    if tags is None:
        return None
    selected_values = widget.format_value(value)
    parts = [f'<select name="{escape(name)}"{_attrs(attrs)}>']
    has_selected = False
    for option_value, option, selected_option in tags:
        if not has_selected and option_value in selected_values:
            has_selected = True
            parts.append(selected_option)
        else:
            parts.append(option)
    parts.append("\n</select>")
    return "".join(parts)


def _is_plain_textarea(kind):
    """Textarea or a subclass that only sets attributes (budget's ShortTextarea)."""
    return (
        issubclass(kind, forms.Textarea)
        and kind.get_context is forms.Textarea.get_context
        and kind.format_value is forms.Widget.format_value
        and kind.build_attrs is forms.Widget.build_attrs
    )


def _widget_attrs(bound, attrs, widget, auto_id):
    """BoundField.build_widget_attrs for a single widget (no MultiWidget, no fieldset),
    with the field's id and errors read once instead of four times."""
    field = bound.field
    attrs = dict(attrs)
    if (
        widget.use_required_attribute(bound.initial)
        and field.required
        and bound.form.use_required_attribute
    ):
        attrs["required"] = True
    if field.disabled:
        attrs["disabled"] = True
    errors = not widget.is_hidden and bound.form.errors.get(bound.name)
    if errors:
        attrs["aria-invalid"] = "true"
    if (
        not attrs.get("aria-describedby")
        and not widget.attrs.get("aria-describedby")
        and auto_id
        and not widget.is_hidden
    ):
        described_by = []
        if field.help_text:
            described_by.append(f"{auto_id}_helptext")
        if errors:
            described_by.append(f"{auto_id}_error")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
    return attrs


def render_widget(bound, attrs):
    """`bound.as_widget(attrs=attrs)`: the same markup, built here for text inputs,
    textareas and selects rendered by FastWidgetRenderer. Django's widget context (a
    dict per option, attributes merged three times) was half of what remained of a
    field's cost on the proposal and decision pages; anything else goes through Django."""
    widget = bound.field.widget
    kind = type(widget)
    renderer = bound.form.renderer
    if (
        bound.field.localize
        or not isinstance(renderer, FastWidgetRenderer)
        or widget.template_name not in renderer.fast
        or not (kind is forms.Select or _is_plain_textarea(kind) or _is_plain_input(kind))
    ):
        return bound.as_widget(attrs=attrs)
    auto_id = bound.auto_id
    final = _widget_attrs(bound, attrs, widget, auto_id)
    if auto_id and "id" not in widget.attrs:
        final.setdefault("id", auto_id)
    final = {**widget.attrs, **final}
    value = bound.value()
    if kind is forms.Select:
        html = _plain_select(bound.html_name, final, widget, value)
        if html is None:
            return bound.as_widget(attrs=attrs)
    elif issubclass(kind, forms.Textarea):
        html = _textarea(
            {"name": bound.html_name, "value": widget.format_value(value), "attrs": final}
        )
    else:
        html = _input(
            {
                "type": widget.input_type,
                "name": bound.html_name,
                "value": widget.format_value(value),
                "attrs": final,
            }
        )
    return SafeString(html)  # every value is escaped above (mark_safe's lazy wrapper costs)
