"""E-mails as a trio of templates: accounts/emails/<name>-subject.txt, -body.txt, -body.html.

`send` only enqueues: a worker delivers the e-mail (jobs.mail), retrying while the SMTP server
is down. Call it inside the transaction of the change that needs the e-mail.
"""

from django.template.loader import render_to_string

from jobs.mail import enqueue_email


def send(name, *, to, context):
    base = f"accounts/emails/{name}"
    enqueue_email(
        to=to,
        subject=render_to_string(f"{base}-subject.txt", context),
        text=render_to_string(f"{base}-body.txt", context),
        html=render_to_string(f"{base}-body.html", context),
    )
