"""Spider middlewares: what becomes of a page whose handling fails."""
