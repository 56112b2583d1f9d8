from django.utils.functional import SimpleLazyObject

from tracing import submissions
from tracing.policy import navigation_for


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "navigation": navigation_for(user) if user is not None else [],
        # The hidden token of a form that creates something (tracing.submissions).
        "soumission": SimpleLazyObject(lambda: submissions.token(request)),
    }
