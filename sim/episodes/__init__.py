"""Historical episodes: source files, the encoding rules and the builder of their folders."""
