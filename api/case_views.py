"""Cases, their tasks and forms (read), putting a contact on a case, and Share Link: a portal
link sent by SMS or email, through the same services (do-not-contact, calling window, log)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import conflict
from api.pagination import KeysetPagination
from api.views import BIG, PAGE_PARAMETERS, live_contact, paged
from cases.models import Case, CaseRole, Task, TaskKind, TaskStatus
from contacts import services
from contacts.forms import TaskFillForm
from contacts.models import Contact
from contacts.normalize import normalize_email, phone_or_none
from contacts.selectors import contact_tasks
from portal.forms import ShareLinkForm
from portal.models import LinkChannel, SecondFactor

CASE_PAGES = KeysetPagination(("id",), descending=True)


class CaseContactSerializer(serializers.Serializer):
    contact = serializers.IntegerField(source="contact_id")
    display_name = serializers.CharField(source="contact.display_name")
    role = serializers.ChoiceField(choices=CaseRole.choices)


class CaseSerializer(serializers.ModelSerializer):
    contacts = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "title",
            "practice_area",
            "stage",
            "description",
            "opened_on",
            "closed_on",
            "contacts",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(CaseContactSerializer(many=True))
    def get_contacts(self, case):
        links = [link for link in case.case_contacts.all() if link.contact.merged_into_id is None]
        return CaseContactSerializer(links, many=True).data


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = [
            "id",
            "case",
            "contact",
            "kind",
            "title",
            "instructions",
            "form_fields",
            "response",
            "status",
            "due_on",
            "completed_at",
            "created_at",
            "updated_at",
        ]


def _cases():
    return Case.objects.prefetch_related("case_contacts__contact")


class CaseListView(APIView):
    scopes = {"GET": "read"}
    permissions = {"GET": "cases.view_case"}

    @extend_schema(
        operation_id="cases_list",
        parameters=[
            OpenApiParameter("number", str, description="The case number, exactly."),
            OpenApiParameter("contact", int, description="Cases this contact is on."),
            *PAGE_PARAMETERS,
        ],
        responses=paged(CaseSerializer, "CasePage"),
        tags=["cases"],
    )
    def get(self, request):
        """Cases, newest first."""
        queryset = _cases()
        number = request.query_params.get("number", "").strip()
        if number:
            queryset = queryset.filter(number=number.upper()[:40])
        contact = request.query_params.get("contact")
        if contact:
            if not contact.isdigit() or not 0 < int(contact) < BIG:
                raise ValidationError({"contact": ["A contact id."]})
            queryset = queryset.filter(case_contacts__contact_id=int(contact))
        rows, next_url = CASE_PAGES.page(request, queryset)
        return KeysetPagination.response(CaseSerializer(rows, many=True).data, next_url)


class CaseDetailView(APIView):
    scopes = {"GET": "read"}
    permissions = {"GET": "cases.view_case"}

    @extend_schema(responses=CaseSerializer, tags=["cases"])
    def get(self, request, pk):
        """A case with its contacts and their roles."""
        return Response(CaseSerializer(get_object_or_404(_cases(), pk=pk)).data)


class CaseTasksView(APIView):
    scopes = {"GET": "read"}
    permissions = {"GET": "cases.view_task"}

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=TaskKind.values)],
        responses=TaskSerializer(many=True),
        tags=["cases"],
    )
    def get(self, request, pk):
        """The case's tasks and forms (up to 500), open ones first."""
        case = get_object_or_404(Case, pk=pk)
        tasks = Task.objects.filter(case=case).order_by("due_on", "id")
        kind = request.query_params.get("kind")
        if kind:
            if kind not in TaskKind.values:
                raise ValidationError({"kind": [f"One of: {', '.join(TaskKind.values)}."]})
            tasks = tasks.filter(kind=kind)
        return Response(TaskSerializer(tasks[:500], many=True).data)


class ContactTasksView(APIView):
    scopes = {"GET": "read"}
    permissions = {"GET": "cases.view_task"}

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=TaskStatus.values)],
        responses=TaskSerializer(many=True),
        tags=["cases"],
    )
    def get(self, request, pk):
        """Every task and form of every case the contact is on (up to 500)."""
        contact = live_contact(pk)
        task_status = request.query_params.get("status", "")
        if task_status and task_status not in TaskStatus.values:
            raise ValidationError({"status": [f"One of: {', '.join(TaskStatus.values)}."]})
        return Response(TaskSerializer(contact_tasks(contact=contact, status=task_status)[:500], many=True).data)


class TaskFillSerializer(serializers.Serializer):
    response = serializers.DictField(
        help_text='The form\'s answers by field name; for a plain task {"done": true}.',
    )


