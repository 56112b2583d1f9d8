from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control


class ContentSecurityPolicyMiddleware:
    """Send the strict Content-Security-Policy of settings.CONTENT_SECURITY_POLICY on every page.

    Django 5.2 has no CSP support of its own (it arrives in 6.0); this is all we need of it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class ForwardedForMiddleware:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address from X-Forwarded-For.

    Each proxy appends the address it received the request from, so the client is the
    TRUSTED_PROXIES-th address from the right; anything to its left was typed by the client and
    is ignored. Every later reader (security events, audit log) then uses REMOTE_ADDR as is.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = settings.TRUSTED_PROXIES

    def __call__(self, request):
        if self.proxies:
            forwarded = [
                address.strip()
                for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if address.strip()
            ]
            if len(forwarded) >= self.proxies:
                request.META["REMOTE_ADDR"] = forwarded[-self.proxies]
        return self.get_response(request)


class NoStoreMiddleware:
    """Health data is never kept by a browser's or a proxy's cache: every page, PDF and CSV the
    application answers carries `Cache-Control: no-store, private` (and is never cached for
    « back » after sign-out). Static files are answered by WhiteNoise before reaching this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response


class AuditContextMiddleware:
    """Every audit entry written while serving a request carries the client's address, even
    when written by a service that was not given the request (`fiches.audit.client_ip`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from fiches.audit import request_ip

        with request_ip(request.META.get("REMOTE_ADDR")):
            return self.get_response(request)
