from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleWindow(models.Model):
    """How many times one account did one kind of lookup in one window of time.

    Kept in the database, so the limit holds across every app server process.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(_("type de recherche"), max_length=32)
    window_start = models.DateTimeField(_("début de la fenêtre"))
    hits = models.PositiveIntegerField(_("recherches"), default=0)

    class Meta:
        verbose_name = _("compteur de recherches")
        verbose_name_plural = _("compteurs de recherches")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope", "window_start"], name="throttle_one_row_per_window"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.scope} {self.window_start:%H:%M} : {self.hits}"
