"""OV-1: the audit log. Rows are written only by `oversight.audit.record`, never
updated or deleted (on PostgreSQL a trigger refuses both), and each row's hash covers
the previous row's hash, so any change to history breaks the chain."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # The actor's email at the time: readable even if the account changes later.
    actor_label = models.CharField(_("actor"), max_length=254, blank=True, editable=False)
    action = models.CharField(_("action"), max_length=80, db_index=True, editable=False)
    target_type = models.CharField(_("target type"), max_length=100, blank=True, editable=False)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, editable=False)
    target_label = models.CharField(_("target"), max_length=255, blank=True, editable=False)
    data = models.JSONField(_("data"), default=dict, blank=True, editable=False)
    # The chain: prev_hash is the previous row's hash ("0" * 64 for the first row). Unique,
    # so even a writer that skipped the lock could not fork the chain.
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"
