"""What an analyst sees of the window's arrangement: a wide reader, the codebook beside the sources (not
squeezing the text), Reset Layout, empty-state hints, the source list's titles and column menu, Tab order."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDockWidget

from kzannotate.ui.main_window import EMPTY_PROJECT_TEXT, NO_PROJECT_TEXT, MainWindow
from kzannotate.ui.source_list import EMPTY_HINT
from kzannotate.ui.table_helpers import column_menu

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


def make_window(qtbot, tmp_path, project=None, size=(1280, 800)) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("annotator", "Tester")
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    if project is not None:
        window.set_project(project)
    return window


def _close(window: MainWindow) -> None:
    window.project = None  # the fixture closes the project
    window.close()


@pytest.mark.parametrize("size", [(1280, 800), (1440, 900), (1920, 1080)])
def test_default_layout_gives_the_reader_room(qtbot, tmp_path, seeds_project, size) -> None:
    window = make_window(qtbot, tmp_path, seeds_project, size)
    codebook = window.findChild(QDockWidget, "codebookDock")
    assert codebook is not None and not codebook.isVisible()  # opened from View › Codebook
    assert not window.actions["show_codebook"].isChecked()
    assert window.sources_dock.isVisible() and window.actions["show_sources"].isChecked()
    reader = window.source_view
    assert reader.width() >= 0.45 * window.width()
    panel = window.annotating.panel
    assert panel.isVisible() and panel.width() >= 280
    assert window.source_panel.view.width() >= 250  # titles are readable
    # the analysis views and the search are hidden until used
    for name in ("matrixDock", "achDock", "annotationBrowserDock", "sourcesOverviewDock", "searchPanel"):
        dock = window.findChild(QDockWidget, name)
        assert dock is None or not dock.isVisible(), name
    assert window.height() == size[1]  # nothing forces the window taller than the screen
    _close(window)


def test_codebook_opens_as_a_tab_beside_the_sources(qtbot, tmp_path, seeds_project) -> None:
    window = make_window(qtbot, tmp_path, seeds_project)
    before = window.source_view.width()
    window.actions["show_codebook"].trigger()
    codebook = window.findChild(QDockWidget, "codebookDock")
    qtbot.waitUntil(codebook.isVisible)
    assert window.dockWidgetArea(codebook) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert codebook in window.tabifiedDockWidgets(window.sources_dock)
    QApplication.processEvents()
    assert window.source_view.width() >= before - 80  # the reader keeps its width
    assert window.source_view.width() >= 0.45 * window.width()
    _close(window)


def test_analysis_view_opens_at_a_readable_height(qtbot, tmp_path, seeds_project) -> None:
    window = make_window(qtbot, tmp_path, seeds_project, (1440, 900))
    window.actions["show_ach"].trigger()
    dock = window.findChild(QDockWidget, "achDock")
    qtbot.waitUntil(dock.isVisible)
    QApplication.processEvents()
    assert dock.height() >= 0.35 * window.height()
    assert window.height() == 900  # its minimum height does not push the window off the screen
    _close(window)


def test_reset_layout_brings_back_the_default(qtbot, tmp_path, seeds_project) -> None:
    window = make_window(qtbot, tmp_path, seeds_project)
    window.actions["show_codebook"].trigger()
    window.actions["show_matrix"].trigger()
    window.actions["show_sources"].setChecked(False)
    window.source_panel.view.horizontalHeader().setSectionHidden(4, True)
    window.splitter.setSizes([200, 900])
    qtbot.waitUntil(lambda: not window.sources_dock.isVisible())
    assert window.actions["reset_layout"].text().replace("&", "") == "Reset Layout"
    assert window.actions["reset_layout"] in window.menus["view"].actions()
    window.actions["reset_layout"].trigger()
    qtbot.waitUntil(window.sources_dock.isVisible)
    assert window.actions["show_sources"].isChecked() and not window.actions["show_codebook"].isChecked()
    assert not window.findChild(QDockWidget, "codebookDock").isVisible()
    assert not window.findChild(QDockWidget, "matrixDock").isVisible()
    assert not window.source_panel.view.horizontalHeader().isSectionHidden(4)
    QApplication.processEvents()
    assert window.source_view.width() >= 0.45 * window.width()
    _close(window)


def test_layout_is_restored_on_the_next_start(qtbot, tmp_path, seeds_project) -> None:
    window = make_window(qtbot, tmp_path, seeds_project, (760, 560))
    window.actions["show_codebook"].trigger()
    window.source_panel.view.horizontalHeader().setSectionHidden(3, True)
    window.close()
    again = make_window(qtbot, tmp_path, None, (760, 560))
    assert again.findChild(QDockWidget, "codebookDock").isVisible()
    assert again.actions["show_codebook"].isChecked()
    assert again.source_panel.view.horizontalHeader().isSectionHidden(3)
    again.close()


def test_empty_states_say_what_to_do(qtbot, tmp_path, project) -> None:
    window = make_window(qtbot, tmp_path)
    assert window.source_view.placeholderText() == NO_PROJECT_TEXT
    window.set_project(project)  # an empty project
    assert "File › Import Sources… (Ctrl+I)" in window.source_view.placeholderText()
    assert window.source_view.placeholderText() == EMPTY_PROJECT_TEXT
    assert window.source_panel.view.hint == EMPTY_HINT
    assert "Import Sources… (Ctrl+I)" in EMPTY_HINT
    window.grab()  # the hints paint
    _close(window)


def test_a_source_without_annotations_explains_how_to_annotate(qtbot, tmp_path, seeds_project) -> None:
    window = make_window(qtbot, tmp_path, seeds_project)
    table = window.annotating.table
    assert table.model().rowCount() == 0
    assert "Ctrl+Return" in table.hint
    assert window.source_view.placeholderText() == ""  # a source is open: its text, no hint
    window.grab()
    _close(window)


def test_source_list_full_title_in_tooltip_and_two_line_rows(qtbot, tmp_path, seeds_project) -> None:
    window = make_window(qtbot, tmp_path, seeds_project)
    view = window.source_panel.view
    model = view.model()
    long_title = "The bloodshed in Kazakhstan, the internal power struggle, what Putin is up to and what it means " \
                 "for the world"
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == long_title)
    index = model.index(row, 0)
    assert view.columnWidth(0) < view.fontMetrics().horizontalAdvance(long_title)  # it is cut on screen…
    assert index.data(Qt.ItemDataRole.ToolTipRole).startswith(long_title)  # …and whole in the tooltip
    # the title column gets most of the width; outlet and date are on the second line
    assert view.columnWidth(0) >= 0.6 * view.viewport().width()
    steppe = next(r for r in range(model.rowCount()) if model.index(r, 0).data().startswith("Steppe"))
    assert "Strategic Culture Foundation" in model.index(steppe, 0).data(Qt.UserRole + 2)
    assert "2022-01-06" in model.index(steppe, 0).data(Qt.UserRole + 2)
    assert view.rowHeight(0) >= 2 * view.fontMetrics().height()
    _close(window)


def test_header_menu_hides_and_shows_a_column(qtbot, tmp_path, seeds_project) -> None:
    window = make_window(qtbot, tmp_path, seeds_project)
    header = window.source_panel.view.horizontalHeader()
    assert header.isSectionHidden(2)  # Date: hidden by default, on the second line instead
    menu = column_menu(header)
    actions = {a.objectName(): a for a in menu.actions()}
    assert not actions["column_0"].isEnabled()  # the title cannot be hidden
    actions["column_2"].trigger()  # show Date
    assert not header.isSectionHidden(2)
    actions["column_4"].trigger()  # hide the annotation count
    assert header.isSectionHidden(4)
    # the same menu on the annotation table; the remaining columns share the width
    table = window.annotating.table
    table_menu = column_menu(table.horizontalHeader(), changed=table.fit_columns)
    next(a for a in table_menu.actions() if a.objectName() == "column_5").trigger()
    assert table.horizontalHeader().isSectionHidden(5)
    assert header.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu  # opens on a right-click
    _close(window)


def test_annotation_table_columns_fit_without_scrolling(qtbot, tmp_path, seeds_project) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from analysis_demo import annotate_demo

    annotate_demo(seeds_project)
    window = make_window(qtbot, tmp_path, seeds_project)
    table = window.annotating.table
    assert table.model().rowCount() > 0
    QApplication.processEvents()
    header = table.horizontalHeader()
    total = sum(header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c))
    assert total <= table.viewport().width() + 1
    assert header.sectionSize(0) == max(header.sectionSize(c) for c in range(header.count()))  # the quote
    for c in range(header.count()):
        title = table.model().headerData(c, Qt.Orientation.Horizontal)
        assert header.sectionSize(c) >= header.fontMetrics().horizontalAdvance(title), title
    _close(window)


def _next_tab_stop(widget):
    """The next widget Tab moves to (skips the line edit's clear button and other non-tab widgets)."""
    widget = widget.nextInFocusChain()
    while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible() and widget.isEnabled()):
        widget = widget.nextInFocusChain()
    return widget


def test_tab_order_filter_list_reader_panel(qtbot, tmp_path, seeds_project) -> None:
    window = make_window(qtbot, tmp_path, seeds_project)
    panel = window.annotating.panel
    assert _next_tab_stop(window.source_panel.filter) is window.source_panel.view
    assert _next_tab_stop(window.source_panel.view) is window.source_view
    assert _next_tab_stop(window.source_view) is panel.actor_filter
    assert _next_tab_stop(panel.actor_filter) is panel.actor_list
    assert _next_tab_stop(panel.actor_list) is panel.theory_list
    assert _next_tab_stop(panel.theory_list) is panel.reliability_combo
    for widget in (window.source_panel.filter, window.source_panel.view, window.source_view, panel,
                   panel.actor_list, panel.theory_list, panel.reliability_combo, panel.credibility_combo,
                   panel.note_edit, window.annotating.table):
        assert widget.accessibleName(), widget.objectName()
    _close(window)
