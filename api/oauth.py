"""OAuth 2.0 client credentials (RFC 6749 § 4.4) with Authlib's Django server: a laboratory's
system exchanges its client id and secret for a bearer token valid an hour
(`AUTHLIB_OAUTH2_PROVIDER`), then sends the token with each bundle.

Why this rather than a long-lived API key: the secret crosses the network once an hour, not with
every call; a token that leaks expires by itself; it is what the French health systems' APIs use
(ANS, Assurance Maladie) and every HTTP client library speaks it. Authlib (already the
Pro Santé Connect client) does the protocol; we keep only hashes: the secret's (Argon2, checked
once per token) and each token's SHA-256 (looked up once per call).
"""

from authlib.integrations.django_oauth2 import AuthorizationServer, ResourceProtector
from authlib.integrations.django_oauth2 import BearerTokenValidator as _BearerTokenValidator
from authlib.oauth2.rfc6749 import grants

from api import services
from api.models import ClientAPI, JetonAPI


class ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class Serveur(AuthorizationServer):
    def __init__(self):
        super().__init__(ClientAPI, JetonAPI)
        self.register_grant(ClientCredentials)

    def query_client(self, client_id):
        if "\x00" in str(client_id):  # no text column takes it: not a client of ours
            return None
        return (
            ClientAPI.objects.select_related("compte")
            .filter(client_id=str(client_id)[:48], actif=True)
            .first()
        )

    def save_token(self, token, request):
        return services.token_save(client=request.client, token=token)


class ValidateurJeton(_BearerTokenValidator):
    def authenticate_token(self, token_string):
        return (
            JetonAPI.objects.select_related("client__compte", "client__laboratoire__professionnel")
            .filter(empreinte=services.token_digest(token_string))
            .first()
        )


serveur = Serveur()
protecteur = ResourceProtector()
protecteur.register_token_validator(ValidateurJeton(JetonAPI))
