"""Qt widgets, item models, undo commands and dialogs: the only package that imports PySide6."""
