"""newscrawl: stories and related headlines from French-language news portals."""

__version__ = "0.1.0"
