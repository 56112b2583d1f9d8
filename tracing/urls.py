from django.urls import path

from tracing import views

app_name = "tracing"

urlpatterns = [
    path("", views.home, name="home"),
    path("aide/", views.aide, name="aide"),
]
