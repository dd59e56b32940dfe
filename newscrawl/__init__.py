"""newscrawl: stories and related headlines from French-language news portals."""
