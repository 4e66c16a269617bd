"""What every form of the project shares."""

import copy

from django.utils.choices import BaseChoiceIterator


class FixedChoices(BaseChoiceIterator):
    """Choices given already flat and translated, for forms that build many fields on
    the same choices (a proposal: one select per funding line). Django normalizes a
    list of choices three times for each ChoiceField (80 % of building one) but keeps a
    choice iterator as it is."""

    def __init__(self, choices):
        self.choices = tuple((value, str(label)) for value, label in choices)
        self.option_tags = None  # their <option> markup, kept by common.form_renderer

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)


def _identity(value):
    """The value as a key: itself when hashable, else its id (choices, lists)."""
    try:
        hash(value)
    except TypeError:
        return id(value)
    return value


class FieldCopies:
    """Fields that differ only by label and initial value, made as shallow copies of one
    field built once per key: the proposal and decision forms add ~300 fields on a few
    settings, and building a Django field (widget, error messages, validators) was a
    quarter of the form's cost. Copies share the widget and validators, which Django
    only reads once a field is built."""

    def __init__(self):
        self.prototypes = {}

    def __call__(self, field_class, *, label, initial, **kwargs):
        """field_class(label=label, initial=initial, **kwargs)."""
        key = (field_class, *((name, _identity(value)) for name, value in sorted(kwargs.items())))
        if key not in self.prototypes:
            # kwargs kept with the prototype: the ids in the key stay theirs.
            self.prototypes[key] = (field_class(**kwargs), kwargs)
        field = copy.copy(self.prototypes[key][0])
        field.label = label
        field.initial = initial
        return field


class DomainErrorsMixin:
    """A form that shows a domain error next to its fields: the error's
    {path: [messages]} (common.errors) go onto the field that `domain_field(path)`
    names, the others and the error's own message at the top of the form."""

    def domain_field(self, path):
        """The form field that shows the errors of a domain path, or None (top of the form).

        By default the field of that name, or of the path's last segment
        ("lines.3.amount" → "amount"); forms whose fields are named otherwise override it."""
        if path in self.fields:
            return path
        last = path.rsplit(".", 1)[-1]
        return last if last in self.fields else None

    def add_domain_errors(self, exc):
        if exc.message and exc.message not in self.non_field_errors():
            self.add_error(None, exc.message)
        for path, messages in exc.errors.items():
            name = self.domain_field(path)
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                if isinstance(message, dict):
                    continue
                if name is None and str(message) in self.non_field_errors():
                    continue
                self.add_error(name, str(message))
