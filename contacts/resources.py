"""The django-import-export Resource for contacts, shared by the Django admin and the wizard.

Its columns are the export field table (contacts.exporting.EXPORT_FIELDS); importing goes
through the wizard's pipeline, so the admin gets the same header matching, row checks,
duplicate rule and undo records (an ImportBatch) as Settings → Import.
"""

import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources
from import_export.results import RowResult

from contacts.exporting import DEFAULT_FIELDS, EXPORT_FIELDS, EXPORT_FIELDS_BY_KEY, export_rows, header_row
from contacts.importing.mapping import auto_map
from contacts.importing.readers import cell_text
from contacts.importing.service import _save_notes, classify_chunk, write_chunk
from contacts.importing.validation import validate_row
from contacts.models import Contact, DuplicateRule, ImportBatch, ImportStatus

_IMPORT_TYPES = {
    "new": RowResult.IMPORT_TYPE_NEW,
    "updated": RowResult.IMPORT_TYPE_UPDATE,
    "merged": RowResult.IMPORT_TYPE_UPDATE,
    "skipped": RowResult.IMPORT_TYPE_SKIP,
}


class ContactResource(resources.ModelResource):
    def __init__(self, on_duplicate: str = DuplicateRule.SKIP, user=None, file_name: str = "", **kwargs):
        super().__init__(**kwargs)
        self.on_duplicate = on_duplicate
        self.user = user
        self.file_name = file_name
        self.batch = None
        self.headers: list[str] = []
        self.mapping: list[str] = []
        self.duplicates_kept = 0
        # One resource field per export column, so the admin's field picker offers the same table.
        for field in EXPORT_FIELDS:
            self.fields[field.key] = fields.Field(attribute=None, column_name=field.label, readonly=True)

    class Meta:
        model = Contact
        fields = []
        import_id_fields = []
        skip_diff = True
        use_transactions = True

    # Export

    def export(self, queryset=None, **kwargs):
        """The export table's columns, multi-valued fields joined, formulas neutralized."""
        chosen = [key for key in (kwargs.get("export_fields") or []) if key in EXPORT_FIELDS_BY_KEY]
        keys = [field.key for field in EXPORT_FIELDS if field.key in chosen] or DEFAULT_FIELDS
        queryset = Contact.objects.all() if queryset is None else queryset
        dataset = tablib.Dataset(headers=header_row(keys))
        for cells in export_rows(queryset, keys):
            dataset.append(cells)
        return dataset

    # Import

    def before_import(self, dataset, **kwargs):
        self.headers = [str(header or "") for header in (dataset.headers or [])]
        self.mapping = auto_map(self.headers)
        self.batch = ImportBatch.objects.create(
            original_name=(self.file_name or kwargs.get("file_name") or "admin import")[:255],
            stored_name="",
            file_format="admin",
            headers=self.headers,
            mapping=self.mapping,
            duplicate_rule=self.on_duplicate,
            status=ImportStatus.RUNNING,
            rows_total=len(dataset),
            created_by=self.user,
            started_at=timezone.now(),
        )

    def import_row(self, row, instance_loader, **kwargs):
        row_result = self.get_row_result_class()()
        line = kwargs.get("row_number", 0) + 1
        cells = [cell_text(row.get(header)) for header in self.headers]
        parsed = validate_row(line, cells, self.mapping)
        result = classify_chunk([parsed], self.batch, file_index={}, dry_run=False)
        write_chunk(result, self.batch)
        self.duplicates_kept = _save_notes(
            self.batch, result.notes, dry_run=False, duplicates_kept=self.duplicates_kept
        )
        for key, value in result.counts.items():
            if value:
                field = "error_count" if key == "errors" else f"{key}_count"
                setattr(self.batch, field, getattr(self.batch, field) + value)
        if not parsed.is_valid:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError({"__all__": parsed.errors})
            return row_result
        outcome = next(key for key, value in result.counts.items() if value)
        row_result.import_type = _IMPORT_TYPES[outcome]
        if result.targets:
            # The admin's log entries are written from a model instance.
            contact = Contact.objects.get(pk=result.targets[0].contact.pk)
            row_result.object_id = contact.pk
            row_result.object_repr = str(contact)
            row_result.instance = contact
        return row_result

    def after_import(self, dataset, result, **kwargs):
        if self.batch is not None:
            self.batch.status = ImportStatus.DONE
            self.batch.rows_done = len(dataset)
            self.batch.finished_at = timezone.now()
            self.batch.save()
