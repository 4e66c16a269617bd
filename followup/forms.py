"""Forms of the report pages, generated from the report type (followup.domain.types):
one form per section, one per use of funds. They only shape what was typed into the
report's JSON document; whether it is well-formed is decided by followup.domain.content
and followup.domain.funding (the API's rules and French messages), whose errors come
back keyed by paths and are put next to their fields (`apply_errors`). Nothing typed is
lost: a refused form is shown again with what was sent."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers.enums import Mission, MissionStatus
from followup.domain.content import get_path
from followup.domain.types import Field

BLANK = [("", _("— Choisir —"))]
YES_NO = [("", _("Non renseigné")), ("yes", _("Oui")), ("no", _("Non"))]


def _text_input(**attrs):
    return forms.TextInput(attrs=attrs)


def form_field(field, label=None):
    """The Django form field of one report field (leaf kinds)."""
    label = label or field.label
    common = {"label": label, "required": False, "help_text": field.help}
    kind = field.kind
    if kind == "count":
        return forms.CharField(
            widget=_text_input(inputmode="numeric", autocomplete="off"), **common
        )
    if kind == "decimal":
        return forms.CharField(
            widget=_text_input(inputmode="decimal", autocomplete="off"),
            **{**common, "help_text": field.help or _("En ETP, par exemple 0,50.")},
        )
    if kind == "bool":
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if kind == "text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), strip=True, **common)
    if kind in ("line", "email", "url"):
        widget = {"email": forms.EmailInput, "url": forms.URLInput}.get(kind, forms.TextInput)
        return forms.CharField(widget=widget(), strip=True, **common)
    if kind == "month":
        return forms.CharField(
            widget=_text_input(type="month", placeholder="AAAA-MM"),
            **{**common, "help_text": field.help or _("Mois et année, format AAAA-MM.")},
        )
    if kind == "choice":
        return forms.ChoiceField(choices=BLANK + list(field.choices), **common)
    if kind == "multi":
        return forms.MultipleChoiceField(
            choices=list(field.choices), widget=forms.CheckboxSelectMultiple, **common
        )
    raise ValueError(kind)


def _initial(field, value):
    if field.kind == "bool":
        return "" if value is None else ("yes" if value else "no")
    if field.kind == "multi":
        return value or []
    if field.kind == "decimal" and value not in (None, ""):
        return str(value).replace(".", ",")
    return "" if value is None else str(value)


def _value(field, raw):
    """What the form sends to the domain (strings as typed; the domain parses them)."""
    if field.kind == "bool":
        return {"yes": True, "no": False}.get(raw)
    if field.kind == "multi":
        return list(raw or [])
    return raw if raw not in (None, "") else None


class SectionForm(forms.Form):
    """One section of a report: its fields, with the rows' slots and the missions."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, section, content, fingerprint, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        self.groups = []  # [(field, [bound names] or rows)] for the template
        self.initial["fingerprint"] = fingerprint
        content = content or {}
        for field in section.fields:
            value = get_path(content, field.key)
            if field.kind == "counts_by":
                names = []
                for choice, label in field.choices:
                    name = f"{field.name}__{choice}"
                    self.fields[name] = form_field(Field(key=name, label=label, kind="count"))
                    count = (value or {}).get(choice)
                    self.initial[name] = "" if count is None else str(count)
                    names.append(name)
                self.groups.append(("counts_by", field, names))
            elif field.kind == "missions":
                rows = []
                by_code = {m.get("code"): m for m in value or [] if isinstance(m, dict)}
                for code, label in Mission.choices:
                    status, comment = (
                        f"{field.name}__{code}__status",
                        f"{field.name}__{code}__comment",
                    )
                    self.fields[status] = forms.ChoiceField(
                        label=label, required=False, choices=BLANK + list(MissionStatus.choices)
                    )
                    self.fields[comment] = forms.CharField(
                        label=_("Commentaire : %(mission)s") % {"mission": label},
                        required=False,
                        widget=forms.Textarea(attrs={"rows": 2}),
                    )
                    self.initial[status] = by_code.get(code, {}).get("status") or ""
                    self.initial[comment] = by_code.get(code, {}).get("comment") or ""
                    rows.append((status, comment))
                self.groups.append(("missions", field, rows))
            elif field.kind == "rows":
                existing = value or []
                slots = min(field.max_rows, max(len(existing) + 2, 3))
                rows = []
                for index in range(slots):
                    names = []
                    row = existing[index] if index < len(existing) else {}
                    for sub in field.fields:
                        name = f"{field.name}__{index}__{sub.key}"
                        self.fields[name] = form_field(
                            sub, _("%(label)s (n° %(n)d)") % {"label": sub.label, "n": index + 1}
                        )
                        self.initial[name] = _initial(sub, row.get(sub.key))
                        names.append(name)
                    rows.append(names)
                self.groups.append(("rows", field, rows))
            else:
                self.fields[field.name] = form_field(field)
                self.initial[field.name] = _initial(field, value)
                self.groups.append(("field", field, [field.name]))

    def layout(self):
        """The bound fields, grouped as the template lays them out."""
        items = []
        for kind, field, names in self.groups:
            item = {"kind": kind, "label": field.label, "id": f"group-{field.name}"}
            if kind == "field":
                item["bound"] = self[names[0]]
            elif kind == "counts_by":
                item["bounds"] = [self[name] for name in names]
            elif kind == "missions":
                item["rows"] = [(self[status], self[comment]) for status, comment in names]
            else:
                item["rows"] = [[self[name] for name in row] for row in names]
                item["max_rows"] = field.max_rows
            items.append(item)
        return items

    def to_content(self):
        """The section's answers as a document (top-level keys of the report's)."""
        data = self.cleaned_data
        document = {}
        for kind, field, names in self.groups:
            if kind == "counts_by":
                value = {name.rsplit("__", 1)[1]: (data.get(name) or None) for name in names}
            elif kind == "missions":
                value = [
                    {
                        "code": status.split("__")[-2],
                        "status": data.get(status) or "",
                        "comment": data.get(comment) or "",
                    }
                    for status, comment in names
                ]
            elif kind == "rows":
                value = []
                for row_names in names:
                    row = {}
                    for sub, name in zip(field.fields, row_names, strict=True):
                        row[sub.key] = _value(sub, data.get(name))
                    if any(v not in (None, "", []) for v in row.values()):
                        value.append(row)
            else:
                value = _value(field, data.get(names[0]))
            _set(document, field.key, value)
        return document

    def anchor_for(self, path):
        name = self.field_for(path)
        return f"id_{name}" if name else None

    def field_for(self, path):
        """The form field of a domain path (« indicators.offer.usp_beds »), or None."""
        parts = path.split(".")[1:]  # without « indicators » / « answers »
        if not parts:
            return None
        for kind, field, names in self.groups:
            key = field.key.split(".")
            if parts[: len(key)] != key:
                continue
            rest = parts[len(key) :]
            if kind == "field" and not rest:
                return names[0]
            if kind == "counts_by":
                name = f"{field.name}__{rest[0]}" if rest else names[0]
                return name if name in self.fields else names[0]
            if kind == "missions":
                if len(rest) >= 1:
                    code = rest[0]
                    if code.isdigit() and int(code) < len(Mission.values):
                        code = Mission.values[int(code)]
                    name = f"{field.name}__{code}__{rest[1] if len(rest) > 1 else 'status'}"
                    if name in self.fields:
                        return name
                return names[0][0]
            if kind == "rows":
                if len(rest) >= 2 and rest[0].isdigit():
                    name = f"{field.name}__{rest[0]}__{rest[1]}"
                    if name in self.fields:
                        return name
                return names[0][0] if names else None
        return None

    def apply_errors(self, errors):
        for path, messages in errors.items():
            name = self.field_for(path)
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                if isinstance(message, dict):
                    continue
                self.add_error(name, str(message))


