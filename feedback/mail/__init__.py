"""Feedback email (SPEC section 6): where it comes from (``sources``), how one message is read
(``reading``) and how it becomes a ticket, a reply, or is held back (``intake``)."""

from feedback.mail.sources import ImapSource, MaildirSource, MailSource, Pending, mail_source

__all__ = ["ImapSource", "MailSource", "MaildirSource", "Pending", "mail_source"]
