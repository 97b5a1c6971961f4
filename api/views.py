"""The API's views: thin, as the web's are. Each names the scope each method needs and the
Django permission its web twin needs, then calls the same selector or service."""

import datetime

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from activity.filters import start_of_day
from activity.selectors import activity_page, contact_history_ids, report_events
from activity.services import record_data_access
from api import serializers as api
from api.errors import conflict
from api.pagination import KeysetPagination
from contacts import services
from contacts.dedupe.clustering import RULE_FIELDS
from contacts.duplicates import RULES, check_contact
from contacts.exporting import (
    BACKGROUND_THRESHOLD,
    UnknownField,
    clean_fields,
    csv_chunks,
    export_count_at_most,
    export_filename,
    record_export,
)
from contacts.filters import DO_NOT_CONTACT_CHOICES, SENTIMENT_CHOICES, ContactFilter
from contacts.login_source import FILTER_CHOICES
from contacts.merge import (
    FIELD_GROUPS,
    GROUP_FIELDS,
    MERGE_PERMISSION,
    MergeError,
    contact_merge,
    default_choices,
    merge_preview,
    merge_undo,
)
from contacts.models import Contact, DuplicateCandidate, MergeRecord
from contacts.selectors import contact_list

VIA_API = " via API"
CONTACT_PAGES = KeysetPagination(("sort_name", "id"))
QUEUE_PAGES = KeysetPagination(("score", "contact_a_id", "contact_b_id"), descending=True)
BIG = 2**62
EXPORT_PERMISSION = "contacts.export_contacts"
REPORT_MAX_EVENTS = 5000


def paged(serializer, name: str):
    return inline_serializer(
        name=name,
        fields={
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null on the last one."),
            "results": serializer(many=True),
        },
    )


PAGE_PARAMETERS = [
    OpenApiParameter("cursor", str, description="From the previous page's `next`."),
    OpenApiParameter("page_size", int, description="1 to 200 (default 50)."),
]
CONTACT_FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Name, phone, email, external id or case number."),
    OpenApiParameter("login_source", str, enum=[value for value, _ in FILTER_CHOICES]),
    OpenApiParameter("case", str, description="Case number."),
    OpenApiParameter("practice_area", str),
    OpenApiParameter("do_not_contact", str, enum=[value for value, _ in DO_NOT_CONTACT_CHOICES]),
    OpenApiParameter("sentiment", str, enum=[value for value, _ in SENTIMENT_CHOICES]),
    OpenApiParameter("created_after", OpenApiTypes.DATE),
    OpenApiParameter("created_before", OpenApiTypes.DATE),
    OpenApiParameter("callable_now", bool, description="Inside their calling window now and not do-not-call."),
    OpenApiParameter("import_batch", int, description="Created or changed by this import."),
    *PAGE_PARAMETERS,
]


def live_contact(pk) -> Contact:
    return get_object_or_404(Contact.objects.live().prefetch_related("phones", "emails"), pk=pk)


def _with_channels(contact: Contact) -> Contact:
    return Contact.objects.prefetch_related("phones", "emails").get(pk=contact.pk)


def filtered_contacts(query_params):
    """The list page's FilterSet, so the API filters exactly as the page does."""
    filterset = ContactFilter(query_params, queryset=Contact.objects.all())
    if not filterset.is_valid():
        raise ValidationError({field: list(errors) for field, errors in filterset.errors.items()})
    batch = filterset.form.cleaned_data.get("import_batch")
    if batch is not None and not 0 < batch < BIG:
        raise ValidationError({"import_batch": ["An import batch number."]})
    return contact_list(filterset_queryset=filterset.qs).prefetch_related("phones", "emails")


