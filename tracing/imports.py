"""Import of a list of contacts (issue 13): a CSV or XLSX file (a school class, an EHPAD's staff)
read with the csv module or openpyxl, each line checked like « Saisie rapide », shown before
anything is written; confirmed, a job (`tracing.tasks.import_contacts`) creates the valid lines
in one transaction (`fiches.services.contacts_import`).

Refused with a clear message: files over `MAX_BYTES` or `MAX_LINES` lines, workbooks with macros
(a `vbaProject.bin` inside), formulas (a cell starting with « = »), other formats.
"""

import csv
import io
import zipfile

from django.utils.translation import gettext as _

from fiches.forms import ContactRapideForm
from fiches.identity import departement_from_code_postal, normalize_name

MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 10_000
MAX_UNPACKED_BYTES = 30 * 1024 * 1024
SHOWN_ERRORS = 200
TEMPLATE_CSV = "nom;prénom;téléphone;code postal ou département;même foyer\r\n" \
    "MARTIN;Léa;06 12 34 56 78;75011;non\r\nPETIT;Lucas;;93;oui\r\n"  # fmt: skip
TRUE = {"oui", "o", "x", "1", "vrai", "true", "yes"}


class ImportRefused(Exception):
    """The whole file is refused (format, size, macros, formulas): the message says why."""


def _column(header: str) -> str | None:
    name = normalize_name(str(header or "")).replace("_", " ").strip(" .*:")
    if name.startswith("prenom"):
        return "prenom"
    if name.startswith("nom"):
        return "nom"
    if name.startswith("tel"):
        return "telephone"
    if name.startswith(("code postal", "cp", "depart")):
        return "code_postal"
    if name.startswith("meme foyer") or name == "foyer":
        return "meme_foyer"
    return None


def read(uploaded) -> list[dict]:
    """The file's lines as {column: text}, headers recognised (accents and case aside)."""
    if uploaded.size > MAX_BYTES:
        raise ImportRefused(_("Le fichier dépasse 2 Mo : découpez-le en plusieurs imports."))
    content = uploaded.read()
    name = (uploaded.name or "").lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        table = _xlsx(content)
    elif name.endswith((".csv", ".txt")):
        table = _csv(content)
    else:
        raise ImportRefused(_("Format non reconnu : envoyez un fichier CSV ou XLSX."))
    if not table:
        raise ImportRefused(_("Le fichier est vide."))
    columns = [_column(header) for header in table[0]]
    if "nom" not in columns or "prenom" not in columns:
        raise ImportRefused(
            _(
                "La première ligne doit nommer les colonnes, au moins « nom » et « prénom » "
                "(voir le modèle à télécharger)."
            )  # fmt: skip
        )
    lines = []
    for row in table[1:]:
        values = {col: _text(value) for col, value in zip(columns, row, strict=False) if col}
        if any(values.values()):
            lines.append(values)
    if len(lines) > MAX_LINES:
        raise ImportRefused(
            _("Le fichier compte plus de %(max)s lignes : découpez-le.") % {"max": MAX_LINES}
        )
    return lines


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Semicolon(csv.excel):
    delimiter = ";"


def _csv(content: bytes) -> list[list[str]]:
    text = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise ImportRefused(_("Ce fichier CSV n'est pas lisible : enregistrez-le en UTF-8."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = _Semicolon
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise ImportRefused(_("Ce fichier CSV n'est pas lisible (%s).") % error) from error
    if len(rows) > MAX_LINES + 1:
        raise ImportRefused(
            _("Le fichier compte plus de %(max)s lignes : découpez-le.") % {"max": MAX_LINES}
        )
    _no_formulas(rows)
    return rows


def _xlsx(content: bytes) -> list[list]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if any(e.filename.lower().endswith("vbaproject.bin") for e in entries):
                raise ImportRefused(_("Les classeurs avec macros sont refusés."))
            # A small file may unpack to gigabytes (openpyxl reads the shared strings whole):
            # refuse before reading it.
            if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                raise ImportRefused(_("Ce classeur est trop volumineux une fois décompressé."))
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_LINES + 1:
                raise ImportRefused(
                    _("Le fichier compte plus de %(max)s lignes : découpez-le.")
                    % {"max": MAX_LINES}
                )
        workbook.close()
    except ImportRefused:
        raise
    except Exception as error:  # noqa: BLE001 (any unreadable file gets the same French answer)
        raise ImportRefused(_("Ce fichier XLSX n'est pas lisible.")) from error
    _no_formulas(rows)
    return rows


def _no_formulas(rows) -> None:
    for number, row in enumerate(rows, start=1):
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                raise ImportRefused(
                    _("Ligne %(ligne)s : une formule (« %(valeur)s ») ; les formules sont "
                      "refusées, collez les valeurs.") % {"ligne": number, "valeur": value[:30]}
                )  # fmt: skip


_HORS_REGION = "hors de votre région : ce contact serait suivi par une autre ARS"
_SANS_LIEU = "à renseigner : un contact importé sur un cluster vit dans la région du cluster"


def check(lines: list[dict], origine, *, departements=None) -> tuple[list[dict], list[dict]]:
    """(valid lines as the service takes them, errors per line: number, values, messages).
    With `departements` (an ARS cluster's région), a line must live in one of them: a contact
    elsewhere would be followed by another ARS, out of the agent's sight."""
    valid, errors = [], []
    for number, values in enumerate(lines, start=2):
        data = dict(values)
        data["meme_foyer"] = "on" if data.get("meme_foyer", "").lower() in TRUE else ""
        form = ContactRapideForm(data=data, origine=origine)
        if form.is_valid() and departements is not None:
            departement = departement_from_code_postal(form.domain_data().get("code_postal", ""))
            if departement not in departements:
                form.add_error("code_postal", _HORS_REGION if departement else _SANS_LIEU)
        if form.is_valid():
            valid.append(form.domain_data())
        else:
            messages = [
                f"{form.fields[field].label} : {error}" if field in form.fields else error
                for field, errs in form.errors.items()
                for error in errs
            ]
            errors.append({"ligne": number, "valeurs": values, "messages": messages})
    return valid, errors
