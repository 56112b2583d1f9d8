"""Jobs of the accounts (run by `manage.py worker`)."""

from django_tasks import task


@task()
def send_password_reset(identifier: str, site_url: str, ip: str | None) -> bool:
    from accounts.services import password_reset_send

    return password_reset_send(identifier=identifier, site_url=site_url, ip=ip)
