"""The laboratories' FHIR API (issue 16): machine to machine, no browser session.

These are the only views exempt from CSRF: they read no cookie, only the bearer token of the
`Authorization` header (`api.oauth`), and answer FHIR JSON (`application/fhir+json`), errors
included, as an OperationOutcome with a French diagnostic.
"""

import base64
import json
import logging
from urllib.parse import unquote

from authlib.oauth2 import OAuth2Error
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from api import fhir, services
from api.models import SCOPE
from api.oauth import protecteur, serveur
from api.openapi import capability_statement, openapi
from tracing import policy
from tracing.throttle import throttle_hit

logger = logging.getLogger(__name__)
FHIR_JSON = "application/fhir+json; charset=utf-8"


def _reponse(corps, status=200, **headers):
    response = HttpResponse(
        json.dumps(corps, ensure_ascii=False, default=str), status=status, content_type=FHIR_JSON
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _erreur(status, code, message, expression="", **headers):
    probleme = fhir.Probleme(code, message, expression or "Bundle")
    return _reponse(fhir.operation_outcome([probleme]), status, **headers)


class CaractereNul(ValueError):
    pass


def _refuser_constante(name):
    raise ValueError(name)


def lire_json(raw: bytes):
    """JSON as FHIR takes it: no NaN or Infinity (Python's json accepts them; FHIR and
    PostgreSQL's jsonb do not), no NUL character (no text column stores it)."""
    text = raw.decode("utf-8")
    if "\x00" in text or "\\u0000" in text.lower():
        raise CaractereNul
    return json.loads(text, parse_constant=_refuser_constante)


def _client(request):
    """The API client of the call's bearer token, or the 401 answer."""
    try:
        jeton = protecteur.acquire_token(request, scopes=[SCOPE])
    except OAuth2Error:
        jeton = None
    if jeton is None or not jeton.client.actif:
        return None, _erreur(
            401, "login",
            _("Jeton d'accès absent, expiré ou révoqué : demandez-en un à %s (OAuth 2.0, "
              "client_credentials), puis envoyez-le dans l'en-tête « Authorization: Bearer ».")
            % request.build_absolute_uri(reverse("api:token")),
            WWW_Authenticate='Bearer realm="contact-covid", error="invalid_token"',
        )  # fmt: skip
    return jeton.client, None


@csrf_exempt
@require_POST
def token(request):
    """OAuth 2.0 token endpoint (client_credentials only). Each client may ask
    `FHIR_JETONS_PAR_MINUTE` times a minute (a token lasts an hour): checking a secret costs an
    Argon2 hash, which must not become a way to exhaust the servers."""
    client = _client_nomme(request)
    if client is not None:
        limite = throttle_hit(user=client.compte, scope="api_jeton",
                              limit=settings.FHIR_JETONS_PAR_MINUTE)  # fmt: skip
        if not limite.allowed:
            response = HttpResponse(
                json.dumps({"error": "slow_down", "error_description": "Trop de demandes de "
                            f"jeton : réessayez dans {limite.delay_text}."}, ensure_ascii=False),
                status=429, content_type="application/json",
            )  # fmt: skip
            response["Retry-After"] = str(limite.retry_after_seconds)
            return response
    return serveur.create_token_response(request)


def _client_nomme(request):
    """The active client a token request names (HTTP Basic or form), without checking its
    secret; None if it names none."""
    client_id = request.POST.get("client_id", "")
    auth = request.headers.get("Authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            client_id = base64.b64decode(auth[6:], validate=True).decode().split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            return None
    return serveur.query_client(unquote(client_id)) if client_id else None


@require_GET
def metadata(request):
    return _reponse(capability_statement(request))


@require_GET
def openapi_json(request):
    return HttpResponse(
        json.dumps(openapi(request), ensure_ascii=False), content_type="application/json"
    )


@csrf_exempt
def bundle(request):
    """POST a Bundle (batch or transaction) of RT-PCR results."""
    if request.method != "POST":
        message = _("Seul POST est accepté ici (les métadonnées : GET metadata).")
        return _erreur(405, "not-supported", message, Allow="POST")
    client, refus = _client(request)
    if refus is not None:
        return refus
    limite = throttle_hit(user=client.compte, scope="api_fhir",
                          limit=settings.FHIR_APPELS_PAR_MINUTE)  # fmt: skip
    if not limite.allowed:
        return _erreur(
            429, "throttled",
            _("Trop d'envois : %(n)s par minute au plus pour un client. Réessayez dans "
              "%(delai)s.") % {"n": settings.FHIR_APPELS_PAR_MINUTE, "delai": limite.delay_text},
            Retry_After=str(limite.retry_after_seconds),
        )  # fmt: skip
    type_contenu = request.content_type or ""
    if type_contenu not in ("application/fhir+json", "application/json"):
        return _erreur(
            415,
            "not-supported",
            _("Envoyez le Bundle en JSON (Content-Type: application/fhir+json)."),
        )
    try:
        taille = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        taille = 0
    if taille > settings.FHIR_MAX_OCTETS:
        return _erreur(413, "too-costly",
                       _("Bundle trop volumineux (%(max)s Mo au plus) : découpez-le.")
                       % {"max": settings.FHIR_MAX_OCTETS // 1_000_000})  # fmt: skip
    try:
        # Not `request.body`: its 2.5 MB limit is the forms' (a bundle of 1,000 results is more).
        document = lire_json(request.read(settings.FHIR_MAX_OCTETS + 1))
    except CaractereNul:
        message = _("Le Bundle contient un caractère nul (\\u0000) : retirez-le.")
        return _erreur(400, "structure", message)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _erreur(400, "structure", _("Le corps de la requête n'est pas du JSON valide."))
    try:
        bilan, lot = services.bundle_recevoir(
            client=client, document=document, prefer=request.headers.get("Prefer", "")
        )
    except (OperationalError, InterfaceError):
        logger.exception("Base de données indisponible pendant un envoi FHIR")
        return _erreur(503, "transient",
                       _("Service momentanément indisponible : rien n'a été perdu de ce qui a "
                         "été accusé ; renvoyez le Bundle dans une minute (les résultats déjà "
                         "enregistrés seront reconnus)."), Retry_After="60")  # fmt: skip
    if lot is not None:
        url = request.build_absolute_uri(reverse("api:lot", args=[lot.pk]))
        message = _("Bundle de %(n)s entrées accepté : suivez son traitement à %(url)s.") % {
            "n": lot.entrees, "url": url}  # fmt: skip
        return _reponse(fhir.information(message, "Bundle"), 202, Content_Location=url)
    return _reponse(bilan.corps, bilan.statut)


@require_GET
def lot(request, pk):
    """The status URL of a bundle accepted with 202: 202 while it waits, then its answer."""
    client, refus = _client(request)
    if refus is not None:
        return refus
    found = policy.lot_of_client(client, pk)
    if found is None:
        return _erreur(404, "not-found", _("Lot inconnu."))
    if found.etat == found.Etat.EN_ATTENTE:
        return _reponse(fhir.information(_("Lot en cours de traitement."), "Bundle"), 202,
                        Retry_After="5", X_Progress=_("en cours"))  # fmt: skip
    if found.etat == found.Etat.ECHEC:
        message = _(
            "Le traitement de ce lot a échoué : renvoyez le Bundle ; les résultats déjà "
            "enregistrés seront reconnus et pas enregistrés deux fois."
        )
        return _erreur(500, "exception", message)
    return _reponse(found.reponse, found.statut_http)
