"""kzannotate: annotate contested sources with actors, theories and Admiralty reliability ratings."""

__version__ = "0.1.0"
APP_NAME = "kzannotate"
APP_ORG = "kzannotate"
