from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.phone import validate_typed_phone
from managers.models import (
    Assignment,
    RelationshipManager,
    RmSelectionPolicy,
    Shift,
    TrainingCourse,
    TrainingRecord,
)
from managers.services.selection import rm_candidate_approve


class TrainingRecordInline(admin.TabularInline):
    model = TrainingRecord
    extra = 0
    autocomplete_fields = ["rm"]


class RelationshipManagerAdminForm(forms.ModelForm):
    """An RM's phone by the one rule of every entry point (``core.phone``), kept as typed. The
    admin makes its Meta (``ModelAdmin.get_form``)."""

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone:
            validate_typed_phone(phone)
        return phone


@admin.register(RelationshipManager)
class RelationshipManagerAdmin(admin.ModelAdmin):
    form = RelationshipManagerAdminForm
    list_display = [
        "employee_no",
        "name",
        "branch",
        "status",
        "years_experience",
        "communication_score",
        "capacity",
        "user",
    ]
    list_filter = ["status", "branch"]
    search_fields = ["employee_no", "name", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["decided_by", "decided_at", "created_at"]
    list_select_related = ["branch", "user"]
    actions = ["approve_candidates"]

    @admin.action(description=_("Approve selected candidates (policy criteria apply)"))
    def approve_candidates(self, request, queryset):
        approved = 0
        for rm in queryset:
            try:
                rm_candidate_approve(rm=rm, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{rm}: {' '.join(error.messages)}", messages.WARNING)
            else:
                approved += 1
        self.message_user(request, _("%(n)d approved.") % {"n": approved})


@admin.register(RmSelectionPolicy)
class RmSelectionPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "min_years_experience",
        "min_communication_score",
        "default_capacity",
        "training_valid_months",
    ]


@admin.register(TrainingCourse)
class TrainingCourseAdmin(admin.ModelAdmin):
    list_display = ["title", "held_on", "hours", "cost_per_attendee"]
    list_filter = ["held_on"]
    search_fields = ["title"]
    date_hierarchy = "held_on"
    inlines = [TrainingRecordInline]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["course", "rm", "result", "score"]
    list_filter = ["result", "course__held_on", "rm__branch"]
    search_fields = ["rm__name", "rm__employee_no", "course__title"]
    list_select_related = ["course", "rm"]
    autocomplete_fields = ["rm", "course"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["client", "rm", "started_at", "ended_at", "reason", "end_reason", "assigned_by"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter), "rm__branch"]
    search_fields = ["client__client_no", "client__name", "rm__employee_no", "rm__name"]
    list_select_related = ["client", "rm", "assigned_by"]
    raw_id_fields = ["client"]
    autocomplete_fields = ["rm", "assigned_by"]
    date_hierarchy = "started_at"


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["rm", "starts_at", "ends_at"]
    list_filter = ["rm__branch"]
    search_fields = ["rm__name", "rm__employee_no"]
    list_select_related = ["rm"]
    autocomplete_fields = ["rm"]
    date_hierarchy = "starts_at"
