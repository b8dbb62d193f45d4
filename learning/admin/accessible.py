"""Admin parts made accessible where Django's own markup is not."""
from __future__ import annotations

from django.contrib import admin


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose every row field has its own accessible name.

    Django labels a tabular inline's columns only in the table head, so a screen reader meets each row's select or
    "Delete" box with no name (axe-core: ``label``, ``select-name``). Each widget gets its field's label as
    ``aria-label``; a row's fields are the same columns in every row, so the label is enough to tell them apart
    while reading along the row.
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    field.widget.attrs.setdefault("aria-label", str(field.label or name))

        return LabelledFormSet
