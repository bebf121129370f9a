from functools import partial

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from core.branding import bank_name
from core.selectors import unread_notification_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"product_name": settings.PRODUCT_NAME, "bank_name": bank_name()}
    return {
        "product_name": settings.PRODUCT_NAME,
        "bank_name": bank_name(),
        # Counted only if a template shows it (base.html's bell): fragments rendered with the
        # request, like the dossier's panels, run this processor too and need no count.
        "unread_notifications": SimpleLazyObject(partial(unread_notification_count, user=user)),
        "user_role": user.role,
    }
