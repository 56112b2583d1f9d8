from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "tracing/home.html")


def aide(request):
    """The guide's useful links and technical assistance (section 5); open to everyone."""
    return render(request, "tracing/aide.html")
