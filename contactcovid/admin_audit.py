"""Reads in the admin are reads of health data like any other: audited (issue 12).

`AuditedReadsAdmin` writes one audit entry per object shown on a change page (`admin.viewed`),
and one per list or search page (`admin.listed`: the model, the kind of search typed, the filters,
how many rows and which were shown). The list's rows are read once, for the page itself: the
entry costs one INSERT, no query more.
"""

from django.template.response import TemplateResponse

from fiches.audit import audit_log


class AuditedReadsAdmin:
    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if response.status_code == 200 and original is not None:
            audit_log(actor=request.user, action="admin.viewed", obj=original, request=request)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if not isinstance(response, TemplateResponse) or changelist is None:
            return response
        response.render()  # the rows are read here, once, for the page and for the entry
        shown = [obj.pk for obj in changelist.result_list]
        filters = {key: value for key, value in request.GET.items() if key not in ("q", "p", "o")}
        audit_log(
            actor=request.user,
            action="admin.listed",
            request=request,
            data={
                "modele": changelist.opts.label_lower,
                # What was searched is itself an identity (a NIR, a name): the audit log,
                # kept for good, records its kind and length; the rows shown say the rest.
                "recherche": _kind_of(changelist.query),
                "filtres": filters,
                "nombre": len(shown),
                "objets": shown,
            },
        )
        return response


def _kind_of(query: str) -> str:
    """« NIR (15 caractères) », « texte (6 caractères) », or "" (no search)."""
    compact = "".join(query.split())
    if not compact:
        return ""
    kind = "NIR" if compact.isdigit() or compact[:1].isdigit() else "texte"
    return f"{kind} ({len(compact)} caractères)"
