"""Import of files into canonical text, offsets, alias matching, duplicate passages. Never imports Qt."""
