from django.apps import AppConfig


class MeetingOpsConfig(AppConfig):
    """The project package as an app: its management commands (serve, seed_demo)."""

    name = "meetingops"
    verbose_name = "MeetingOps"
