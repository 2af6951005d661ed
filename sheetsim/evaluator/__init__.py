"""Independent NumPy evaluation of a workbook's formula text.

The second opinion of verification: it reads formula text in any application's dialect
(``parser``), evaluates whole blocks with NumPy (``values``, ``functions``, ``lookup``) in
the order of their references (``workbook``). It imports only :mod:`sheetsim.xlsx`, never
the code that writes formulas, so a wrong formula cannot be judged by its own builder.
"""

from .workbook import (
    EvaluationError,
    GridCache,
    UnsupportedFunction,
    VolatileFunctionError,
    evaluate,
    evaluate_formula,
    supported_functions,
)

__all__ = [
    "EvaluationError",
    "GridCache",
    "UnsupportedFunction",
    "VolatileFunctionError",
    "evaluate",
    "evaluate_formula",
    "supported_functions",
]
