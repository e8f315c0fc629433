"""One module per export/import format. Never imports Qt."""
