"""What the API says of itself: the FHIR CapabilityStatement (GET metadata) and an OpenAPI 3
description of the same endpoints (GET openapi.json), which the suite fuzzes with schemathesis."""

from django.urls import reverse
from django.utils import timezone

from api import fhir

BASE_FHIR = "4.0.1"
EXEMPLE_FINESS = "930000017"
# One positive result, its Patient contained in the Observation.
EXEMPLE = {
    "resourceType": "Bundle",
    "type": "batch",
    "entry": [
        {
            "request": {"method": "POST", "url": "Observation"},
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "identifier": [{"system": "urn:oid:1.2.250.1.999.1", "value": "CR-2020-05-000123"}],
                "code": {"coding": [{"system": fhir.LOINC, "code": fhir.LOINC_SARS_COV_2_RNA}]},
                "subject": {"reference": "#p"},
                "effectiveDateTime": "2020-05-12T09:30:00+02:00",
                "performer": [{"identifier": {"system": fhir.FINESS, "value": EXEMPLE_FINESS}}],
                "valueCodeableConcept": {"coding": [{"system": fhir.SNOMED, "code": "10828004"}]},
                "contained": [
                    {
                        "resourceType": "Patient",
                        "id": "p",
                        "identifier": [{"system": fhir.INS_NIR, "value": "185057800608491"}],
                        "name": [{"use": "official", "family": "MARTIN", "given": ["Léa"]}],
                        "birthDate": "1985-05-12",
                        "telecom": [{"system": "phone", "value": "06 12 34 56 78"}],
                        "address": [
                            {
                                "line": ["12 rue de Paris"],
                                "postalCode": "93100",
                                "city": "Montreuil",
                            }
                        ],
                    }
                ],
            },
        }
    ],
}


def capability_statement(request) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.localdate().isoformat(),
        "publisher": "Contact COVID",
        "kind": "instance",
        "software": {"name": "Contact COVID"},
        "implementation": {
            "description": "Résultats RT-PCR SARS-CoV-2 des laboratoires vers Contact COVID",
            "url": request.build_absolute_uri(reverse("api:bundle")),
        },
        "fhirVersion": BASE_FHIR,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Un Bundle batch ou transaction de résultats : chacun une Observation "
                    f"(LOINC {fhir.LOINC_SARS_COV_2_RNA}, SNOMED CT 10828004 positif / 260385009 "
                    "négatif, effectiveDateTime, performer = FINESS du laboratoire, identifier "
                    "unique) et le Patient qu'elle désigne (INS-NIR "
                    f"{fhir.INS_NIR}, nom, prénom, date de naissance, téléphone, adresse). "
                    "Au-delà de 1 000 entrées, ou avec « Prefer: respond-async », réponse 202 "
                    "et URL de suivi (Content-Location)."
                ),
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/"
                                    "restful-security-service",
                                    "code": "OAuth",
                                }
                            ]
                        }
                    ],
                    "description": "OAuth 2.0 client_credentials : jeton Bearer obtenu à "
                    + request.build_absolute_uri(reverse("api:token")),
                },
                "resource": [
                    {"type": "Patient", "interaction": [{"code": "create"}]},
                    {"type": "Observation", "interaction": [{"code": "create"}]},
                ],
                "interaction": [{"code": "batch"}, {"code": "transaction"}],
            }
        ],
    }


def _codage(system: str, codes: list[str]) -> dict:
    """A CodeableConcept whose codings are of `system`, among `codes`."""
    return {
        "type": "object",
        "required": ["coding"],
        "properties": {
            "coding": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["system", "code"],
                    "properties": {
                        "system": {"type": "string", "enum": [system]},
                        "code": {"type": "string", "enum": codes},
                    },
                },
            }
        },
    }


