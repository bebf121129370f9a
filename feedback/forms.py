from html import escape

import django_filters
from django import forms
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from core.forms import kept_options, option_selected
from core.ids import IdField, parse_id
from core.lists import ListFilter
from core.registry import call_for_ticket, callback_for_ticket
from feedback import selectors, sla
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


class QueueFilter:
    """The queue's filters (channel, category, status, handler, SLA clock), read from the query
    string. The queue shows open tickets unless a status is chosen; a refused value drops every
    filter (the open queue shows, with the form saying why), as it always has.

    Written by hand rather than with django-filter, like the client list's (``clients.forms.
    ClientFilter``): five filters copied, a form class built and five widgets rendered on every
    queue page cost more than the rows. The options are written once a minute per language
    (``core.forms.kept_options``) and a chosen handler is checked in the database.

    ``data``: the query string or None; ``user``: whose "me" it is."""

    LABELS = {
        "channel": _("Channel"),
        "category": _("Category"),
        "status": _("Status"),
        "handler": _("Handler"),
        "breached": _("SLA"),
    }
    SLA_CHOICES = [("breached", _("Breached")), ("warned", _("Warning")), ("on_time", _("On time"))]
    # The id of the queue page's warning about refused filters (feedback/queue.html).
    ERRORS_ID = "id_filters_error"

    def __init__(self, data=None, *, user) -> None:
        self.user = user
        data = data or {}
        self.raw = {name: str(data.get(name) or "").strip() for name in self.LABELS}
        self.errors: list[str] = []
        chosen = {}
        for name, value in self.raw.items():
            if value:
                kept = self._read(name, value)
                if kept is None:
                    self.errors.append(name)
                else:
                    chosen[name] = kept
        # One refused value drops them all.
        self.chosen = {} if self.errors else chosen

    def _read(self, name: str, value: str) -> str | None:
        """``value`` as the filter keeps it, or None when it is refused. A handler is an id as
        ``core.ids`` reads one, written back in its plain form ("007" is 7)."""
        if name == "handler":
            if value in ("none", "me"):
                return value
            pk = parse_id(value)
            valid = pk is not None and selectors.handlers().filter(pk=pk).exists()
            return str(pk) if valid else None
        return value if value in {str(key) for key, _label in self._choices(name)} else None

    def _choices(self, name: str) -> list[tuple[str, str]]:
        if name == "channel":
            return Channel.choices
        if name == "category":
            return Category.choices
        if name == "status":
            return [("all", _("All statuses")), *TicketStatus.choices]
        return self.SLA_CHOICES

    def filter(self, queryset):
        """``queryset`` narrowed by the filters (open tickets unless a status is chosen)."""
        chosen = self.chosen
        status = chosen.get("status")
        if not status:
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        elif status != "all":
            queryset = queryset.filter(status=status)
        if "channel" in chosen:
            queryset = queryset.filter(channel=chosen["channel"])
        if "category" in chosen:
            queryset = queryset.filter(category=chosen["category"])
        handler = chosen.get("handler")
        if handler == "none":
            queryset = queryset.filter(handler__isnull=True)
        elif handler == "me":
            queryset = queryset.filter(handler=self.user)
        elif handler:
            queryset = queryset.filter(handler_id=int(handler))
        if "breached" in chosen:
            # The same rule as the counts above the queue and the badges (feedback.sla).
            queryset = queryset.filter(sla.state_q(chosen["breached"], timezone.now()))
        return queryset

    def html(self) -> SafeString:
        """The filters' columns of the queue's filter form: a labelled select each, the filters
        in force selected."""
        language = get_language()
        empty = {
            "channel": _("All channels"),
            "category": _("All categories"),
            # In context: the project's catalogue has "Open" as the verb (打开), and wins.
            "status": pgettext_lazy("ticket status", "Open"),
            "handler": _("Anyone"),
            "breached": _("Any"),
        }
        columns = []
        for name, label in self.LABELS.items():
            options = kept_options(
                ("queue", name, language),
                lambda name=name: [("", empty[name]), *self._offered(name)],
            )
            # A refused value is marked for screen readers, as Django marks a field in error,
            # and tied to the form's one warning above the filters (ERRORS_ID) that says why.
            invalid = (
                f' aria-invalid="true" aria-describedby="{self.ERRORS_ID}"'
                if name in self.errors
                else ""
            )
            # Each select shows the filter in force: none at all after a refused value.
            columns.append(
                f'<div class="col-6 col-md"><label class="form-label small mb-0" '
                f'for="id_{name}">{escape(str(label))}</label><select name="{name}" '
                f'class="form-select form-select-sm" id="id_{name}"{invalid}>'
                f"{option_selected(options, self.chosen.get(name))}</select></div>"
            )
        return mark_safe("".join(columns))

    def _offered(self, name: str) -> list[tuple[str, str]]:
        if name != "handler":
            return self._choices(name)
        return [
            ("none", _("Unassigned")),
            ("me", _("Me")),
            *((str(u.pk), str(u)) for u in selectors.handlers()),
        ]


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(
        label=_("Handler"), queryset=None, empty_label=_("Choose a handler")
    )

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers


def assign_options() -> SafeString:
    """The bulk assignment's ``<option>``s: ``AssignForm``'s empty label, then the handlers,
    written once a minute per language (``core.forms.kept_options``); the form's queryset still
    decides what is accepted."""
    return mark_safe(
        kept_options(
            ("queue", "assign", get_language()),
            lambda: [
                ("", AssignForm.base_fields["handler"].empty_label),
                *((u.pk, str(u)) for u in selectors.handlers()),
            ],
        )
    )


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
