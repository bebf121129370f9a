"""The web channel (SPEC section 6): the public feedback form clients fill in without signing in.
The form is ``forms``, its pages ``views``; the write is
``feedback.services.web_form.web_feedback_submit``."""
