import pytest
from django.urls import reverse

from cases.tests.factories import CaseContactFactory, CaseFactory
from contacts.tests.factories import ContactFactory, UserFactory
from documents.tests.factories import make_document

pytestmark = pytest.mark.django_db


def test_contact_documents_subtab_groups_every_contacts_documents(client, django_assert_max_num_queries):
    client.force_login(UserFactory())
    case = CaseFactory()
    alice = CaseContactFactory(case=case, contact=ContactFactory(first_name="Alice", last_name="Adams")).contact
    bob = CaseContactFactory(case=case, contact=ContactFactory(first_name="Bob", last_name="Brown")).contact
    outsider = ContactFactory(first_name="Olga", last_name="Outside")
    make_document(alice, name="alice-id.pdf", case=case)
    make_document(alice, name="alice-other.pdf")
    make_document(bob, name="bob-photo.pdf")
    make_document(outsider, name="outsider.pdf")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("documents:case_contact_documents", args=[case.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Contact Documents" in page
    assert (
        page.index("Alice Adams") < page.index("alice-id.pdf") < page.index("Bob Brown") < page.index("bob-photo.pdf")
    )
    assert "alice-other.pdf" in page and "outsider.pdf" not in page
    assert reverse("documents:download_all", args=[bob.pk]) in page
    assert reverse("documents:download", args=[alice.pk, alice.documents.first().pk]) in page


def test_case_page_links_to_its_documents(client):
    client.force_login(UserFactory())
    case = CaseFactory()
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("documents:case_documents", args=[case.pk]) in page
