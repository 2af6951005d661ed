"""sheetsim: neural-network experiments as live spreadsheet formulas, verified."""

__version__ = "0.1.0"
