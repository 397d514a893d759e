"""Input and output of the API token endpoints (X-1)."""

from __future__ import annotations

from rest_framework import serializers


class ApiTokenOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The secret's first characters.")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class ApiTokenCreateInputSerializer(serializers.Serializer):
    # A missing or blank name is api_token_create's to refuse (name_required).
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ApiTokenCreateOutputSerializer(ApiTokenOutputSerializer):
    secret = serializers.CharField(
        help_text="Shown this once: send it as `Authorization: Bearer <secret>`."
    )


class CalendarFeedOutputSerializer(serializers.Serializer):
    """BK-10: my calendar feed's addresses (empty while I have none)."""

    active = serializers.BooleanField()
    https = serializers.CharField(help_text="For Outlook and Google (subscribe from URL).")
    webcal = serializers.CharField(help_text="The same, as webcal:// (Apple, Outlook).")