class ContactTaskFillView(APIView):
    scopes = {"POST": "write"}
    permissions = {"POST": "cases.change_task"}

    @extend_schema(request=TaskFillSerializer, responses=TaskSerializer, tags=["cases"])
    def post(self, request, pk, task_id):
        """Complete a task's form for the contact (status submitted), or mark a plain task done,
        with the web's checks of each field."""
        contact = live_contact(pk)
        task = contact_tasks(contact=contact).filter(pk=task_id).first()
        if task is None:
            raise Http404
        serializer = TaskFillSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = {
            name: ("on" if value is True else "" if value in (False, None) else value)
            for name, value in serializer.validated_data["response"].items()
        }
        form = TaskFillForm(answers, task=task)
        if not form.is_valid():
            raise ValidationError({f"response.{name}": list(errors) for name, errors in form.errors.items()})
        task = services.task_fill(task=task, contact=contact, response=form.response(), user=request.user)
        return Response(TaskSerializer(task).data)


class LinkCaseSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=BIG)
    role = serializers.ChoiceField(choices=CaseRole.choices, default=CaseRole.CLIENT)


class ContactCasesView(APIView):
    scopes = {"POST": "write"}
    permissions = {"POST": "cases.add_casecontact"}

    @extend_schema(request=LinkCaseSerializer, responses={201: CaseSerializer}, tags=["cases"])
    def post(self, request, pk):
        """Put the contact on a case with a role."""
        contact = live_contact(pk)
        serializer = LinkCaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = get_object_or_404(Case, pk=serializer.validated_data["case"])
        try:
            with transaction.atomic():
                services.contact_link_case(
                    contact=contact, case=case, role=serializer.validated_data["role"], user=request.user
                )
        except IntegrityError:
            return conflict("The contact is already on this case.")
        return Response(CaseSerializer(get_object_or_404(_cases(), pk=case.pk)).data, status=status.HTTP_201_CREATED)


class ShareLinkSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=[LinkChannel.SMS, LinkChannel.EMAIL])
    to = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The phone number (E.164) or email address on file; left out: the primary one.",
    )
    task = serializers.IntegerField(
        required=False, min_value=1, max_value=BIG, help_text="A task or form of this contact."
    )
    message = serializers.CharField(required=False, max_length=1000, help_text="Must contain {link}.")
    second_factor = serializers.ChoiceField(choices=SecondFactor.choices, default=SecondFactor.NONE)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=90, required=False)


class SharedLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    sent_to = serializers.CharField()
    expires_at = serializers.DateTimeField()
    delivery_status = serializers.CharField()
    send_after = serializers.DateTimeField(allow_null=True, help_text="Held to the contact's calling window.")


class ShareLinkView(APIView):
    scopes = {"POST": "write"}
    permissions = {"POST": "portal.add_portallink"}

    @extend_schema(request=ShareLinkSerializer, responses={201: SharedLinkSerializer}, tags=["cases"])
    def post(self, request, case_id, contact_id):
        """Send the contact a portal link to the case (or one task) by SMS or email. The
        do-not-contact flags and calling window apply as in the Share Link dialog."""
        case = get_object_or_404(Case, pk=case_id)
        contact = get_object_or_404(Contact.objects.live(), pk=contact_id, case_links__case=case)
        serializer = ShareLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        task = None
        if values.get("task"):
            task = get_object_or_404(Task, pk=values["task"], case=case, contact=contact)
        form = ShareLinkForm(data={}, contact=contact)  # the dialog's destinations and its rules
        wanted = (values.get("to") or "").strip()
        if wanted and values["channel"] == LinkChannel.SMS:
            wanted = phone_or_none(wanted) or wanted
        elif wanted:
            wanted = normalize_email(wanted)
        options = [option for option in form.options if option["channel"] == values["channel"]]
        if wanted:
            options = [
                option
                for option in options
                if (option.get("phone") and option["phone"].number == wanted)
                or (option.get("email") and option["email"].email == wanted)
            ]
        else:
            options.sort(key=lambda option: not option["primary"])
        if not options:
            what = "phone number" if values["channel"] == LinkChannel.SMS else "email address"
            raise ValidationError({"to": [f"No such {what} on file for this contact."]})
        form = ShareLinkForm(
            data={
                "destination": options[0]["value"],
                "message": values.get("message") or form.fields["message"].initial,
                "second_factor": values["second_factor"],
                "expires_in_days": values.get("expires_in_days") or form.fields["expires_in_days"].initial,
            },
            contact=contact,
        )
        if not form.is_valid():
            fields = {("to" if name == "destination" else name): list(errors) for name, errors in form.errors.items()}
            raise ValidationError(fields)
        try:
            link = form.share(user=request.user, case=case, task=task)
        except DjangoValidationError as error:
            raise ValidationError({"non_field_errors": error.messages}) from None
        return Response(SharedLinkSerializer(link).data, status=status.HTTP_201_CREATED)
