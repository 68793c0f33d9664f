"""A small layered shop with a few deliberate architecture violations."""
