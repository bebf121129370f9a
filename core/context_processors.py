from django.conf import settings

from core import navigation as nav
from core.selectors import unread_notification_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"product_name": settings.PRODUCT_NAME}
    return {
        "product_name": settings.PRODUCT_NAME,
        "nav_items": nav.items_for(user.role),
        "unread_notifications": unread_notification_count(user=user),
        "user_role": user.role,
    }
