"""Small helpers shared by forms and views."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lexcase.core.fixedsql import fixed_rows
from lexcase.core.validators import validate_civil_date


class CivilDateField(forms.DateField):
    """A date a firm's record can hold (the civil range of `core/validators`): 0001-01-01
    typed into a browser's date picker is a slip, and date arithmetic on it overflows."""

    default_validators = [validate_civil_date]


class CivilDateTimeField(forms.DateTimeField):
    """A date and time in the civil range (see `CivilDateField`)."""

    default_validators = [validate_civil_date]


class FixedChoiceField(forms.ChoiceField):
    """A `ChoiceField` whose choices are fixed where the form class is defined (a filter
    form's statuses, types, sorts): a form's copy of the field shares them, kept as a tuple
    so no form can change them in place, instead of deep-copying the list for every form
    built (Django copies a form's choices so that a form may change its own; the matter
    list builds its filter form on every page, ≈ 13 µs a field). Assigning `choices` gives
    the field its own, as on Django's."""

    def __init__(self, *, choices: Any, **kwargs: Any) -> None:
        super().__init__(choices=choices, **kwargs)
        normalized: Any = vars(self)["_choices"]  # as ChoiceField's setter left them
        if isinstance(normalized, list):
            self._choices = self.widget.choices = tuple(normalized)

    def __deepcopy__(self, memo: Any) -> Any:
        if not isinstance(vars(self).get("_choices"), tuple):
            return super().__deepcopy__(memo)
        # Field's copy (the widget's, its attrs and choices shallow), not ChoiceField's deep
        # copy of the choices: the tuple is shared.
        return forms.Field.__deepcopy__(self, memo)


class _ValuesIterator(forms.models.ModelChoiceIterator):
    def __iter__(self) -> Any:
        field = cast("ValuesChoiceField", self.field)
        if field.empty_label is not None:
            yield ("", field.empty_label)
        for pk, *values in field.rows():
            yield (pk, field.label_of(*values))


class ValuesChoiceField(forms.ModelChoiceField):
    """A `ModelChoiceField` whose `<select>` is drawn from `values_list("pk", *label_fields)`
    and `label_of(*values)` instead of a model instance per choice: for a filter form's
    people and practice areas, the instances cost more than their query, on every page
    that shows the form (the matter list). The same query (fewer columns), read once per
    form; the same options; a submitted choice is still checked and cleaned to its
    instance as Django does (`queryset.get`)."""

    iterator = _ValuesIterator

    def __init__(
        self,
        *args: Any,
        label_fields: tuple[str, ...],
        label_of: Any,
        fixed_key: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.label_fields = label_fields
        self.label_of = label_of
        self.fixed_key = fixed_key
        self._rows: tuple[Any, list[Any]] | None = None

    def __deepcopy__(self, memo: Any) -> Any:
        result = super().__deepcopy__(memo)
        result._rows = None  # each form reads its own
        return result

    def rows(self) -> list[Any]:
        """(pk, *label_fields) of every choice, read once per form (and queryset)."""
        queryset = self.queryset
        if queryset is None:
            return []
        if self._rows is None or self._rows[0] is not queryset:

            def read() -> Any:
                return queryset.values_list("pk", *self.label_fields)

            # With a key (a field whose queryset is the form class's own, the same on every
            # request): compiled once per process (core.fixedsql).
            self._rows = (
                queryset,
                list(fixed_rows(self.fixed_key, read) if self.fixed_key else read()),
            )
        return self._rows[1]


# A record's version counter (a PositiveIntegerField starting at 1; the API's `Version`):
# the range every database holds.
MAX_VERSION = 2**31 - 1


class EditVersionField(forms.IntegerField):
    """The version of the record the form was loaded with (hidden). A stale one is the
    service's to refuse (StaleEdit, 409: someone else's change). A number no version can be
    (below `first`, past MAX_VERSION, not a number) is bad input, refused here saying so
    (422): the compare-and-swap found no row for it, and it was answered as someone else's
    edit. `first`: 0 where 0 means "no row yet" (the firm's report template, its policy)."""

    widget = forms.HiddenInput
    default_error_messages = {
        "invalid": gettext_lazy(
            "The form's version number is not valid: reload the page and make your change again."
        )
    }

    def __init__(self, *, first: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        invalid = self.error_messages["invalid"]  # lazy: translated when shown
        self.validators = [
            MinValueValidator(first, message=invalid),
            MaxValueValidator(MAX_VERSION, message=invalid),
        ]


def past_64_bits(pk: Any) -> bool:
    try:
        number = int(str(pk))
    except ValueError:
        return False  # Django's own check names it
    return not -(2**63) <= number < 2**63


class ModelIdField(forms.ModelChoiceField):
    """One row chosen by id; an id past 64 bits is refused as any unknown choice is, before
    the query (SQLite's driver raised OverflowError on it: an HTTP 500)."""

    def to_python(self, value: Any) -> Any:
        if (self.to_field_name or "pk") == "pk" and past_64_bits(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelIdsField(forms.ModelMultipleChoiceField):
    """Several rows chosen by id. Django validates the ids with one `pk IN (...)` query, and
    SQLite's driver raises OverflowError (an HTTP 500) on an integer past 64 bits: such an id
    names no row, so it is refused as any unknown choice is, before the query."""

    def clean(self, value: Any) -> Any:
        key = self.to_field_name or "pk"
        if key == "pk":
            for pk in value if isinstance(value, list | tuple) else ():
                if past_64_bits(pk):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": pk},
                    )
        return super().clean(value)


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form; unknown fields become form errors."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _generic_message(field: forms.Field, error: ValidationError) -> bool:
    """Whether `error` is the field class's own message for its code ("This field is
    required."), which does not say what field it is about."""
    defaults: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return error.code in defaults and str(error.message) == str(defaults[error.code])


def flash_errors(request: HttpRequest, form: forms.Form) -> None:
    """A POST-and-redirect form's errors, shown as messages on the page it returns to: away
    from the field, so a generic message is prefixed with the field's label."""
    for name, errors in form.errors.as_data().items():
        field = form.fields.get(name)
        for error in errors:
            text = " ".join(error.messages)
            if field is not None and field.label and _generic_message(field, error):
                text = _("%(field)s: %(error)s") % {"field": field.label, "error": text}
            messages.error(request, text)
