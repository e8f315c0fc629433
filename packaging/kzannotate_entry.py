"""Entry point of the frozen program (PyInstaller needs a script, not a console_scripts entry)."""

from kzannotate.cli import main

raise SystemExit(main())
