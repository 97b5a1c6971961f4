from django.conf import settings


def firm(request):
    return {"FIRM_NAME": settings.FIRM_NAME, "FIRM_PHONE": settings.FIRM_PHONE, "FIRM_EMAIL": settings.FIRM_EMAIL}
