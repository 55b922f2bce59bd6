"""What only the tests (and the benchmarks) use: datasets, loaders and reference reads."""
