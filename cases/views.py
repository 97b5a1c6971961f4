from django.shortcuts import get_object_or_404, render

from cases.models import Case


def case_list_view(request):
    cases = Case.objects.order_by("-id")[:50]
    return render(request, "cases/case_list.html", {"cases": cases, "nav": "cases"})


def case_detail_view(request, pk):
    case = get_object_or_404(Case, pk=pk)
    links = case.case_contacts.select_related("contact").order_by("contact__sort_name")
    return render(request, "cases/case_detail.html", {"case": case, "links": links, "nav": "cases"})
