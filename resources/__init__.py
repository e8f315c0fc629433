"""Data package: the default codebook, icons and styles, found with importlib.resources."""
