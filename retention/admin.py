from django.contrib import admin

from retention.models import RetentionTask


@admin.register(RetentionTask)
class RetentionTaskAdmin(admin.ModelAdmin):
    list_display = ["client", "rm", "reason", "raised_on", "outcome", "closed_at"]
    list_filter = ["reason", "outcome"]
    raw_id_fields = ["client", "rm"]
    list_select_related = ["client", "rm"]
