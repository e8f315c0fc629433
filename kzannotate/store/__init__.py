"""The project file: schema, migrations, transactions and queries. Never imports Qt."""

from kzannotate.store.errors import UserError
from kzannotate.store.models import Actor, Annotation, Change, Source, SourceSummary, Theory
from kzannotate.store.project import PROJECT_SUFFIX, Project

__all__ = ["PROJECT_SUFFIX", "Actor", "Annotation", "Change", "Project", "Source", "SourceSummary", "Theory",
           "UserError"]
