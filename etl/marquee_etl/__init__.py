"""The Marquee pipeline: raw Kaggle CSVs in, an immutable versioned release out."""

__version__ = "0.1.0"
