"""Allow ``python -m kzannotate``."""

from kzannotate.cli import main

raise SystemExit(main())
