"""Spreadsheets in the programme admin: export, the import template, and an import that caps
and keeps the upload (programmes.uploads), says in German what is wrong with a file, and
can be cancelled from its preview."""

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm, SelectableFieldsExportForm

from counties.models import County
from portal.formulas import neutralise

from .. import uploads
from ..models import Programme
from ..resources import REQUIRED_COLUMNS, ProgrammeResource

logger = logging.getLogger(__name__)


class ProgrammeCSV(uploads.CSV):
    required_columns = REQUIRED_COLUMNS


class ProgrammeXLSX(uploads.XLSX):
    required_columns = REQUIRED_COLUMNS


# The example row of the import template.
IMPORT_EXAMPLE = {
    "Titel": "Sprachcafé im Familienzentrum",
    "Kurzbeschreibung": "Eltern üben Deutsch, während ihre Kinder betreut werden.",
    "Beschreibung": "Jeden Dienstag treffen sich Mütter und Väter im Familienzentrum.",
    "Ziele": "- Alltagsdeutsch üben\n- Kontakte knüpfen",
    "Handlungsfelder": "Sprache; Gesellschaftliches Zusammenleben",
    "Zielgruppen": "Familien; Frauen",
    "Partnerarten": "Volkshochschule; Vereine",
    "Schlagwörter": "Sprachcafé, Kinderbetreuung",
    "Status": "laufend",
    "Beginn": "01.09.2024",
}


class ExcelCSV(CSV):
    """CSV as German Excel opens it: semicolons, and a byte order mark for the umlauts."""

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, delimiter=";", **kwargs)


class ColumnsExportForm(SelectableFieldsExportForm):
    """The export's checkboxes named like the file's columns ("Titel"), not like the model's
    attributes with the column in brackets ("Title (Titel)")."""

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return field.column_name if field else field_name


class UploadForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        error = uploads.size_error(upload)
        if error:
            raise forms.ValidationError(error)
        return upload


