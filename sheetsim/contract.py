"""The workbook contract other tools rely on: where the manifest lives and how it is laid
out. ``build`` writes it and ``check`` reads it; neither spells these facts itself."""

MANIFEST_SHEET = "_sheetsim"
MANIFEST_FORMAT = 1
MARKER_CELL = (0, 0)
"""0-based (row, column) of the word ``sheetsim``; the version is beside it."""
CONFIG_CELL = (1, 1)
"""0-based (row, column) of the settings JSON."""
EXPERIMENT_CELL = (3, 1)
"""0-based (row, column) of the experiment's name (``init`` where the row is absent:
workbooks written before there was more than one experiment)."""
BLOCKS_ROW = 5
"""0-based row of the first block line: name, sheet, range, kind."""
