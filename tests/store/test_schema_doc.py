"""docs/schema.md is a public interface: it must describe exactly the tables and columns schema.py makes."""

from __future__ import annotations

import re
from pathlib import Path

from kzannotate.store import Project
from kzannotate.store.schema import APPLICATION_ID, SCHEMA_VERSION

DOC = Path(__file__).parent.parent.parent / "docs" / "schema.md"
DOCUMENTED = ("sources", "actors", "theories", "annotations", "annotation_actors", "annotation_theories", "meta",
              "annotations_view")


def documented_columns() -> dict[str, set[str]]:
    """For each ``### `name``` or ``## The view `name``` section, the backticked names in its table's first column."""
    sections: dict[str, set[str]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^#{2,3} .*?`(\w+)`", line)
        if heading:
            current = heading.group(1)
            sections[current] = set()
        elif line.startswith("#"):
            current = None
        elif current and line.startswith("| `"):
            first_cell = line.split("|")[1]
            sections[current].update(re.findall(r"`(\w+)`", first_cell))
    return sections


def test_every_column_is_documented_and_nothing_else(project: Project) -> None:
    documented = documented_columns()
    for table in DOCUMENTED:
        actual = {r[1] for r in project.conn.execute(f"PRAGMA table_info({table})")}
        assert actual, table
        assert documented.get(table) == actual, f"docs/schema.md is out of step for {table}"


def test_no_undocumented_tables(project: Project) -> None:
    names = {r[0] for r in project.conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")}
    text = DOC.read_text(encoding="utf-8")
    for name in names:
        assert f"`{name}`" in text, f"{name} is not in docs/schema.md"


def test_pragmas_in_the_doc_match() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f"`{APPLICATION_ID}` (`0x{APPLICATION_ID:08X}`" in text
    assert f"| `PRAGMA user_version` | `{SCHEMA_VERSION}` |" in text
    assert f"describes version **{SCHEMA_VERSION}**" in text
