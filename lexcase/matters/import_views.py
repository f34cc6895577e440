"""The import page for administrators: upload a file, read the report (docs/import.md)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from lexcase.accounts.http import AuthedRequest
from lexcase.matters.importing import EXTENSIONS, MAX_UPLOAD_BYTES, import_file

TEMPLATE_CSV = Path(__file__).parent / "static" / "matters" / "import-template.csv"
# A 20 MB workbook can hold far more rows than a browser request should import.
MAX_UPLOAD_ROWS = 200_000


def _require_admin(request: AuthedRequest) -> None:
    if not request.user.has_perm("matters.import_matters"):
        raise PermissionDenied


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.json, .csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Check only, import nothing"), required=False)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower().lstrip(".") not in EXTENSIONS:
            raise forms.ValidationError(_("Upload a .json, .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(n)d MB.") % {"n": MAX_UPLOAD_BYTES // 1024 // 1024}
            )
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_file(
            path_or_file=upload,
            filename=upload.name,
            actor=request.user,
            dry_run=form.cleaned_data["dry_run"],
            max_rows=MAX_UPLOAD_ROWS,
        )
    return render(
        request,
        "matters/import.html",
        {"form": form, "report": report},
    )


@login_required
@require_GET
def import_template(request: AuthedRequest) -> HttpResponse:
    """The template as CSV (UTF-8 with BOM, which Excel opens correctly), or `?format=xlsx`."""
    _require_admin(request)
    data = TEMPLATE_CSV.read_bytes()
    if request.GET.get("format") != "xlsx":
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="lexcase-import-template.csv"'
        return response
    from openpyxl import Workbook  # imported lazily: only this download needs it
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "matters"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        sheet.append(row)
    # Every column as text, so Excel keeps all 18 digits of an ID number and leaves the
    # dates as typed: the cells given and the rows the user adds.
    for index in range(1, len(rows[0]) + 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = 18
        for cell in sheet[letter]:
            cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="lexcase-import-template.xlsx"'
    return response