class ContactListView(APIView):
    scopes = {"GET": "read", "POST": "write"}
    permissions = {"GET": "contacts.view_contact", "POST": "contacts.add_contact"}

    @extend_schema(
        operation_id="contacts_list",
        parameters=CONTACT_FILTER_PARAMETERS,
        responses=paged(api.ContactSerializer, "ContactPage"),
        tags=["contacts"],
    )
    def get(self, request):
        """Contacts with the list page's filters, by name, a page at a time."""
        rows, next_url = CONTACT_PAGES.page(request, filtered_contacts(request.query_params))
        return KeysetPagination.response(api.ContactSerializer(rows, many=True).data, next_url)

    @extend_schema(request=api.ContactSerializer, responses={201: api.ContactSerializer}, tags=["contacts"])
    def post(self, request):
        """Create a contact (the duplicates engine's candidates are at /contacts/{id}/duplicates/)."""
        serializer = api.ContactSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact, _filled = services.contact_create(user=request.user, **serializer.validated_data)
        return Response(api.ContactSerializer(_with_channels(contact)).data, status=status.HTTP_201_CREATED)


class ContactDetailView(APIView):
    scopes = {"GET": "read", "PATCH": "write"}
    permissions = {"GET": "contacts.view_contact", "PATCH": "contacts.change_contact"}

    @extend_schema(responses=api.ContactSerializer, tags=["contacts"])
    def get(self, request, pk):
        """One contact; a Data Access event ("via API") in its activity log. A merged-away
        contact is answered with its tombstone (`merged_into` names the survivor)."""
        contact = get_object_or_404(Contact.objects.prefetch_related("phones", "emails"), pk=pk)
        record_data_access(contact=contact, actor=request.user, what="profile" + VIA_API, request=request)
        return Response(api.ContactSerializer(contact).data)

    @extend_schema(request=api.ContactSerializer, responses=api.ContactSerializer, tags=["contacts"])
    def patch(self, request, pk):
        """Change a contact; fields left out keep their value (phones/emails, when sent, replace)."""
        contact = live_contact(pk)
        serializer = api.ContactSerializer(contact, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        contact, _filled = services.contact_update(contact=contact, user=request.user, **serializer.validated_data)
        return Response(api.ContactSerializer(_with_channels(contact)).data)


class ContactArchiveView(APIView):
    scopes = {"POST": "write"}
    permissions = {"POST": "contacts.change_contact"}

    @extend_schema(request=None, responses=api.ArchivedSerializer, tags=["contacts"])
    def post(self, request, pk):
        """Hide the contact from lists and searches; its record, cases and log stay."""
        contact = services.contact_archive(contact=live_contact(pk), user=request.user)
        return Response({"id": contact.pk, "archived_at": contact.archived_at})


class ContactDuplicatesView(APIView):
    scopes = {"GET": "read"}
    permissions = {"GET": "contacts.view_contact"}

    @extend_schema(responses=api.DuplicateMatchSerializer(many=True), tags=["duplicates"])
    def get(self, request, pk):
        """Possible duplicates of the contact, best first (dismissed pairs left out)."""
        contact = live_contact(pk)
        matches = check_contact(contact)[:20]
        contacts = Contact.objects.prefetch_related("phones", "emails").in_bulk([m.contact_id for m in matches])
        return Response(
            api.DuplicateMatchSerializer(
                [
                    {"contact": contacts[m.contact_id], "score": m.score, "reasons": list(m.reasons)}
                    for m in matches
                    if m.contact_id in contacts
                ],
                many=True,
            ).data
        )


class DuplicateQueueView(APIView):
    scopes = {"GET": "read"}
    permissions = {"GET": "contacts.view_contact"}

    @extend_schema(
        parameters=[
            OpenApiParameter("min_score", int, description="0-100"),
            OpenApiParameter("rule", str, enum=list(RULE_FIELDS)),
            *PAGE_PARAMETERS,
        ],
        responses=paged(api.DuplicatePairSerializer, "DuplicatePairPage"),
        tags=["duplicates"],
    )
    def get(self, request):
        """The possible-duplicates queue: pairs by score, best first."""
        try:
            min_score = max(0, min(100, int(request.query_params.get("min_score") or 0)))
        except ValueError:
            raise ValidationError({"min_score": ["A whole number from 0 to 100."]}) from None
        queryset = DuplicateCandidate.objects.filter(
            score__gte=min_score,
            contact_a__merged_into__isnull=True,
            contact_b__merged_into__isnull=True,
        )
        rule = request.query_params.get("rule")
        if rule:
            if rule not in RULE_FIELDS:
                raise ValidationError({"rule": [f"One of: {', '.join(RULE_FIELDS)}."]})
            queryset = queryset.filter(**{RULE_FIELDS[rule]: True})
        rows, next_url = QUEUE_PAGES.page(request, queryset)
        for pair in rows:
            pair.reasons = [label for key, label in RULES.items() if getattr(pair, RULE_FIELDS[key])]
        return KeysetPagination.response(api.DuplicatePairSerializer(rows, many=True).data, next_url)


class DuplicateDismissView(APIView):
    scopes = {"POST": "merge"}
    permissions = {"POST": "contacts.change_contact"}

    @extend_schema(request=api.PairSerializer, responses={204: None}, tags=["duplicates"])
    def post(self, request):
        """ "Not a duplicate": the pair is never suggested again."""
        serializer = api.PairSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        a = get_object_or_404(Contact, pk=serializer.validated_data["contact_a"])
        b = get_object_or_404(Contact, pk=serializer.validated_data["contact_b"])
        services.duplicate_dismiss(contact_a=a, contact_b=b, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _shown(contact: Contact, fields: tuple[str, ...]) -> str:
    return ", ".join(str(getattr(contact, name)) for name in fields if getattr(contact, name) not in (None, ""))


class ContactMergeView(APIView):
    scopes = {"POST": "merge"}
    permissions = {"POST": MERGE_PERMISSION}

    @extend_schema(
        request=api.MergeRequestSerializer,
        responses={200: api.MergePreviewSerializer, 201: api.MergeRecordSerializer},
        tags=["duplicates"],
    )
    def post(self, request, pk):
        """Merge `merged` into this contact (the survivor) with the web flow's field choices.
        With `dry_run`, answer what would be kept and moved, and change nothing."""
        survivor = live_contact(pk)
        serializer = api.MergeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        unknown = sorted(set(values.get("choices", {})) - set(GROUP_FIELDS))
        if unknown:
            raise ValidationError({"choices": [f"Unknown field group(s): {', '.join(unknown)}."]})
        merged = get_object_or_404(Contact, pk=values["merged"])
        if merged.pk == survivor.pk:
            raise ValidationError({"merged": ["A contact cannot be merged into itself."]})
        if merged.merged_into_id:
            raise ValidationError({"merged": ["This contact has already been merged into another one."]})
        choices = {**default_choices(survivor=survivor, merged=merged), **values.get("choices", {})}
        for key in ("primary_phone", "primary_email"):
            if values.get(key):
                choices[key] = values[key]
        if values["dry_run"]:
            preview = {
                "survivor": survivor.pk,
                "merged": merged.pk,
                "fields": [
                    {
                        "key": key,
                        "label": label,
                        "survivor": _shown(survivor, fields),
                        "merged": _shown(merged, fields),
                        "choice": choices[key],
                    }
                    for key, label, fields in FIELD_GROUPS
                ],
                "moves": [{"label": item.label, "count": item.count} for item in merge_preview(merged=merged)],
            }
            return Response(api.MergePreviewSerializer(preview).data)
        try:
            record = contact_merge(survivor=survivor, merged=merged, choices=choices, user=request.user)
        except MergeError as error:
            raise ValidationError({"merged": [str(error)]}) from None
        return Response(api.MergeRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class MergeUndoView(APIView):
    scopes = {"POST": "merge"}
    permissions = {"POST": MERGE_PERMISSION}

    @extend_schema(request=None, responses=api.MergeRecordSerializer, tags=["duplicates"])
    def post(self, request, pk):
        """Undo a merge: the merged contact and exactly the rows that moved come back."""
        record = get_object_or_404(MergeRecord, pk=pk)
        try:
            merge_undo(record=record, user=request.user)
        except MergeError as error:
            return conflict(str(error))
        record.refresh_from_db()
        return Response(api.MergeRecordSerializer(record).data)


class ContactActivityView(APIView):
    scopes = {"GET": "read"}
    permissions = {"GET": "activity.view_activityevent"}

    @extend_schema(
        parameters=[OpenApiParameter("before", int, description="Events older than this id (the next page).")],
        responses=inline_serializer(
            "ActivityPage",
            {
                "before": serializers.IntegerField(allow_null=True, help_text="Pass as ?before= for older events."),
                "results": api.ActivityEventSerializer(many=True),
            },
        ),
        tags=["activity"],
    )
    def get(self, request, pk):
        """The contact's activity log (with records merged into it), newest first."""
        contact = get_object_or_404(Contact, pk=pk)
        raw = request.query_params.get("before")
        try:
            before = int(raw) if raw else None
        except ValueError:
            raise ValidationError({"before": ["An event id."]}) from None
        if before is not None and not 0 < before < BIG:
            raise ValidationError({"before": ["An event id."]})
        record_data_access(contact=contact, actor=request.user, what="activity log" + VIA_API, request=request)
        page = activity_page(contact_ids=contact_history_ids(contact), before=before)
        for event in page.events:
            event.actor_name = event.actor
        return Response(
            {"before": page.older_cursor, "results": api.ActivityEventSerializer(page.events, many=True).data}
        )


class ContactExportView(APIView):
    scopes = {"GET": "export"}
    permissions = {"GET": EXPORT_PERMISSION}

    @extend_schema(
        operation_id="contacts_export",
        parameters=[
            *[parameter for parameter in CONTACT_FILTER_PARAMETERS if parameter.name not in ("cursor", "page_size")],
            OpenApiParameter("fields", str, description="Comma-separated export fields (default: the usual set)."),
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        tags=["contacts"],
    )
    def get(self, request):
        """The filtered contacts as CSV (spreadsheet formulas neutralized), an audited export.
        Up to BACKGROUND_THRESHOLD rows; larger exports go through the web page's background job."""
        queryset = filtered_contacts(request.query_params)
        raw_fields = request.query_params.get("fields", "")
        try:
            fields = clean_fields([key.strip() for key in raw_fields.split(",") if key.strip()] or None)
        except UnknownField as error:
            raise ValidationError({"fields": [str(error)]}) from None
        count = export_count_at_most(queryset, BACKGROUND_THRESHOLD)
        if count > BACKGROUND_THRESHOLD:
            raise ValidationError(
                {"non_field_errors": [f"More than {BACKGROUND_THRESHOLD:,} contacts: narrow the filters."]}
            )
        filters = {
            name: str(value)
            for name, value in request.query_params.items()
            if name in ContactFilter.base_filters and value
        }
        record_export(
            user=request.user, filters=filters, fields=fields, row_count=count, file_format="csv", request=request
        )
        response = StreamingHttpResponse(csv_chunks(queryset, fields), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export_filename("csv")}"'
        return response


class ReportQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    compliance = serializers.BooleanField(default=False, help_text="Compliance events only.")

    def validate(self, attrs):
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["The report's start date is after its end date."]})
        return attrs


class ComplianceReportView(APIView):
    scopes = {"GET": "read"}
    permissions = {"GET": "activity.view_activityevent"}

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses=api.ActivityEventSerializer(many=True),
        tags=["activity"],
    )
    def get(self, request, pk):
        """The contact's events (and those of records merged into it) for a date range, oldest
        first, as the web's compliance report (up to 5,000 events); a Data Access event."""
        contact = get_object_or_404(Contact, pk=pk)
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        date_from, date_to = query.validated_data["date_from"], query.validated_data["date_to"]
        start, end = start_of_day(date_from), start_of_day(date_to + datetime.timedelta(days=1))
        events = report_events(
            contact_ids=contact_history_ids(contact),
            start=start,
            end=end,
            compliance_only=query.validated_data["compliance"],
        )
        what = f"compliance report {date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}{VIA_API}"
        record_data_access(contact=contact, actor=request.user, what=what, request=request)
        rows = []
        for event in events:
            if len(rows) == REPORT_MAX_EVENTS:
                break
            event.actor_name = event.actor
            rows.append(event)
        return Response(api.ActivityEventSerializer(rows, many=True).data)
