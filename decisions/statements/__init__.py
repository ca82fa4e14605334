"""The reader of a statement: text in, typed facts out. Pure Python: nothing here imports Django."""
