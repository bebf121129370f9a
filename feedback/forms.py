import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from core.forms import PlainSelect
from core.ids import IdField
from core.lists import ListFilter
from core.registry import call_for_ticket, callback_for_ticket
from feedback import sla
from feedback.models import (
    OPEN_STATUSES,
    SURVEY_COMMENT_MAX_LENGTH,
    TICKET_TEXT_MAX_LENGTH,
    Category,
    Channel,
    HeldMail,
    TicketStatus,
)

STAFF_CHANNELS = [
    (Channel.PHONE, Channel.PHONE.label),
    (Channel.BRANCH, Channel.BRANCH.label),
    (Channel.WEB, Channel.WEB.label),
]


class TicketForm(forms.Form):
    """Staff log feedback taken by phone, at the branch or from the web form."""

    client_no = forms.CharField(
        label=_("Client number"),
        max_length=32,
        help_text=_("The client's number, as on the dossier or the hotline card."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_CHANNELS)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the client said, in their words where possible."),
    )
    call = IdField(required=False)
    callback = IdField(required=False)

    def __init__(self, *args, clients, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.clients = clients
        self.user = user

    def clean_client_no(self):
        number = self.cleaned_data["client_no"].strip()
        client = self.clients.filter(client_no=number).first()
        if client is None:
            raise forms.ValidationError(_("No client you may see has this client number."))
        self.client = client
        return number

    def clean(self):
        data = super().clean()
        call_id = data.get("call")
        if call_id is not None:
            # Only a call the user may see, and about this client, may be recorded as the source.
            call = call_for_ticket(user=self.user, pk=call_id)
            client = getattr(self, "client", None)
            if call is None or (client is not None and call.client_id not in (None, client.pk)):
                self.add_error(None, _("The hotline call this ticket came from was not found."))
        callback_id = data.get("callback")
        if callback_id is not None:
            # Likewise the call-back: one the user may see, about this client, and not both.
            callback = callback_for_ticket(user=self.user, pk=callback_id)
            client = getattr(self, "client", None)
            if (
                callback is None
                or call_id is not None
                or (client is not None and callback.client_id != client.pk)
            ):
                self.add_error(None, _("The call-back this ticket came from was not found."))
        return data


class ApiTicketForm(forms.Form):
    """The mobile app's ticket (validated like a form, answered as JSON)."""

    client_no = forms.CharField(max_length=32)
    category = forms.ChoiceField(choices=Category.choices)
    subject = forms.CharField(max_length=200)
    description = forms.CharField(max_length=10000)

    def clean_client_no(self):
        """A known and an unknown client number are answered alike (no oracle for who banks
        here, issue 13): an unknown one opens an unmatched ticket that the team triages."""
        client_no = self.cleaned_data["client_no"].strip()
        self.client = Client.objects.filter(client_no=client_no).first()
        return client_no


class QueueFilter(ListFilter):
    """The queue's filters. The queue shows open tickets unless a status is chosen; a refused
    value drops every filter (the open queue shows, with the form saying why), as it always has.
    ``handlers``: the users the handler filter offers; ``request``: whose "me" it is."""

    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Channel.choices, empty_label=_("All channels")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All categories")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("all", _("All statuses")), *TicketStatus.choices],
        empty_label=_("Open"),
        method="filter_status",
    )
    handler = django_filters.ChoiceFilter(
        label=_("Handler"), empty_label=_("Anyone"), method="filter_handler"
    )
    breached = django_filters.ChoiceFilter(
        label=_("SLA"),
        choices=[
            ("breached", _("Breached")),
            ("warned", _("Warning")),
            ("on_time", _("On time")),
        ],
        empty_label=_("Any"),
        method="filter_sla",
    )

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["handler"].extra["choices"] = [
            ("none", _("Unassigned")),
            ("me", _("Me")),
            *[(str(u.pk), str(u)) for u in handlers],
        ]
        # Options written in Python (core.forms.PlainSelect): the queue renders five selects on
        # every page, one template per option otherwise (SPEC section 11).
        for field in self.form.fields.values():
            field.widget = PlainSelect(choices=field.choices)
            field.widget.attrs["class"] = "form-select form-select-sm"

    @property
    def qs(self):
        if self.is_bound and self.form.is_valid():
            return self.filter_queryset(self.queryset.all())
        return self.queryset.filter(status__in=OPEN_STATUSES)

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        return super().filter_queryset(queryset)

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_handler(self, queryset, name, value):
        if value == "none":
            return queryset.filter(handler__isnull=True)
        if value == "me":
            return queryset.filter(handler=self.request.user)
        return queryset.filter(handler_id=int(value))

    def filter_sla(self, queryset, name, value):
        # The same rule as the counts above the queue and the badges (feedback.sla).
        return queryset.filter(sla.state_q(value, timezone.now()))


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(
        label=_("Handler"), queryset=None, empty_label=_("Choose a handler")
    )

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers


class BulkAssignForm(AssignForm):
    tickets = forms.MultipleChoiceField(choices=[])

    def __init__(self, *args, references, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(r, r) for r in references]


class MessageForm(forms.Form):
    # The length is the service's rule (handling.ticket_text); the browser is told it too.
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TICKET_TEXT_MAX_LENGTH}),
        error_messages={"required": _("Write the message first.")},
    )


class RespondForm(MessageForm):
    send_email = forms.BooleanField(
        label=_("Also email it to the client"),
        required=False,
        initial=True,
        help_text=_("Sent to the client's email address, or the sender's for an email ticket."),
    )


class CategoryForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": TICKET_TEXT_MAX_LENGTH}),
        help_text=_("Required unless the ticket is resolved."),
    )


class LinkClientForm(forms.Form):
    client_no = forms.CharField(label=_("Client number"), max_length=32)

    def clean_client_no(self):
        client = Client.objects.filter(client_no=self.cleaned_data["client_no"].strip()).first()
        if client is None:
            raise forms.ValidationError(_("No client has this client number."))
        self.client = client
        return client.client_no


# The survey's scale, 1 to 5 from left to right, each point named (the ends are what the page
# shows under the scale).
SURVEY_SCALE = [
    (1, _("Very dissatisfied")),
    (2, _("Dissatisfied")),
    (3, _("Neutral")),
    (4, _("Satisfied")),
    (5, _("Very satisfied")),
]


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your feedback?"),
        choices=SURVEY_SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 = very dissatisfied, 5 = very satisfied"),
    )
    # The length is the service's rule (surveys.survey_submit); the browser is told it too.
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": SURVEY_COMMENT_MAX_LENGTH}),
    )


class HeldMailFilter(ListFilter):
    kind = django_filters.ChoiceFilter(choices=HeldMail.Kind.choices)
