from fiches.audit import AuditLog  # noqa: F401 (registers the model with the app)
