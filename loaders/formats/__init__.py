"""One module per input format, each a ``loaders.records.Reader``."""
