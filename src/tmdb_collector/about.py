"""What the tool says of itself: its version, and the attribution TMDB asks for.

A leaf module, so that the manifest and the CLI can name them without importing the package's
``__init__`` (which loads the Python API on first use).
"""

__version__ = "0.1.0"

# TMDB's terms of use ask every product built on its API to carry this sentence.
ATTRIBUTION = "This product uses the TMDB API but is not endorsed or certified by TMDB."
