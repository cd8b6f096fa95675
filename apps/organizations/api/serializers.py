from rest_framework import serializers

from apps.core.api.fields import UtcDateTimeField
from apps.organizations.models import Membership


class MemberOutput(serializers.ModelSerializer):
    """A member of an organization, as ``user.*`` webhook events carry it."""

    userId = serializers.CharField(source="user.pk")
    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email")
    organizationId = serializers.CharField(source="organization_id")
    joinedAt = UtcDateTimeField(source="created_at")

    class Meta:
        model = Membership
        fields = ["id", "userId", "username", "email", "organizationId", "role", "joinedAt"]
