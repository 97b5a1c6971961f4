from django.utils.functional import lazy

from firm.selectors import firm_setting

_firm_text = lazy(firm_setting, str)


def firm(request):
    """The firm's name and contact details (Settings → Portal, else the environment), read
    only when a page shows them."""
    return {
        "FIRM_NAME": _firm_text("FIRM_NAME"),
        "FIRM_PHONE": _firm_text("FIRM_PHONE"),
        "FIRM_EMAIL": _firm_text("FIRM_EMAIL"),
    }
