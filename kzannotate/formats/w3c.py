"""W3C Web Annotation (JSON-LD): one AnnotationCollection whose first page holds every annotation.

Each annotation targets its source (``urn:uuid:<source id>``) with a TextQuoteSelector (exact, prefix,
suffix) and a TextPositionSelector (code points, end exclusive — the model's own unit). Bodies:

- actors: SpecificResource, purpose ``identifying``, source ``{id: urn:uuid:<actor>, label: name}``;
- theories: SpecificResource, purpose ``classifying``, with ``stance`` (supports/contradicts/neutral);
- the Admiralty rating: TextualBody, purpose ``assessing``, value ``B2`` plus ``reliability`` and
  ``credibility``;
- the note: TextualBody, purpose ``commenting``.

``stance``, ``reliability``, ``reliabilityFrom`` and ``credibility`` are defined in a small extra context
next to the standard one, so JSON-LD processors expand them to our vocabulary IRIs.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from kzannotate import __version__
from kzannotate.formats.atomic import atomic_output
from kzannotate.formats.common import AnnotationRecord, ExportContext, Progress, iri
from kzannotate.store.schema import now_iso

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
VOCAB = "https://kzannotate.org/ns/annotation#"
EXTRA_CONTEXT = {"kz": VOCAB, "stance": "kz:stance", "reliability": "kz:reliability",
                 "reliabilityFrom": "kz:reliabilityFrom", "credibility": "kz:credibility"}
CONTEXT = [ANNO_CONTEXT, EXTRA_CONTEXT]
CONTEXT_CHARS = 32  # prefix/suffix length, code points


def annotation(rec: AnnotationRecord, text: str, generator: dict[str, Any]) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = []
    for actor_id, name in rec.actors:
        bodies.append({"type": "SpecificResource", "purpose": "identifying",
                       "source": {"id": iri(actor_id), "label": name}})
    for t in rec.theories:
        bodies.append({"type": "SpecificResource", "purpose": "classifying",
                       "source": {"id": iri(t.id), "label": t.name}, "stance": t.stance})
    bodies.append({"type": "TextualBody", "purpose": "assessing", "format": "text/plain", "value": rec.rating,
                   "reliability": rec.reliability, "reliabilityFrom": rec.reliability_from,
                   "credibility": rec.credibility})
    if rec.note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "format": "text/plain",
                       "value": rec.note})
    out: dict[str, Any] = {
        "@context": CONTEXT,
        "id": iri(rec.id),
        "type": "Annotation",
        "motivation": "classifying",
        "created": rec.created_at,
        "modified": rec.updated_at,
    }
    if rec.annotator:
        out["creator"] = {"type": "Person", "name": rec.annotator}
    out["generator"] = generator
    out["body"] = bodies
    out["target"] = {
        "source": {"id": iri(rec.source.id), "type": "Text", "format": "text/plain", "label": rec.source.title},
        "selector": [
            {"type": "TextQuoteSelector", "exact": rec.quote,
             "prefix": text[max(0, rec.start - CONTEXT_CHARS):rec.start],
             "suffix": text[rec.end:rec.end + CONTEXT_CHARS]},
            {"type": "TextPositionSelector", "start": rec.start, "end": rec.end},
        ],
    }
    return out


COLLECTION_NAMESPACE = uuid.UUID("3b0d7a51-6a8e-5c1f-9d42-7f3e2c1a9b60")


def project_uuid(ctx: ExportContext) -> uuid.UUID:
    """The project's identity for IRIs: its creation stamp (kept in ``meta``), so the IRI survives moving
    or renaming the file; the file's path only for a project without one."""
    created = ctx.project.get_meta("created_at")
    key = f"created:{created}" if created else f"path:{ctx.project.path.resolve()}"
    return uuid.uuid5(COLLECTION_NAMESPACE, key)


def collection_id(ctx: ExportContext) -> str:
    """``urn:uuid:`` of the collection: the project plus the scope, so a filtered export (some sources, one
    annotator) never reuses the IRI of the whole collection or of another filter; deterministic, so the
    same export made again has the same id (source order does not matter)."""
    scope = ctx.scope
    if scope.source_ids is None and not scope.annotator:
        name = "collection"
    else:
        name = "collection?" + json.dumps(
            {"sources": sorted(set(scope.source_ids)) if scope.source_ids is not None else None,
             "annotator": scope.annotator or None}, sort_keys=True, ensure_ascii=False)
    return f"urn:uuid:{uuid.uuid5(project_uuid(ctx), name)}"


def iter_annotations(ctx: ExportContext, progress: Progress | None = None):
    """(record, annotation dict) pairs, loading each source's text once."""
    generator = {"id": "https://kzannotate.org/", "type": "Software", "name": f"kzannotate {__version__}"}
    current: str | None = None
    text = ""
    for rec in ctx.records(progress):
        if rec.source.id != current:
            current = rec.source.id
            text = ctx.source_text(current)
        yield rec, annotation(rec, text, generator)


def export(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
           **_: Any) -> int:
    """Stream the collection: header, items one by one, footer (no list of all annotations in memory)."""
    n = 0
    dumps = json.JSONEncoder(ensure_ascii=False, indent=None, separators=(", ", ": ")).encode
    coll_id = collection_id(ctx)
    with atomic_output(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("{\n")
        fh.write(f'  "@context": {dumps(CONTEXT)},\n')
        fh.write(f'  "id": {dumps(coll_id)},\n')
        fh.write('  "type": "AnnotationCollection",\n')
        fh.write(f'  "label": {dumps(ctx.project.name)},\n')
        fh.write(f'  "generated": {dumps(now_iso())},\n')
        fh.write(f'  "total": {ctx.total},\n')
        fh.write('  "first": {\n')
        fh.write(f'    "id": {dumps(coll_id + "#page1")},\n')
        fh.write('    "type": "AnnotationPage",\n')
        fh.write('    "startIndex": 0,\n')
        fh.write('    "items": [')
        for _rec, ann in iter_annotations(ctx, progress):
            fh.write(",\n      " if n else "\n      ")
            fh.write(dumps(ann))
            n += 1
        fh.write("\n    ]\n  }\n}\n")
    return n
