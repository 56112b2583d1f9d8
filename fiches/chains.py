"""Transmission chains (issue 13): from a patient zéro down — its contacts, the contacts who
became patients zéro, their contacts, and so on — read with one recursive query and laid out
by generation for an SVG tree.

Bounded: `MAX_DEPTH` generations, `MAX_CHILDREN` children drawn per person (« … n autres »
beyond), `MAX_NODES` in all. The recursive query follows the index on `origine`
(`fiche_origine_created`) and stops at the limit: a 10,000-person chain costs the nodes drawn,
not the chain. Who may open which node is decided by the caller's scope (`tracing.policy`): a
node outside it is drawn without identity.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

from fiches.models import Fiche
from fiches.statuses import Statut

MAX_DEPTH = 6
MAX_CHILDREN = 25
MAX_NODES = 300

COLUMN = 230  # px between generations
ROW = 34  # px between lines
BOX_WIDTH = 200
BOX_HEIGHT = 26


@dataclass
class Node:
    pk: int | None
    depth: int
    label: str
    statut: str = ""
    statut_label: str = ""
    visible: bool = False
    is_patient_zero: bool = False
    more: int = 0  # a « … n autres » node
    children: list = field(default_factory=list)
    x: int = 0
    y: int = 0

    @property
    def css(self):
        if self.more:
            return "noeud-plus"
        return f"noeud-{self.statut.replace('_', '-')}" if self.statut else "noeud-inconnu"


@dataclass
class Chain:
    root: Node
    nodes: list
    edges: list
    width: int
    height: int
    truncated: bool


def _descendants(root_pks: list[int], limit: int, *, first_depth: int = 0):
    """(id, origine_id, depth), breadth-first, at most `limit` rows: one recursive query."""
    table = connection.ops.quote_name(Fiche._meta.db_table)
    roots = ", ".join(["%s"] * len(root_pks))
    sql = f"""
        WITH RECURSIVE chaine(id, origine_id, profondeur) AS (
            SELECT id, origine_id, {int(first_depth)} FROM {table} WHERE id IN ({roots})
            UNION ALL
            SELECT f.id, f.origine_id, c.profondeur + 1
            FROM {table} f JOIN chaine c ON f.origine_id = c.id
            WHERE c.profondeur < %s
        )
        SELECT id, origine_id, profondeur FROM chaine ORDER BY profondeur, id LIMIT %s
    """  # noqa: S608 (the table name is ours; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*root_pks, MAX_DEPTH, limit])
        return cursor.fetchall()


def chain_of(root: Fiche, visible: QuerySet[Fiche]) -> Chain:
    """The chain below `root`, laid out; `visible` is the viewer's scope. Three queries: the
    recursive walk, the nodes' columns, the viewer's visible ids among them."""
    return _chain([root.pk], visible)


MAX_ROOTS = 50


def chain_of_cluster(cluster, visible: QuerySet[Fiche]) -> Chain | None:
    """An ARS cluster's chains: the fiches linked to it (at most `MAX_ROOTS`) and what followed
    each, under one node for the cluster. Same three queries, plus the cluster's fiches."""
    root_pks = list(cluster.fiches.order_by("created_at", "id").values_list("pk", flat=True))
    if not root_pks:
        return None
    top = Node(pk=None, depth=0, label=cluster.nom)
    return _chain(root_pks[:MAX_ROOTS], visible, top=top)


def _chain(root_pks: list[int], visible: QuerySet[Fiche], *, top: Node | None = None) -> Chain:
    rows = _descendants(root_pks, MAX_NODES + 1, first_depth=1 if top else 0)
    truncated = len(rows) > MAX_NODES
    rows = rows[:MAX_NODES]
    ids = [pk for pk, _origine, _depth in rows]
    fiches = {
        f.pk: f
        for f in Fiche.objects.filter(pk__in=ids).only("id", "nom", "prenom", "nature", "statut")
    }
    allowed = set(visible.filter(pk__in=ids).values_list("pk", flat=True))
    nodes: dict[int, Node] = {}
    for pk, origine, depth in rows:
        if pk in nodes:
            continue  # reached twice (a linked fiche below another one): drawn once
        fiche = fiches[pk]
        seen = pk in allowed
        node = Node(
            pk=pk,
            depth=depth,
            label=(fiche.nom_complet or f"Fiche n° {pk}") if seen else _hidden_label(fiche),
            statut=fiche.statut,
            statut_label=Statut(fiche.statut).label,
            visible=seen,
            is_patient_zero=fiche.is_patient_zero,
        )
        nodes[pk] = node
        if origine in nodes and nodes[origine].depth == depth - 1:
            nodes[origine].children.append(node)
        elif top is not None and pk in root_pks:
            top.children.append(node)
    tree = top if top is not None else nodes[root_pks[0]]
    _bound_width(tree)
    drawn, edges = _layout(tree)
    return Chain(
        root=tree,
        nodes=drawn,
        edges=edges,
        width=(max(n.depth for n in drawn) + 1) * COLUMN,
        height=max(n.y for n in drawn) + ROW,
        truncated=truncated,
    )


def _hidden_label(fiche: Fiche) -> str:
    kind = "Patient zéro" if fiche.is_patient_zero else "Contact"
    return f"{kind} suivi ailleurs"  # by another doctor or caisse: no identity here


def _bound_width(node: Node) -> None:
    if len(node.children) > MAX_CHILDREN:
        hidden = len(node.children) - MAX_CHILDREN
        node.children = node.children[:MAX_CHILDREN]
        node.children.append(
            Node(pk=None, depth=node.depth + 1, label=f"… {hidden} autres", more=hidden)
        )
    for child in node.children:
        _bound_width(child)


def _layout(root: Node) -> tuple[list[Node], list[str]]:
    """Generations as columns; each person on its own line, in depth-first order (a parent on
    the line of its first child): simple, readable, no crossing."""
    drawn, edges = [], []
    line = 0

    def place(node):
        nonlocal line
        node.x = node.depth * COLUMN
        node.y = line * ROW
        drawn.append(node)
        if not node.children:
            line += 1
        for child in node.children:
            place(child)
            x1, y1 = node.x + BOX_WIDTH, node.y + BOX_HEIGHT // 2
            x2, y2 = child.x, child.y + BOX_HEIGHT // 2
            middle = x1 + (x2 - x1) // 2
            edges.append(f"M{x1},{y1} H{middle} V{y2} H{x2}")

    place(root)
    return drawn, edges
