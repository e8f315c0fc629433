"""Benchmarks and the crash-safety torture test (`make bench`, `make torture`); see __main__."""
