"""The mobile app's JSON API (SPEC section 6): open a ticket and follow its status.

Authenticated with ``Authorization: Bearer <key>`` (a per-channel ApiKey; only its hash is
stored). Authorisation is per ticket, not per channel (issue 13): creating a ticket returns its
random reference and a secret, and reading it back needs both (``X-Ticket-Secret``). A known and an
unknown client number get the same 201. Each key is rate-limited (``API_RATE_LIMIT`` calls per
minute, then 429 with ``Retry-After``). Errors are JSON with the request id: 401 for a missing,
unknown or revoked key, 400 for malformed JSON and ``{"errors": {field: [messages]}}`` for invalid
fields, 404 for a ticket the caller may not read (unknown reference or wrong secret alike).
Every message is in the request's ``Accept-Language`` (English or Chinese), Chinese without one.
The OpenAPI description below is the contract; a test checks it against this code.
"""

from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core import throttle
from core.api import api_error, status_message
from core.jsontext import json_loads
from feedback.forms import ApiTicketForm
from feedback.models import Category, Survey, Ticket, TicketMessage, TicketStatus
from feedback.services.api_keys import api_key_authenticate
from feedback.services.opening import ticket_create, ticket_secret_matches
from feedback.services.surveys import survey_link

SECRET_HEADER = "X-Ticket-Secret"
RATE_WINDOW = 60  # seconds


