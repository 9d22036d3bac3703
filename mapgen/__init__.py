"""mapgen: render sales Mutual Action Plans from one validated spec into every format people open."""

__version__ = "0.1.0"
