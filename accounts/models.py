from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class User(AbstractUser):
    """A person who signs in: a health professional (médecin, laboratoire, pharmacie), a
    call-platform agent, an ARS agent or an administrator.

    `username` is an internal, unique identifier; people sign in with their e-mail (when no other
    professional shares it) or the AM / FINESS number of one of their practice places. That is why
    the e-mail is not unique here.
    """

    class Civilite(models.TextChoices):
        DOCTEUR = "Dr", _("Docteur")
        MADAME = "Mme", _("Madame")
        MONSIEUR = "M.", _("Monsieur")

    civilite = models.CharField(_("civilité"), max_length=3, choices=Civilite, blank=True)
    email = models.EmailField(_("adresse e-mail"), blank=True, db_index=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self):
        return self.display_name or self.username

    @property
    def display_name(self):
        """How the header names the person: "Dr Sophie GÉNÉRALISTE"."""
        parts = [self.civilite, self.first_name, self.last_name.upper()]
        return " ".join(part for part in parts if part)

    @cached_property
    def roles(self):
        """The user's roles, read once per request from their groups."""
        if not self.is_authenticated:
            return frozenset()
        names = set(self.groups.values_list("name", flat=True))
        return frozenset(role for role in Role if role.value in names)

    def has_role(self, role):
        return role in self.roles

    @property
    def role(self):
        """The user's main role (one per account in practice), or None."""
        return next((role for role in Role if role in self.roles), None)
