"""Consent to sensitive fields on the party page (lexcase/matters/retention.py): list, record
and withdraw; the party is read through the gate first (404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lexcase.accounts.http import AuthedRequest
from lexcase.core.forms import apply_service_errors
from lexcase.matters import retention
from lexcase.matters.models import PersonalDataConsent, SensitiveField
from lexcase.matters.selectors import party_get


class ConsentForm(forms.Form):
    field = forms.ChoiceField(label=gettext_lazy("field"), choices=SensitiveField.choices)
    basis = forms.CharField(
        label=gettext_lazy("how consent was given"), max_length=300, required=False
    )
    withdraw = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("withdraw") and not data.get("basis") and "basis" not in self.errors:
            self.add_error(
                "basis",
                forms.ValidationError(
                    self.fields["basis"].error_messages["required"], code="required"
                ),
            )
        return data


@login_required
@require_http_methods(["GET", "POST"])
def party_consents(request: AuthedRequest, pk: int) -> HttpResponse:
    """A refused consent (no field, no basis, a field the service refuses) writes nothing and
    comes back as typed with its errors (422); success goes back to the list."""
    party = party_get(user=request.user, pk=pk)
    can_record = request.user.has_perm("matters.record_consent", party)
    form = ConsentForm()
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["withdraw"]:
                    retention.consent_withdraw(
                        actor=request.user, party=party, field_name=form.cleaned_data["field"]
                    )
                else:
                    retention.consent_record(
                        actor=request.user,
                        party=party,
                        field_name=form.cleaned_data["field"],
                        basis=form.cleaned_data["basis"],
                    )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("parties:consents", pk=party.pk)
    consents = PersonalDataConsent.objects.filter(party=party).select_related("recorded_by")
    template = "parties/_consents.html" if request.htmx else "parties/consents.html"
    return render(
        request,
        template,
        {"party": party, "consents": consents, "can_record": can_record, "form": form},
        status=422 if request.method == "POST" else 200,
    )
