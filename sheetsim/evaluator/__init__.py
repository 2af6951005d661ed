"""Independent NumPy evaluation of a workbook's formula text.

The second opinion of verification: it reads formula text in any application's dialect
(``parser``) and evaluates whole blocks with NumPy (``values``, ``functions``, ``lookup``,
``workbook``) in the order of their references (``order``). It imports only
:mod:`sheetsim.xlsx`, never the code that writes formulas, so a wrong formula cannot be
judged by its own builder.
"""

from .workbook import (
    EvaluationError,
    UnsupportedFunction,
    VolatileFunctionError,
    evaluate,
    evaluate_formula,
    supported_functions,
)

__all__ = [
    "EvaluationError",
    "UnsupportedFunction",
    "VolatileFunctionError",
    "evaluate",
    "evaluate_formula",
    "supported_functions",
]
