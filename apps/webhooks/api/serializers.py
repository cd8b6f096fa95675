from rest_framework import serializers

from apps.core.api.fields import UtcDateTimeField
from apps.core.api.serializers import StrictBooleanField, StrictCharField, StrictInput
from apps.webhooks.models import WebhookEndpoint
from apps.webhooks.subscriptions import SUBSCRIBABLE_EVENT_NAMES


def _events_field(**kwargs: object) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE_EVENT_NAMES),
        allow_empty=False,
        max_length=50,
        **kwargs,
    )


class WebhookCreateInput(StrictInput):
    url = StrictCharField(max_length=2000)
    events = _events_field()
    description = StrictCharField(max_length=200, required=False, default="", allow_blank=True)


class WebhookUpdateInput(StrictInput):
    url = StrictCharField(max_length=2000, required=False)
    events = _events_field(required=False)
    description = StrictCharField(max_length=200, required=False, allow_blank=True)
    active = StrictBooleanField(required=False, help_text="Set true to re-enable after a 410.")


class WebhookOutput(serializers.ModelSerializer):
    # Declared, not inferred: the model's JSONField would be an untyped value in the schema and the SDKs.
    events = serializers.ListField(child=serializers.CharField(), help_text="Event names it receives.")
    disabledReason = serializers.CharField(source="disabled_reason")
    createdAt = UtcDateTimeField(source="created_at")
    updatedAt = UtcDateTimeField(source="updated_at")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "description", "active", "disabledReason", "createdAt", "updatedAt"]


class WebhookCreatedOutput(WebhookOutput):
    secret = serializers.CharField(
        help_text="The signing secret. Shown only in this response; store it now.", read_only=True
    )

    class Meta(WebhookOutput.Meta):
        fields = [*WebhookOutput.Meta.fields, "secret"]


class WebhookListOutput(serializers.Serializer):
    webhooks = WebhookOutput(many=True)
