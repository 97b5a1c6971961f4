import django_filters

from security.models import SecurityEvent, SecurityEventKind


class SecurityEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SecurityEventKind.choices, empty_label="All events")
    username = django_filters.CharFilter(label="User", lookup_expr="exact")

    class Meta:
        model = SecurityEvent
        fields = ["kind", "username"]