def openapi(request) -> dict:
    outcome = {"$ref": "#/components/schemas/OperationOutcome"}
    json_outcome = {"application/fhir+json": {"schema": outcome}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Contact COVID — résultats des laboratoires (FHIR R4)",
            "version": "1.0",
        },
        "paths": {
            "/api/fhir/": {
                "post": {
                    "operationId": "envoyerBundle",
                    "security": [{"oauth2": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/fhir+json": {
                                "schema": {"$ref": "#/components/schemas/Bundle"},
                                "example": EXEMPLE,
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Bundle batch-response ou transaction-response",
                            "content": {
                                "application/fhir+json": {
                                    "schema": {"$ref": "#/components/schemas/BundleReponse"}
                                }
                            },
                        },
                        "202": {
                            "description": "Accepté, traité en tâche de fond",
                            "content": json_outcome,
                        },
                        "400": {"description": "Requête invalide", "content": json_outcome},
                        "401": {"description": "Jeton absent ou expiré", "content": json_outcome},
                        "403": {
                            "description": "FINESS d'un autre laboratoire",
                            "content": json_outcome,
                        },
                        "409": {
                            "description": "Identifiant déjà reçu, autre contenu",
                            "content": json_outcome,
                        },
                        "413": {"description": "Bundle trop volumineux", "content": json_outcome},
                        "415": {"description": "Pas du JSON", "content": json_outcome},
                        "422": {"description": "Résultat refusé", "content": json_outcome},
                        "429": {"description": "Trop d'envois", "content": json_outcome},
                    },
                }
            },
            "/api/fhir/metadata": {
                "get": {
                    "operationId": "capacites",
                    "responses": {
                        "200": {
                            "description": "CapabilityStatement",
                            "content": {"application/fhir+json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {"tokenUrl": reverse("api:token"), "scopes": {}}
                    },
                }
            },
            "schemas": {
                # A FHIR string: no leading or trailing white space, never empty.
                "Texte": {"type": "string", "pattern": "^\\S+( \\S+)*$"},
                "Bundle": {
                    "type": "object",
                    "required": ["resourceType", "type", "entry"],
                    "properties": {
                        "resourceType": {"type": "string", "enum": ["Bundle"]},
                        "type": {"type": "string", "enum": list(fhir.TYPES)},
                        "entry": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/BundleEntry"},
                        },
                    },
                },
                "BundleEntry": {
                    "type": "object",
                    "required": ["resource"],
                    "properties": {
                        "fullUrl": {"type": "string"},
                        "resource": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/Patient"},
                                {"$ref": "#/components/schemas/Observation"},
                            ]
                        },
                        "request": {
                            "type": "object",
                            "required": ["method", "url"],
                            "properties": {
                                "method": {"type": "string", "enum": ["POST"]},
                                "url": {"type": "string"},
                            },
                        },
                    },
                },
                "Identifier": {
                    "type": "object",
                    "required": ["system", "value"],
                    "properties": {
                        "system": {"$ref": "#/components/schemas/Texte"},
                        "value": {"$ref": "#/components/schemas/Texte"},
                    },
                },
                "Coding": {
                    "type": "object",
                    "properties": {"system": {"type": "string"}, "code": {"type": "string"}},
                },
                "Patient": {
                    "type": "object",
                    "required": ["resourceType"],
                    "properties": {
                        "resourceType": {"type": "string", "enum": ["Patient"]},
                        "id": {"type": "string"},
                        "identifier": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Identifier"},
                        },
                        "name": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["family", "given"],
                                "properties": {
                                    "use": {"type": "string", "enum": ["official", "usual"]},
                                    "family": {"$ref": "#/components/schemas/Texte"},
                                    "given": {
                                        "type": "array",
                                        "minItems": 1,
                                        "items": {"$ref": "#/components/schemas/Texte"},
                                    },
                                },
                            },
                        },
                        "birthDate": {"type": "string", "format": "date"},
                        "gender": {"type": "string"},
                        "telecom": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "system": {"type": "string", "enum": ["phone", "email"]},
                                    "value": {"$ref": "#/components/schemas/Texte"},
                                },
                            },
                        },
                        "address": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "line": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Texte"},
                                    },
                                    "postalCode": {"$ref": "#/components/schemas/Texte"},
                                    "city": {"$ref": "#/components/schemas/Texte"},
                                },
                            },
                        },
                    },
                },
                "Observation": {
                    "type": "object",
                    "required": [
                        "resourceType",
                        "status",
                        "code",
                        "identifier",
                        "subject",
                        "effectiveDateTime",
                        "performer",
                        "valueCodeableConcept",
                    ],
                    "properties": {
                        "resourceType": {"type": "string", "enum": ["Observation"]},
                        "status": {
                            "type": "string",
                            "enum": [*fhir.STATUTS_VALIDES, "preliminary"],
                        },
                        "identifier": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"$ref": "#/components/schemas/Identifier"},
                        },
                        "code": _codage(fhir.LOINC, [fhir.LOINC_SARS_COV_2_RNA]),
                        "subject": {
                            "type": "object",
                            "required": ["reference"],
                            "properties": {
                                "reference": {
                                    "type": "string",
                                    "description": "fullUrl d'une entrée Patient, ou #id d'un "
                                    "Patient contenu",
                                }
                            },
                        },
                        "contained": {
                            "type": "array",
                            "maxItems": 1,
                            "items": {"$ref": "#/components/schemas/Patient"},
                        },
                        "effectiveDateTime": {"type": "string", "format": "date-time"},
                        "performer": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["identifier"],
                                "properties": {
                                    "identifier": {
                                        "type": "object",
                                        "required": ["system", "value"],
                                        "properties": {
                                            "system": {"type": "string", "enum": [fhir.FINESS]},
                                            "value": {"type": "string", "pattern": "^[0-9]{9}$"},
                                        },
                                    }
                                },
                            },
                        },
                        "valueCodeableConcept": _codage(
                            fhir.SNOMED, [*fhir.SNOMED_RESULTATS, "419984006"]
                        ),
                    },
                },
                "OperationOutcome": {
                    "type": "object",
                    "required": ["resourceType", "issue"],
                    "properties": {
                        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
                        "issue": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "BundleReponse": {
                    "type": "object",
                    "required": ["resourceType", "type", "entry"],
                    "properties": {
                        "resourceType": {"type": "string", "enum": ["Bundle"]},
                        "type": {
                            "type": "string",
                            "enum": ["batch-response", "transaction-response"],
                        },
                        "entry": {"type": "array"},
                    },
                },
            },
        },
    }
