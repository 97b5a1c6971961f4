from django.shortcuts import get_object_or_404, render

from contacts.models import Contact


def contact_documents_view(request, contact_id):
    contact = get_object_or_404(Contact, pk=contact_id)
    context = {"contact": contact, "nav": "contacts", "active_tab": "documents", "text": "Documents of this contact."}
    return render(request, "contacts/tab_placeholder.html", context)


def contact_notes_view(request, contact_id):
    contact = get_object_or_404(Contact, pk=contact_id)
    context = {"contact": contact, "nav": "contacts", "active_tab": "notes", "text": "Notes about this contact."}
    return render(request, "contacts/tab_placeholder.html", context)
