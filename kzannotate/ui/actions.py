"""Every QAction and shortcut of the window, declared in one table.

Features look actions up by name (``window.actions["annotate"]``) and connect them; Help › Keyboard
Shortcuts is generated from this table, so it never goes stale.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

Std = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    menu: str  # menu key, see MENUS; "" = not in a menu (toolbar or widget only)
    shortcut: Std | str | None = None
    tip: str = ""
    checkable: bool = False
    separator_before: bool = False
    extra: tuple[str, ...] = ()  # more keys for the same action, after the standard one (e.g. Ctrl+=)


MENUS = (("file", "&File"), ("edit", "&Edit"), ("view", "&View"), ("annotate", "&Annotate"),
         ("codebook", "&Codebook"), ("analysis", "A&nalysis"), ("help", "&Help"))

SPECS: list[ActionSpec] = [
    # File
    ActionSpec("new_project", "&New Project…", "file", Std.New, "Create a new, empty project file"),
    ActionSpec("open_project", "&Open Project…", "file", Std.Open, "Open a project file (.kza)"),
    ActionSpec("save_copy", "Save a &Copy As…", "file", Std.SaveAs, "Write a consistent copy of the project",
               separator_before=True),
    ActionSpec("restore_backup", "Restore from &Backup…", "file", None,
               "Bring back an earlier state of this project from its automatic backups"),
    ActionSpec("import_sources", "&Import Sources…", "file", "Ctrl+I",
               "Add text, Markdown or saved web pages as sources", separator_before=True),
    ActionSpec("import_refi", "Import REFI-QDA &Project…", "file", None,
               "Bring in sources, codes and codings from NVivo, ATLAS.ti, MAXQDA or QualCoder (.qdpx)"),
    ActionSpec("merge_project", "&Merge Project…", "file", None,
               "Bring in another analyst's project file; edits made in both keep the newer"),
    ActionSpec("export", "&Export…", "file", "Ctrl+Shift+E",
               "Write the annotations as CSV, JSON Lines, W3C, REFI-QDA, a report or a database copy",
               separator_before=True),
    ActionSpec("quit", "&Quit", "file", Std.Quit, "Close the window (everything is already saved)",
               separator_before=True),
    # Edit
    ActionSpec("undo", "&Undo", "edit", Std.Undo, "Undo the last change"),
    ActionSpec("redo", "&Redo", "edit", Std.Redo, "Redo the change just undone", extra=("Ctrl+Shift+Z",)),
    ActionSpec("edit_source", "Source &Details…", "edit", "Ctrl+Shift+D",
               "Edit the open source's title, outlet, date and reliability letter", separator_before=True),
    ActionSpec("find", "&Find in Source…", "edit", Std.Find, "Find text in the open source",
               separator_before=True),
    ActionSpec("find_next", "Find &Next", "edit", Std.FindNext),
    ActionSpec("find_previous", "Find Pre&vious", "edit", Std.FindPrevious),
    ActionSpec("preferences", "&Preferences…", "edit", Std.Preferences,
               "Your annotator name and the size limit for imported files", separator_before=True),
    # View
    ActionSpec("zoom_in", "Zoom &In", "view", Std.ZoomIn, "Larger text in the reader", extra=("Ctrl+=",)),
    ActionSpec("zoom_out", "Zoom &Out", "view", Std.ZoomOut, "Smaller text in the reader"),
    ActionSpec("zoom_reset", "&Reset Zoom", "view", "Ctrl+0"),
    ActionSpec("show_sources", "&Sources", "view", None, "Show the list of sources (left)", checkable=True,
               separator_before=True),
    ActionSpec("show_codebook", "&Codebook", "view", "Ctrl+Shift+K", "Show the actors and theories dock",
               checkable=True),
    ActionSpec("show_mentions", "Unlinked &Mentions", "view", "Ctrl+Shift+M",
               "Underline (dotted) names and aliases of actors that no annotation links yet", checkable=True),
    ActionSpec("show_repeats", "Repeated &Passages", "view", None,
               "Mark passages that repeat elsewhere (in the margin), so evidence is not counted twice",
               checkable=True),
    ActionSpec("reset_layout", "Reset &Layout", "view", None,
               "Put the sources, reader, panel and docks back where they were at first start",
               separator_before=True),
    # Annotate
    ActionSpec("annotate", "&Annotate Selection", "annotate", "Ctrl+Return",
               "Save the selected text as an annotation with the panel's actors, theories and rating"),
    ActionSpec("delete_annotation", "&Delete Annotation", "annotate", Std.Delete,
               "Delete the selected annotation"),
    ActionSpec("previous_annotation", "&Previous Annotation", "annotate", "Alt+Up",
               "Select the annotation before this one", separator_before=True),
    ActionSpec("next_annotation", "&Next Annotation", "annotate", "Alt+Down",
               "Select the annotation after this one"),
    ActionSpec("color_by_theory", "Colour by &Theory", "annotate", None,
               "Highlight annotations in the colour of their theory", checkable=True, separator_before=True),
    ActionSpec("color_by_actor", "Colour by A&ctor", "annotate", None,
               "Highlight annotations in the colour of their actor", checkable=True),
    ActionSpec("color_by_reliability", "Colour by &Reliability", "annotate", None,
               "Highlight annotations by their Admiralty reliability letter (A green … E red)", checkable=True),
    ActionSpec("snap_to_words", "&Snap Selection to Words", "annotate", None,
               "Extend selections to whole words", checkable=True, separator_before=True),
    # Codebook
    ActionSpec("new_actor", "New &Actor…", "codebook", None, "Add a person, organisation, state or group"),
    ActionSpec("new_theory", "New &Theory…", "codebook", None, "Add a theory (an explanation to weigh)"),
    ActionSpec("edit_code", "&Edit…", "codebook", None, "Rename, recolour or edit the selected actor or theory",
               separator_before=True),
    ActionSpec("merge_codes", "&Merge…", "codebook", None,
               "Merge actors or theories entered twice: links move to the one kept, aliases are united"),
    ActionSpec("delete_code", "&Delete", "codebook", None, "Delete the selected actor or theory"),
    ActionSpec("annotate_mentions", "Annotate All Mentions of Actor…", "codebook", None,
               "Link every unlinked mention of the selected actor, in this source or in all sources",
               separator_before=True),
    ActionSpec("import_codebook", "&Import Codebook…", "codebook", None,
               "Add actors and theories from a kzannotate codebook (.json)", separator_before=True),
    ActionSpec("export_codebook", "E&xport Codebook…", "codebook", None,
               "Write the actors and theories to a kzannotate codebook (.json)"),
    # Analysis
    ActionSpec("search_all", "&Search All Sources…", "analysis", "Ctrl+Shift+F",
               "Full-text search across every source"),
    ActionSpec("show_annotation_browser", "&Annotation Browser", "analysis", "Ctrl+Alt+1",
               "Every annotation across sources, filtered and sorted", separator_before=True),
    ActionSpec("show_matrix", "Actor × &Theory Matrix", "analysis", "Ctrl+Alt+2",
               "Who is linked to which theory, and with what stance"),
    ActionSpec("show_ach", "Theory &Assessment (ACH)", "analysis", "Ctrl+Alt+3",
               "Rank theories by weighted inconsistent evidence (Heuer's ACH)"),
    ActionSpec("show_sources_overview", "Sources &Overview", "analysis", "Ctrl+Alt+4",
               "Sources by reliability and date, and the theories each supports or contradicts"),
    # Help
    ActionSpec("shortcuts", "&Keyboard Shortcuts", "help", Std.HelpContents, "List every shortcut"),
    ActionSpec("about", "&About kzannotate", "help", None),
]


def spec(name: str) -> ActionSpec:
    for s in SPECS:
        if s.name == name:
            return s
    raise KeyError(name)


# Standard keys that some platforms leave unbound (Windows has no Quit key): use the common key there.
FALLBACK_KEYS: dict[Std, str] = {Std.Quit: "Ctrl+Q", Std.Preferences: "Ctrl+,"}


def _platform_key(shortcut: Std | str) -> Std | str:
    if isinstance(shortcut, Std) and not QKeySequence.keyBindings(shortcut) and shortcut in FALLBACK_KEYS:
        return FALLBACK_KEYS[shortcut]
    return shortcut


def spec_keys(s: ActionSpec) -> list[QKeySequence]:
    """The action's keys: the platform's standard key first (what menus show), then the extra ones."""
    keys = [QKeySequence(_platform_key(s.shortcut))] if s.shortcut is not None else []
    for extra in s.extra:
        key = QKeySequence(extra)
        if not key.isEmpty() and key not in keys:
            keys.append(key)
    return [k for k in keys if not k.isEmpty()]


def build_actions(window: QMainWindow) -> tuple[dict[str, QAction], dict[str, QMenu]]:
    """Create every action and the menu bar; returns them by name."""
    menus: dict[str, QMenu] = {}
    for key, title in MENUS:
        menu = window.menuBar().addMenu(title)
        menu.setObjectName(f"{key}Menu")
        menus[key] = menu
    actions: dict[str, QAction] = {}
    for s in SPECS:
        action = QAction(s.text, window)
        action.setObjectName(f"action_{s.name}")
        keys = spec_keys(s)
        if keys:
            action.setShortcuts(keys)
        if s.tip:
            action.setStatusTip(s.tip)
            action.setToolTip(s.tip)
        action.setCheckable(s.checkable)
        if s.menu:
            if s.separator_before:
                menus[s.menu].addSeparator()
            menus[s.menu].addAction(action)
        window.addAction(action)
        actions[s.name] = action
    return actions, menus


def shortcut_rows(actions: dict[str, QAction]) -> list[tuple[str, str]]:
    """(action text, shortcut) for every action that has a shortcut, menu order."""
    rows = []
    for s in SPECS:
        action = actions.get(s.name)
        if action is None:
            continue
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
        if keys:
            rows.append((action.text().replace("&", "").rstrip("…"), keys))
    return rows
