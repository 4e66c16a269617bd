from django import forms

from common.forms import FieldCopies, FixedChoices

CHOICES = FixedChoices([("", "—"), ("a", "A")])


def test_field_copies_have_their_own_label_initial_and_state():
    copies = FieldCopies()
    first = copies(forms.CharField, label="Un", initial="1", required=False)
    second = copies(forms.CharField, label="Deux", initial="2", required=False)
    assert (first.label, first.initial, second.label, second.initial) == ("Un", "1", "Deux", "2")
    second.disabled = True
    assert first.disabled is False
    assert first.clean("  x ") == "x"
    assert len(copies.prototypes) == 1


def test_field_copies_build_one_field_per_setting():
    copies = FieldCopies()
    required = copies(forms.CharField, label="A", initial=None)
    optional = copies(forms.CharField, label="B", initial=None, required=False)
    choice = copies(forms.ChoiceField, label="C", initial="a", choices=CHOICES, required=False)
    other = copies(forms.ChoiceField, label="D", initial="", choices=CHOICES, required=False)
    assert required.required and not optional.required
    assert len(copies.prototypes) == 3
    assert other.widget is choice.widget  # one widget per setting, read only once built
    assert choice.clean("a") == "a"


def test_a_form_of_copies_validates_each_field():
    copies = FieldCopies()

    class Form(forms.Form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for index in range(3):
                self.fields[f"f{index}"] = copies(
                    forms.IntegerField, label=f"Champ {index}", initial=index, min_value=0
                )

    form = Form({"f0": "1", "f1": "-1", "f2": "x"})
    assert not form.is_valid()
    assert set(form.errors) == {"f1", "f2"}
    assert form.cleaned_data == {"f0": 1}
    assert 'value="2"' in str(Form()["f2"])
