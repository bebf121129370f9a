from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from feedback.models import (
    ApiKey,
    HeldMail,
    SlaPolicy,
    Survey,
    Ticket,
    TicketAttachment,
    TicketMessage,
)
from feedback.services.api_keys import api_key_issue, api_key_revoke


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "response_hours", "warn_percent"]


class TicketMessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0
    fields = ["created_at", "kind", "author", "body"]
    readonly_fields = fields
    can_delete = False


class TicketAttachmentInline(admin.TabularInline):
    model = TicketAttachment
    extra = 0
    fields = ["created_at", "filename", "content_type", "size"]
    readonly_fields = fields
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "client",
        "channel",
        "category",
        "status",
        "handler",
        "received_at",
        "first_response_due_at",
        "first_response_at",
        "breached_at",
    ]
    list_filter = ["status", "channel", "category"]
    list_select_related = ["client", "handler"]
    search_fields = ["reference", "subject", "client__name", "client__client_no", "sender_email"]
    raw_id_fields = ["client", "handler", "created_by", "api_key"]
    readonly_fields = [
        "reference",
        "received_at",
        "first_response_due_at",
        "warn_due_at",
        "first_response_at",
        "warned_at",
        "breached_at",
        "escalated_at",
        "resolved_at",
        "closed_at",
        "source_message_id",
    ]
    inlines = [TicketMessageInline, TicketAttachmentInline]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["ticket", "sent_at", "expires_at", "score", "responded_at"]
    list_select_related = ["ticket"]
    readonly_fields = ["ticket", "sent_at", "expires_at", "score", "comment", "responded_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Issuing a key shows the raw value once, in the confirmation message; only its hash is
    kept. Keys are revoked, never edited."""

    list_display = ["name", "channel", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "channel"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "channel"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        key, raw = api_key_issue(name=obj.name, channel=obj.channel)
        obj.pk = key.pk
        obj.prefix, obj.key_hash, obj.created_at = key.prefix, key.key_hash, key.created_at
        self.message_user(
            request,
            _("API key issued. Copy it now, it will not be shown again: %(key)s") % {"key": raw},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(api_key=key)
        self.message_user(request, _("Keys revoked."), messages.SUCCESS)


@admin.register(HeldMail)
class HeldMailAdmin(admin.ModelAdmin):
    """Ignored and quarantined email, read-only: the poller writes it, nobody edits it."""

    list_display = ["created_at", "kind", "reason", "sender", "subject", "ticket"]
    list_filter = ["kind", "reason"]
    search_fields = ["sender", "subject", "message_id"]
    readonly_fields = [f.name for f in HeldMail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
