"""What every form of the project shares."""

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
