"""Pro Santé Connect: this service as an OpenID Connect relying party (issue 15).

Authorization code flow with PKCE (S256), `state` and `nonce` kept in the session per flow,
the ID token's signature checked against the provider's published keys (JWKS), its issuer,
audience, expiry and nonce checked, then its `acr` against the level we require (PSC_ACR,
« eidas1 »: CPS card or e-CPS). All of it by Authlib (`authlib.integrations.django_client`),
none of it hand-written; the endpoints and keys come from the provider's discovery document.

`start(request, redirect_uri)` answers the redirect to the provider; `finish(request)` checks
its answer and returns the professional's identifier (RPPS or AM number) from the claims, or
raises `Refused` with the French message to show and the reason for the security journal.
"""

import functools
import re
from dataclasses import dataclass

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from joserfc.errors import JoseError

GENERIC_MESSAGE = (
    "La connexion par Pro Santé Connect n'a pas abouti. Réessayez depuis cette page ; si le "
    "problème continue, connectez-vous avec votre identifiant et votre mot de passe."
)


class Refused(Exception):
    def __init__(self, reason: str, message: str = GENERIC_MESSAGE, identifiant: str = ""):
        super().__init__(reason)
        self.reason, self.message, self.identifiant = reason, message, identifiant


@dataclass(frozen=True)
class Identity:
    identifiant: str  # the RPPS (11 digits) or AM number (9 digits) the provider asserts
    id_token: str  # kept in the session for the provider's logout (id_token_hint)


def enabled() -> bool:
    return bool(settings.PSC_URL and settings.PSC_CLIENT_ID and settings.PSC_CLIENT_SECRET)


@functools.cache
def _client(url, client_id, client_secret, scope, timeout):
    oauth = OAuth()
    return oauth.register(
        name="psc",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{url}/.well-known/openid-configuration",
        client_kwargs={"scope": scope, "code_challenge_method": "S256", "timeout": timeout},
    )


def client():
    """The provider's client, its discovery document and keys fetched once per process."""
    return _client(settings.PSC_URL, settings.PSC_CLIENT_ID, settings.PSC_CLIENT_SECRET,
                   settings.PSC_SCOPE, settings.PSC_TIMEOUT)  # fmt: skip


def forget_provider():
    """Forget the provider's discovery document and keys (its configuration changed)."""
    _client.cache_clear()


def start(request, redirect_uri: str):
    """The redirect to the provider; Authlib keeps state, nonce and the PKCE verifier in the
    session under this flow's state."""
    try:
        return client().authorize_redirect(
            request, redirect_uri, acr_values=settings.PSC_ACR, prompt="login"
        )
    except (requests.RequestException, OAuthError, ValueError) as error:
        forget_provider()
        raise Refused(f"fournisseur injoignable ({type(error).__name__})") from error


def finish(request) -> Identity:
    """Check the provider's answer (state, code, ID token, acr) and read the identifier."""
    if request.GET.get("error"):
        refused = request.GET.get("error")
        if refused == "access_denied":
            raise Refused(
                "annulée par le professionnel", "Connexion par Pro Santé Connect annulée."
            )
        raise Refused(f"erreur du fournisseur : {refused[:60]}")
    try:
        token = client().authorize_access_token(request)
    except MismatchingStateError as error:
        raise Refused("state invalide (réponse qui ne vient pas de cette session)") from error
    except JoseError as error:
        raise Refused(f"jeton d'identité refusé : {type(error).__name__}") from error
    except OAuthError as error:
        raise Refused(f"refus du fournisseur : {error.error}") from error
    except (requests.RequestException, ValueError) as error:
        raise Refused(f"fournisseur injoignable ({type(error).__name__})") from error
    claims = token.get("userinfo")
    if not claims:
        raise Refused("réponse sans jeton d'identité")
    if claims.get("acr") != settings.PSC_ACR:
        raise Refused(
            f"niveau d'authentification insuffisant ({str(claims.get('acr'))[:20]})",
            "Pro Santé Connect n'a pas confirmé une authentification forte (carte CPS ou "
            "application e-CPS) : connectez-vous avec votre carte CPS ou l'application e-CPS.",
        )
    try:
        info = client().userinfo(token=token)
    except (requests.RequestException, OAuthError, ValueError) as error:
        raise Refused(
            f"informations du professionnel indisponibles ({type(error).__name__})"
        ) from error
    if info.get("sub") != claims.get("sub"):
        raise Refused("informations d'un autre professionnel que le jeton d'identité")
    identifiant = _identifiant({**claims, **info})
    if not identifiant:
        raise Refused(
            "aucun n° RPPS ni n° AM dans la réponse",
            "Pro Santé Connect n'a pas transmis votre numéro RPPS : votre compte ne peut pas "
            "être retrouvé.",
        )
    return Identity(identifiant=identifiant, id_token=token.get("id_token", ""))


def _identifiant(claims) -> str:
    """The first configured claim holding an RPPS (11 digits, or 12 with PSC's leading type
    digit « 8 ») or an AM number (9 digits)."""
    for name in settings.PSC_CLAIMS:
        value = re.sub(r"\s", "", str(claims.get(name) or ""))
        if re.fullmatch(r"8[0-9]{11}", value):
            return value[1:]
        if re.fullmatch(r"[0-9]{11}|[0-9]{9}", value):
            return value
    return ""


def logout_url(id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None without a provider."""
    if not enabled() or not id_token:
        return None
    try:
        return client().create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token
        )["url"]
    except (requests.RequestException, RuntimeError, ValueError):
        return None
