from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from contactcovid.admin_scale import AtScaleAdmin
from jobs import mail
from jobs.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(AtScaleAdmin, admin.ModelAdmin):
    """E-mails waiting, sent and failed: a failure that exhausted its retries is listed here,
    with an action to send it again. Read-only otherwise; the bodies are never shown."""

    list_display = ["created_at", "status", "to", "subject", "attempts", "next_attempt_at"]
    list_filter = ["status"]
    search_fields = ["=to"]
    fields = [
        "status", "to", "subject", "attachment_name", "created_at", "attempts",
        "next_attempt_at", "last_error", "sent_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Renvoyer les e-mails en échec sélectionnés"), permissions=["view"])
    def send_again(self, request, queryset):
        count = mail.resend(email_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            _("%(count)s e-mail(s) remis dans la file d'envoi.") % {"count": count},
            messages.SUCCESS,
        )
