"""Settings → API tokens and webhooks (Admins only): make and revoke tokens, register webhooks,
read their deliveries. A new token's text and a new webhook's secret are shown once."""

import datetime

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from api.forms import TokenForm, WebhookForm
from api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from api.services import token_create, token_revoke
from api.webhooks import new_secret

can_manage = permission_required("api.add_apitoken", raise_exception=True)
SHOWN = 50


def _page(request, *, token_form=None, webhook_form=None, new_token="", new_secret_text="", status=200):
    context = {
        "nav": "settings",
        "section": "api",
        "tokens": ApiToken.objects.select_related("user")[:SHOWN],
        "webhooks": WebhookEndpoint.objects.all()[:SHOWN],
        "deliveries": WebhookDelivery.objects.select_related("endpoint")[:SHOWN],
        "token_form": token_form or TokenForm(),
        "webhook_form": webhook_form or WebhookForm(),
        "new_token": new_token,
        "new_secret": new_secret_text,
        "now": timezone.now(),
    }
    return render(request, "api/settings.html", context, status=status)


@can_manage
def api_settings_view(request):
    if request.method != "POST":
        return _page(request)
    if request.POST.get("form") == "webhook":
        form = WebhookForm(request.POST)
        if not form.is_valid():
            return _page(request, webhook_form=form, status=400)
        endpoint = WebhookEndpoint.objects.create(**form.cleaned_data, secret=new_secret(), created_by=request.user)
        return _page(request, new_secret_text=endpoint.secret)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, token_form=form, status=400)
    _token, text = token_create(
        user=form.cleaned_data["user"],
        name=form.cleaned_data["name"],
        scopes=form.cleaned_data["scopes"],
        created_by=request.user,
        expires_at=timezone.now() + datetime.timedelta(days=form.cleaned_data["expires_in_days"]),
    )
    return _page(request, new_token=text)


@can_manage
@require_POST
def token_revoke_view(request, pk):
    token_revoke(token=get_object_or_404(ApiToken, pk=pk), user=request.user)
    return redirect("api_settings:index")


@can_manage
@require_POST
def webhook_active_view(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    endpoint.is_active = request.POST.get("active") == "1"
    endpoint.save(update_fields=["is_active"])
    return redirect("api_settings:index")
