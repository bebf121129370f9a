"""Development mail, readable: the console shows each message as a person reads it (headers and
the plain text, Chinese as Chinese), not the MIME source with a base64 body (issue 14). Only the
development default uses it; production sends by SMTP (settings ``MAILERS``)."""

from django.core.mail.backends.console import EmailBackend


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message):
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            *([f"Cc: {', '.join(message.cc)}"] if message.cc else []),
            f"Subject: {message.subject}",
            "",
            str(message.body),
        ]
        names = [a[0] if isinstance(a, tuple) else a.get_filename() for a in message.attachments]
        if names:
            lines += ["", "Attachments: " + ", ".join(str(n) for n in names)]
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
