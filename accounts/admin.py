from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "civilite", "first_name", "last_name", "is_active"]
    list_filter = ["groups", "is_active", "is_staff"]
    search_fields = ["username", "email", "last_name"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Professionnel"), {"fields": ["civilite"]}),
    ]