def _set(document, key, value):
    parts = key.split(".")
    target = document
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


class FundingForm(forms.Form):
    """The use of funds: spent, ETP filled and a comment per granted line."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, uses, fingerprint, **kwargs):
        super().__init__(*args, **kwargs)
        self.uses = list(uses)
        self.initial["fingerprint"] = fingerprint
        self.rows = []
        for use in self.uses:
            prefix = f"line_{use.line_id}"
            label = use.line.label or _("Ligne sans libellé")
            self.fields[f"{prefix}_spent"] = forms.CharField(
                label=_("Montant dépensé (€) : %(line)s") % {"line": label},
                required=False,
                widget=_text_input(inputmode="decimal", autocomplete="off"),
            )
            self.fields[f"{prefix}_etp_filled"] = forms.CharField(
                label=_("ETP pourvus : %(line)s") % {"line": label},
                required=False,
                widget=_text_input(inputmode="decimal", autocomplete="off"),
            )
            self.fields[f"{prefix}_comment"] = forms.CharField(
                label=_("Commentaire : %(line)s") % {"line": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.initial[f"{prefix}_spent"] = (
                "" if use.spent is None else str(use.spent).replace(".", ",")
            )
            self.initial[f"{prefix}_etp_filled"] = (
                "" if use.etp_filled is None else str(use.etp_filled).replace(".", ",")
            )
            self.initial[f"{prefix}_comment"] = use.comment
            self.rows.append((use, f"{prefix}_spent", f"{prefix}_etp_filled", f"{prefix}_comment"))

    def layout(self):
        return [
            {"use": use, "spent": self[spent], "etp_filled": self[etp], "comment": self[comment]}
            for use, spent, etp, comment in self.rows
        ]

    def to_funding(self):
        data = self.cleaned_data
        return [
            {
                "line": use.line_id,
                "spent": data.get(spent) or None,
                "etp_filled": data.get(etp) or None,
                "comment": data.get(comment) or "",
            }
            for use, spent, etp, comment in self.rows
        ]

    def field_for(self, path):
        parts = path.split(".")
        if len(parts) == 3 and parts[0] == "funding" and parts[1].isdigit():
            index = int(parts[1])
            if index < len(self.rows):
                use = self.rows[index][0]
                name = f"line_{use.line_id}_{parts[2]}"
                return name if name in self.fields else None
        if len(parts) == 3 and parts[0] == "funding":
            # Completeness problems name the line: funding.<line id>.spent
            name = f"line_{parts[1]}_{parts[2]}"
            return name if name in self.fields else None
        return None

    def anchor_for(self, path):
        name = self.field_for(path)
        return f"id_{name}" if name else None

    def apply_errors(self, errors):
        for path, messages in errors.items():
            name = self.field_for(path)
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                if not isinstance(message, dict):
                    self.add_error(name, str(message))


class TransitionForm(forms.Form):
    """The message and due date of a completion request; nothing for the other actions."""

    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_date = forms.DateField(
        label=_("Date limite de réponse"),
        required=False,
        help_text=_("Format attendu : JJ/MM/AAAA"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 28/02/2026.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, spec, **kwargs):
        super().__init__(*args, **kwargs)
        if spec.needs_comment:
            self.fields["comment"].label = _("Message au porteur")
            self.fields["comment"].help_text = _(
                "Précisez les compléments attendus : ils seront envoyés par courriel."
            )
        if not spec.needs_due_date:
            del self.fields["due_date"]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Fichier"), required=False)


class DueDateForm(forms.Form):
    due_date = forms.DateField(
        label=_("Nouvelle date limite de réponse"),
        required=False,
        help_text=_("Format attendu : JJ/MM/AAAA"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 28/02/2026.")},
    )
    reason = forms.CharField(
        label=_("Motif de la prolongation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
