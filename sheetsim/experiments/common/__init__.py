"""Parts that several experiments share: they import these, never each other."""
