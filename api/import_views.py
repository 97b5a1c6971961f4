"""Import through the API: the wizard's steps (upload → map columns → preview → run → poll),
on the same services and background tasks."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import conflict
from contacts.importing.forms import MappingForm
from contacts.importing.mapping import IMPORT_FIELDS
from contacts.importing.readers import ENCODING_CHOICES, UnreadableFile
from contacts.importing.service import ImportNotReady, import_configure, import_start, store_upload
from contacts.models import DuplicateRule, ImportBatch, ImportErrorMode, ImportNoteKind, ImportStatus

IMPORT_PERMISSION = "contacts.import_contacts"
NOTES_SHOWN = 50


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8, UTF-16, cp1252) or Excel .xlsx.")
    encoding = serializers.ChoiceField(choices=[value for value, _ in ENCODING_CHOICES], required=False)


class ConfigureSerializer(serializers.Serializer):
    mapping = serializers.ListField(
        child=serializers.ChoiceField(choices=["", *(field.key for field in IMPORT_FIELDS)]),
        help_text='Our field for each column of the file, in order; "" ignores a column.',
        max_length=500,
    )
    duplicate_rule = serializers.ChoiceField(choices=DuplicateRule.choices, default=DuplicateRule.SKIP)
    error_mode = serializers.ChoiceField(choices=ImportErrorMode.choices, default=ImportErrorMode.VALID_ROWS)
    check_dnc = serializers.BooleanField(default=False)


class ImportNoteSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The row's line in the file.")
    kind = serializers.CharField()
    reason = serializers.CharField()
    contact_id = serializers.IntegerField(allow_null=True, help_text="The existing contact a duplicate matched.")


class ImportBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    headers = serializers.ListField(child=serializers.CharField(allow_blank=True))
    mapping = serializers.ListField(child=serializers.CharField(allow_blank=True))
    duplicate_rule = serializers.CharField()
    error_mode = serializers.CharField()
    rows_total = serializers.IntegerField(allow_null=True)
    rows_done = serializers.IntegerField()
    finished = serializers.BooleanField()
    preview = serializers.DictField(help_text="Counts of the dry run (new, updated, skipped, merged, errors).")
    counts = serializers.DictField()
    message = serializers.CharField(allow_blank=True)
    notes = ImportNoteSerializer(many=True, help_text="The first row errors and duplicates found.")


def batch_data(batch: ImportBatch) -> dict:
    dry_run = batch.status in (ImportStatus.PREVIEWING, ImportStatus.PREVIEWED)
    notes = batch.notes.filter(dry_run=dry_run, kind__in=[ImportNoteKind.ERROR, ImportNoteKind.DUPLICATE])
    return ImportBatchSerializer(
        {
            "id": batch.pk,
            "original_name": batch.original_name,
            "status": batch.status,
            "headers": batch.headers,
            "mapping": batch.mapping,
            "duplicate_rule": batch.duplicate_rule,
            "error_mode": batch.error_mode,
            "rows_total": batch.rows_total,
            "rows_done": batch.rows_done,
            "finished": batch.status
            not in (ImportStatus.PREVIEWING, ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.UPLOADED),
            "preview": batch.preview or {},
            "counts": {
                "new": batch.new_count,
                "updated": batch.updated_count,
                "skipped": batch.skipped_count,
                "merged": batch.merged_count,
                "errors": batch.error_count,
            },
            "message": batch.message,
            "notes": list(notes.order_by("id")[:NOTES_SHOWN]),
        }
    ).data


class ImportUploadView(APIView):
    scopes = {"POST": "import"}
    permissions = {"POST": IMPORT_PERMISSION}
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": UploadSerializer}, responses={201: ImportBatchSerializer}, tags=["import"]
    )
    def post(self, request):
        """Upload a file; the answer has its columns and the mapping guessed from their names."""
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            batch = store_upload(
                serializer.validated_data["file"],
                user=request.user,
                encoding=serializer.validated_data.get("encoding", ""),
            )
        except UnreadableFile as error:
            raise ValidationError({"file": [str(error)]}) from None
        return Response(batch_data(batch), status=status.HTTP_201_CREATED)


class ImportDetailView(APIView):
    scopes = {"GET": "import"}
    permissions = {"GET": IMPORT_PERMISSION}

    @extend_schema(responses=ImportBatchSerializer, tags=["import"])
    def get(self, request, pk):
        """The import's step and progress: poll until `finished`."""
        return Response(batch_data(get_object_or_404(ImportBatch, pk=pk)))


class ImportPreviewView(APIView):
    scopes = {"POST": "import"}
    permissions = {"POST": IMPORT_PERMISSION}

    @extend_schema(request=ConfigureSerializer, responses={202: ImportBatchSerializer}, tags=["import"])
    def post(self, request, pk):
        """Map the columns and choose the duplicate rule; the file is checked in the background
        (a dry run: nothing is written). Poll the import for its `preview` counts and notes."""
        batch = get_object_or_404(ImportBatch, pk=pk)
        serializer = ConfigureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        if len(values["mapping"]) != len(batch.headers):
            raise ValidationError({"mapping": [f"Give one entry per column: the file has {len(batch.headers)}."]})
        # The wizard's form checks the mapping (a field taken twice, no name column).
        data = {f"column_{index}": key for index, key in enumerate(values["mapping"])}
        data.update(
            duplicate_rule=values["duplicate_rule"],
            error_mode=values["error_mode"],
            check_dnc="on" if values["check_dnc"] else "",
            encoding=batch.encoding,
            delimiter=batch.delimiter,
            sheet=batch.sheet,
        )
        form = MappingForm(data, batch=batch, sheets=[batch.sheet])
        if not form.is_valid():
            fields = {}
            for name, messages in form.errors.items():
                if name.startswith("column_"):
                    name = f"mapping.{name.removeprefix('column_')}"
                fields["mapping" if name == "__all__" else name] = list(messages)
            raise ValidationError(fields)
        try:
            import_configure(
                batch=batch,
                mapping=form.cleaned_data["mapping"],
                duplicate_rule=values["duplicate_rule"],
                error_mode=values["error_mode"],
                check_dnc=values["check_dnc"],
            )
        except ImportNotReady as error:
            return conflict(str(error))
        return Response(batch_data(batch), status=status.HTTP_202_ACCEPTED)


class ImportRunSerializer(serializers.Serializer):
    resume = serializers.BooleanField(default=False, help_text="Go on after the rows a stopped import committed.")


class ImportRunView(APIView):
    scopes = {"POST": "import"}
    permissions = {"POST": IMPORT_PERMISSION}

    @extend_schema(request=ImportRunSerializer, responses={202: ImportBatchSerializer}, tags=["import"])
    def post(self, request, pk):
        """Import a previewed file in the background with its duplicate rule; poll for progress."""
        batch = get_object_or_404(ImportBatch, pk=pk)
        serializer = ImportRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            import_start(batch=batch, resume=serializer.validated_data["resume"])
        except ImportNotReady as error:
            return conflict(str(error))
        return Response(batch_data(batch), status=status.HTTP_202_ACCEPTED)
