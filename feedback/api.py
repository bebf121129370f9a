"""The mobile app's JSON API (SPEC section 6): open a ticket and follow its status.

Authenticated with ``Authorization: Bearer <key>`` (a per-channel ApiKey; only its hash is
stored). Errors are JSON: 401 for a missing, unknown or revoked key, 400 for malformed JSON and
``{"errors": {field: [messages]}}`` for invalid fields, 404 for a ticket the key may not see.
The OpenAPI description below is the contract; a test checks it against this code.
"""

import json
from functools import wraps

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from feedback import services
from feedback.forms import ApiTicketForm
from feedback.models import Category, Survey, Ticket, TicketMessage, TicketStatus


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"errors": {"__all__": [message]}}, status=status)


def api_key_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            response = _error(401, "Missing API key: send Authorization: Bearer <key>.")
        else:
            key = services.api_key_authenticate(raw=raw.strip())
            if key is not None:
                request.api_key = key
                return view(request, *args, **kwargs)
            response = _error(401, "Unknown or revoked API key.")
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
        survey_url = services.survey_link(survey)
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
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(400, "The body is not valid JSON.")
    if not isinstance(payload, dict):
        return _error(400, "The body must be a JSON object.")
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
        return JsonResponse({"errors": errors}, status=400)
    data = form.cleaned_data
    ticket = services.ticket_create(
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
    if ticket is None:
        return _error(404, "No ticket with this reference for this channel.")
    survey = Survey.objects.filter(ticket=ticket).first()
    return JsonResponse(ticket_json(ticket, survey))


def _string(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


ERRORS_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages by field; `__all__` for errors not about one field.",
        }
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
        "reference": _string("Ticket reference, e.g. FB-2026-000123."),
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
        "key from the administrator: `Authorization: Bearer <key>`.",
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
                    }
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
                    "404": _json_error("No ticket with this reference for this channel."),
                },
            }
        },
    },
}


@require_GET
def openapi(request):
    return JsonResponse(OPENAPI)