def api_key_required(view):
    """Bearer key, then the key's rate limit (``API_RATE_LIMIT`` per minute; 429 beyond)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            response = api_error(
                request, status=401, message=_("Missing API key: send Authorization: Bearer <key>.")
            )
        else:
            key = api_key_authenticate(raw=raw.strip())
            if key is not None:
                if not throttle.allow(
                    scope="api", key=str(key.pk), limit=settings.API_RATE_LIMIT, window=RATE_WINDOW
                ):
                    response = api_error(request, status=429, message=status_message(429))
                    response["Retry-After"] = str(RATE_WINDOW)
                    return response
                request.api_key = key
                return view(request, *args, **kwargs)
            response = api_error(request, status=401, message=_("Unknown or revoked API key."))
        response["WWW-Authenticate"] = 'Bearer realm="feedback"'
        return response

    return wrapped


def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def ticket_json(ticket: Ticket, survey: Survey | None) -> dict:
    responses = [
        {"body": m.body, "created_at": _iso(m.created_at)}
        for m in ticket.messages.all()
        if m.kind == TicketMessage.Kind.RESPONSE_TO_CLIENT
    ]
    survey_url = None
    if survey is not None and not survey.is_answered and not survey.is_expired():
        survey_url = survey_link(survey)
    return {
        "reference": ticket.reference,
        "status": ticket.status,
        "category": ticket.category,
        "subject": ticket.subject,
        "received_at": _iso(ticket.received_at),
        "first_response_due_at": _iso(ticket.first_response_due_at),
        "first_response_at": _iso(ticket.first_response_at),
        "resolved_at": _iso(ticket.resolved_at),
        "responses": responses,
        "survey_url": survey_url,
    }


@csrf_exempt
@require_POST
@api_key_required
def tickets_create(request):
    try:
        payload = json_loads(request.body.decode("utf-8"))
    except ValueError:  # not UTF-8 (UnicodeDecodeError), not JSON, or JSON nobody can read
        return api_error(request, status=400, message=_("The body is not valid JSON."))
    if not isinstance(payload, dict):
        return api_error(request, status=400, message=_("The body must be a JSON object."))
    fields = {
        name: payload[name]
        for name in ApiTicketForm.base_fields
        if name in payload and isinstance(payload[name], str | int)
    }
    form = ApiTicketForm(fields)
    if not form.is_valid():
        errors = {
            field: [str(e["message"]) for e in items]
            for field, items in form.errors.get_json_data().items()
        }
        return api_error(request, status=400, message="", errors=errors)
    data = form.cleaned_data
    ticket = ticket_create(
        channel=request.api_key.channel,
        category=data["category"],
        subject=data["subject"],
        description=data["description"],
        client=form.client,
        api_key=request.api_key,
    )
    return JsonResponse(
        {
            "reference": ticket.reference,
            "secret": ticket.api_secret,
            "status": ticket.status,
            "received_at": _iso(ticket.received_at),
            "first_response_due_at": _iso(ticket.first_response_due_at),
        },
        status=201,
    )


@csrf_exempt
@require_GET
@api_key_required
def ticket_status(request, reference: str):
    ticket = (
        Ticket.objects.filter(reference=reference, channel=request.api_key.channel)
        .prefetch_related("messages")
        .first()
    )
    secret = request.headers.get(SECRET_HEADER, "")
    if ticket is None or not ticket_secret_matches(ticket=ticket, secret=secret):
        return api_error(
            request, status=404, message=_("No ticket with this reference and secret.")
        )
    survey = Survey.objects.filter(ticket=ticket).first()
    return JsonResponse(ticket_json(ticket, survey))


def _string(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


ERRORS_SCHEMA = {
    "type": "object",
    "required": ["errors", "request_id"],
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages by field; `__all__` for errors not about one field. In the "
            "request's `Accept-Language` (`zh-Hans` or `en`); Chinese when it is missing.",
        },
        "request_id": _string("Quote it to support; the server's log line carries it too."),
    },
}
TICKET_INPUT = {
    "type": "object",
    "required": ["client_no", "category", "subject", "description"],
    "properties": {
        "client_no": _string("The client's number at the bank.", maxLength=32),
        "category": _string("What kind of feedback.", enum=list(Category.values)),
        "subject": _string("One line.", maxLength=200),
        "description": _string("The client's words.", maxLength=10000),
    },
}
TICKET_CREATED = {
    "type": "object",
    "properties": {
        "reference": _string("Ticket reference (random), e.g. FB-3F9A0C1D2E4B5A67."),
        "secret": _string(
            "The ticket's secret, returned only here: send it as X-Ticket-Secret to read the "
            "ticket back. Keep it with the client's session in the app."
        ),
        "status": _string("Ticket status.", enum=list(TicketStatus.values)),
        "received_at": _string("When the ticket was received.", format="date-time"),
        "first_response_due_at": _string(
            "When the first response is due (48 hours).", format="date-time"
        ),
    },
}
TICKET_STATUS = {
    "type": "object",
    "properties": {
        "reference": _string("Ticket reference."),
        "status": _string("Ticket status.", enum=list(TicketStatus.values)),
        "category": _string("Category.", enum=list(Category.values)),
        "subject": _string("Subject."),
        "received_at": _string("Received.", format="date-time"),
        "first_response_due_at": _string("First response due.", format="date-time"),
        "first_response_at": _string("First response, or null.", format="date-time", nullable=True),
        "resolved_at": _string("Resolution, or null.", format="date-time", nullable=True),
        "responses": {
            "type": "array",
            "description": "Responses to the client, oldest first.",
            "items": {
                "type": "object",
                "properties": {
                    "body": _string("The response."),
                    "created_at": _string("When.", format="date-time"),
                },
            },
        },
        "survey_url": _string(
            "The one-time satisfaction survey link once resolved (null when answered or expired).",
            format="uri",
            nullable=True,
        ),
    },
}


def _json_error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


OPENAPI = {
    "openapi": "3.0.3",
    "info": {
        "title": "VIP Service feedback API",
        "version": "1.0.0",
        "description": "Feedback from the bank's mobile app. Every call needs a per-channel API "
        "key from the administrator: `Authorization: Bearer <key>`. Error messages follow "
        "`Accept-Language` (Chinese by default).",
    },
    "servers": [{"url": "/feedback/api/v1"}],
    "security": [{"bearerAuth": []}],
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Errors": ERRORS_SCHEMA,
            "TicketInput": TICKET_INPUT,
            "TicketCreated": TICKET_CREATED,
            "TicketStatus": TICKET_STATUS,
        },
    },
    "paths": {
        "/tickets": {
            "post": {
                "operationId": "createTicket",
                "summary": "Open a feedback ticket",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/TicketInput"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Created; the 48-hour response clock is running.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/TicketCreated"}
                            }
                        },
                    },
                    "400": _json_error("Malformed JSON or invalid fields."),
                    "401": _json_error("Missing, unknown or revoked API key."),
                    "429": _json_error("Over the key's rate limit; retry after Retry-After s."),
                },
            }
        },
        "/tickets/{reference}": {
            "get": {
                "operationId": "getTicket",
                "summary": "A ticket's status, responses and survey link",
                "parameters": [
                    {
                        "name": "reference",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "X-Ticket-Secret",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": "The secret returned when the ticket was created.",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The ticket.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/TicketStatus"}
                            }
                        },
                    },
                    "401": _json_error("Missing, unknown or revoked API key."),
                    "404": _json_error("No ticket with this reference and secret."),
                    "429": _json_error("Over the key's rate limit; retry after Retry-After s."),
                },
            }
        },
    },
}


@require_GET
def openapi(request):
    return JsonResponse(OPENAPI)
