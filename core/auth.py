"""The session's user, read for the page frame in one query (SPEC section 11)."""

from django.contrib.auth.backends import ModelBackend

from core.selectors import user_for_request


class FrameBackend(ModelBackend):
    """Django's ``ModelBackend`` (the same passwords and permissions), except that the user of a
    signed-in request comes with its branch, role and unread count in one query, instead of one
    query for the user, one for its groups, one for its branch and one for the bell."""

    def get_user(self, user_id):
        user = user_for_request(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
