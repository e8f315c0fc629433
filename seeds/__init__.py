"""Data package: the sample corpus (five texts on January 2022 in Kazakhstan) and sources.json."""
