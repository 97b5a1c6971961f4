import factory

from cases.models import Case, CaseContact, Task
from contacts.tests.factories import ContactFactory


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"PI-T{n:05d}")
    title = "Auto accident"
    practice_area = "personal_injury"


class CaseContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseContact

    case = factory.SubFactory(CaseFactory)
    contact = factory.SubFactory(ContactFactory)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    title = "Upload photo ID"
