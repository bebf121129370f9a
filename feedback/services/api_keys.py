"""The mobile app's per-channel API keys: issue, revoke, authenticate; only hashes are kept."""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from feedback.models import ApiKey, Channel


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_issue(*, name: str, channel: str = Channel.APP) -> tuple[ApiKey, str]:
    """A new key; the raw value is returned here once and never stored."""
    prefix = secrets.token_hex(4)
    raw = f"fb_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(name=name, channel=channel, prefix=prefix, key_hash=_key_hash(raw))
    return key, raw


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    """The active key matching ``raw`` (constant-time comparison), or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "fb":
        return None
    key = ApiKey.objects.filter(prefix=parts[1], revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _key_hash(raw)):
        return None
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
