from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from django_otp.plugins.otp_totp.models import TOTPDevice

from contactcovid import views

admin.site.site_header = "Contact COVID — administration"
admin.site.site_title = "Contact COVID"
admin.site.index_title = "Référentiels, comptes et journal"
# django-otp's own admin page shows each device's secret key and lets anyone with the admin add a
# device to someone else's account: the second factor is managed on the account's pages only
# (accounts.second_factor). Here, once every app's admin module has registered its models.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # One sign-in page for everyone, with its second factor: the admin's own one sends there.
    path(
        "admin/login/", RedirectView.as_view(url=reverse_lazy("accounts:login"), query_string=True)
    ),  # fmt: skip
    path("admin/", admin.site.urls),
    path("compte/", include("accounts.urls")),
    path("api/", include("api.urls")),
    path("", include("tracing.urls")),
]

# Error pages that never read the request body, nor the database for 500/503 (contactcovid.errors).
handler400 = "contactcovid.errors.bad_request"
handler403 = "contactcovid.errors.permission_denied"
handler404 = "contactcovid.errors.page_not_found"
handler500 = "contactcovid.errors.server_error"
