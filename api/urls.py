from django.urls import path

from api import views

app_name = "api"

urlpatterns = [
    path("oauth/token", views.token, name="token"),
    path("fhir/", views.bundle, name="bundle"),
    path("fhir/metadata", views.metadata, name="metadata"),
    path("fhir/openapi.json", views.openapi_json, name="openapi"),
    path("fhir/lots/<uuid:pk>", views.lot, name="lot"),
]