class SpreadsheetAdminMixin(ImportExportMixin):
    resource_classes = [ProgrammeResource]
    # Excel writes UTF-8 with a byte order mark; reading with utf-8-sig accepts both.
    from_encoding = "utf-8-sig"
    # Exports use the library's formats: it writes numbers and dates natively to XLSX for
    # exactly these classes. Imports read through programmes.uploads (get_import_formats).
    formats = [ExcelCSV, XLSX]
    import_template_name = "admin/programmes/programme/import.html"
    import_form_class = UploadForm
    export_form_class = ColumnsExportForm

    def get_urls(self):
        prefix = "{}_{}".format(*self.get_model_info())
        view = self.admin_site.admin_view
        return [
            path("import/", self._capped_upload(self.import_action), name=f"{prefix}_import"),
            path(
                "import/cancel/",
                view(require_POST(self.cancel_import_view)),
                name=f"{prefix}_import_cancel",
            ),
            path(
                "import-template/<slug:fmt>/",
                view(self.import_template_view),
                name=f"{prefix}_import_template",
            ),
            *super().get_urls(),
        ]

    def _url(self, name):
        prefix = "{}_{}".format(*self.get_model_info())
        return reverse(f"admin:{prefix}_{name}", current_app=self.admin_site.name)

    def _capped_upload(self, import_view):
        """The import view with uploads.CappedMemoryUploadHandler. Django reads the upload as
        soon as the CSRF token is checked, so the handler is set first and the check is left
        to the admin view inside (csrf_protect), as Django's documentation describes."""
        admin_view = self.admin_site.admin_view(import_view)

        @csrf_exempt
        def upload_view(request, *args, **kwargs):
            request.upload_handlers = [uploads.CappedMemoryUploadHandler(request)]
            return admin_view(request, *args, **kwargs)

        return upload_view

    def get_import_formats(self):
        return [ProgrammeCSV, ProgrammeXLSX]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_import_context_data(self, **kwargs):
        return {
            **super().get_import_context_data(**kwargs),
            "max_upload_megabytes": uploads.MAX_UPLOAD_BYTES // (1024 * 1024),
            "max_rows": uploads.MAX_ROWS,
        }

    def get_import_data_kwargs(self, **kwargs):
        # One faulty row and nothing is saved, as the import page promises.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    # Upload and preview -------------------------------------------------------------

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            uploads.purge_expired()  # what abandoned previews left behind
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        _log_errors(context.get("result"))
        if not context.get("confirm_form"):
            # No confirmation will come for this file: it need not wait for one. (The form
            # drops a field with an error from cleaned_data, so the upload is found in files.)
            files = getattr(context.get("form"), "files", None) or {}
            name = getattr(files.get("import_file"), "tmp_storage_name", None)
            if name:
                uploads.UploadStorage(name=name).remove()
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, uploads.SpreadsheetError):
            form.add_error("import_file", str(e))
            return
        logger.warning("An uploaded spreadsheet could not be read", exc_info=e)
        form.add_error(
            "import_file",
            gettext(
                "The file cannot be read. Please check that it is a CSV file (UTF-8) or an "
                "Excel file (XLSX) and that the chosen format fits it."
            ),
        )

    # Confirm or cancel ----------------------------------------------------------------

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        input_format = self._confirmed_format(form)
        if input_format is None:
            return self._upload_gone(request)
        storage = uploads.UploadStorage(name=form.cleaned_data["import_file_name"])
        try:
            dataset = input_format.create_dataset(storage.read())
            result = self.process_dataset(dataset, form, request, **kwargs)
        except uploads.UploadGone:
            return self._upload_gone(request)
        except uploads.SpreadsheetError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(self._url("import"))
        finally:
            storage.remove()
        if result.has_errors() or result.has_validation_errors():
            _log_errors(result)
            return self._import_failed(request, result)
        return self.process_result(result, request)

    def cancel_import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if form.is_valid():
            uploads.UploadStorage(name=form.cleaned_data["import_file_name"]).remove()
        messages.info(
            request, gettext("The import has been cancelled and the uploaded file deleted.")
        )
        return HttpResponseRedirect(self._url("changelist"))

    def _confirmed_format(self, form):
        if not form.is_valid():
            return None
        try:
            format_class = self.get_import_formats()[int(form.cleaned_data["format"])]
        except (ValueError, IndexError):
            return None
        return format_class(encoding=self.from_encoding)

    def _upload_gone(self, request):
        messages.error(
            request,
            gettext(
                "The uploaded file is no longer there: it has been imported or cancelled "
                "already, or its preview is older than two hours. Please upload it again."
            ),
        )
        return HttpResponseRedirect(self._url("import"))

    def _import_failed(self, request, result):
        """The data changed between preview and confirmation: show why, save nothing."""
        messages.error(
            request,
            gettext("Nothing has been imported. Please correct the file and upload it again."),
        )
        form_class = self.get_import_form_class(request)
        form = form_class(self.get_import_formats(), self.get_import_resource_classes(request))
        context = {
            **self.admin_site.each_context(request),
            **self.get_import_context_data(),
            "title": gettext("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "result": result,
            "import_error_display": self.import_error_display,
        }
        return TemplateResponse(request, [self.import_template_name], context)

    # The template -----------------------------------------------------------------------

    def import_template_view(self, request, fmt):
        if not self.has_add_permission(request):
            raise PermissionDenied
        formats = {"csv": ExcelCSV, "xlsx": XLSX}
        if fmt not in formats:
            raise Http404
        file_format = formats[fmt]()
        dataset = ProgrammeResource(user=request.user).export(queryset=Programme.objects.none())
        own = County.objects.editable_by(request.user).order_by("sort_name").first()
        example = {**IMPORT_EXAMPLE, "Kreisschlüssel (AGS)": own.ags if own else "05162"}
        dataset.append([neutralise(example.get(column, "")) for column in dataset.headers])
        dataset.title = gettext("Programmes")
        data = file_format.export_data(dataset)
        response = HttpResponse(data, content_type=file_format.get_content_type())
        name = f"programme-vorlage.{file_format.get_extension()}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _log_errors(result):
    """The page says in German that something went wrong; the details go to the log."""
    if result is None:
        return
    for error in result.base_errors:
        logger.error("Spreadsheet import failed:\n%s", error.traceback)
    for number, errors in result.row_errors():
        for error in errors:
            logger.error("Spreadsheet import failed in row %s:\n%s", number, error.traceback)
