"""Verification: the evaluator against the file's cached values and against the model.

Two comparisons, reported per sheet: (a) every formula cell's cached value against what
the evaluator computes from the formula text; (b) the evaluator's blocks against the
reference model run on the file's own controls and draws. Bin counts must match exactly
unless values lie within tolerance of a bin edge (engines may place those either side).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from sheetsim import evaluator, model, reader
from sheetsim.book import Book, ExcelError
from sheetsim.config import ConfigError, Experiment, from_mapping
from sheetsim.layout import (
    NAME_ACTIVATION,
    NAME_BINS,
    NAME_BN,
    NAME_BN_EPS,
    NAME_GRAD_HIGH,
    NAME_GRAD_LOW,
    NAME_HIGH,
    NAME_INIT,
    NAME_LOW,
    NAME_SIGMA,
    NAME_SLOPE,
    STATS,
    Block,
    cell,
    layer_names,
)
from sheetsim.report import Mismatch, Report

RTOL = 1e-9
ATOL = 1e-12
BLOCK_FLOOR = 1e-2
"""Relative errors are measured against at least this share of the block's largest value,
so a sum that cancels to nearly 0 is judged by the size of its terms, not by its own:
LibreOffice's NORM.S.INV differs from the exact quantile by up to ~3e-11 relative, and
MMULT turns that into ~2e-11 absolute in sums of size 0.01 whose terms are of size 1."""
COUNT_STATS = ("first_bin", "last_bin", "above")

CHECK_CACHED = "cached"
CHECK_MODEL = "model"
SHOWN = 10


class _Comparer:
    """Accumulates cell comparisons into the report."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.non_finite = 0

    def numbers(
        self, check: str, block: Block, expected: np.ndarray, found: np.ndarray,
        slack: np.ndarray | float = 0.0,
    ) -> None:
        """Compare two float blocks; ``slack`` widens the tolerance (bin-edge ties)."""
        rep = self.report.sheet(block.sheet, check)
        e = np.asarray(expected, dtype=np.float64)
        f = np.asarray(found, dtype=np.float64)
        both = ~np.isfinite(e) & ~np.isfinite(f)
        self.non_finite += int(both.sum())
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.where(both, 0.0, np.abs(e - f))
        diff = np.where(np.isnan(diff), np.inf, diff)
        with np.errstate(invalid="ignore"):
            finite = np.abs(np.where(np.isfinite(e), e, 0.0))
        floor = BLOCK_FLOOR * (float(finite.max()) if finite.size else 0.0)
        scale = np.maximum(np.maximum(np.abs(np.nan_to_num(e)), np.abs(np.nan_to_num(f))), floor)
        bad = diff > ATOL + RTOL * scale + slack
        rep.cells += e.size
        finite_diff = diff[np.isfinite(diff)]
        if finite_diff.size:
            rep.worst_abs = max(rep.worst_abs, float(finite_diff.max()))
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.where(scale > 0, diff / scale, 0.0)
            rel = rel[np.isfinite(rel)]
            if rel.size:
                rep.worst_rel = max(rep.worst_rel, float(rel.max()))
        self._bad(check, block, bad, e, f)

    def values(self, check: str, block: Block, expected: np.ndarray, found: np.ndarray) -> None:
        """Compare blocks that may hold text, booleans or error values, cell by cell."""
        rep = self.report.sheet(block.sheet, check)
        numbers = [abs(v) for v in expected.ravel()
                   if isinstance(v, float) and np.isfinite(v)]
        floor = BLOCK_FLOOR * max(numbers, default=0.0)
        bad = np.zeros(expected.shape, dtype=bool)
        for idx in np.ndindex(expected.shape):
            a, b = expected[idx], found[idx]
            if _non_finite(a) or _non_finite(b):
                self.non_finite += 1
            bad[idx] = not _same(a, b, floor)
        rep.cells += expected.size
        self._bad(check, block, bad, expected, found)

    def problem(self, text: str) -> None:
        self.report.problems.append(text)

    def _bad(self, check: str, block: Block, bad: np.ndarray, e: np.ndarray, f: np.ndarray):
        count = int(bad.sum())
        if not count:
            return
        self.report.sheet(block.sheet, check).mismatches += count
        self.report.mismatch_count += count
        for i, j in np.argwhere(bad)[: max(0, SHOWN - len(self.report.mismatches))]:
            self.report.mismatches.append(
                Mismatch(check, block.address(int(i), int(j)), _py(e[i, j]), _py(f[i, j]))
            )


def _py(v: object) -> object:
    if isinstance(v, np.generic):
        return v.item()
    return v


def _non_finite(v: object) -> bool:
    return isinstance(v, ExcelError) or (isinstance(v, float) and not np.isfinite(v))


def _same(a: object, b: object, floor: float = 0.0) -> bool:
    """Equal within tolerance; a non-finite number and an Excel error (overflow: #NUM!, and
    what it propagates into) are the same finding, as NumPy and a spreadsheet report it."""
    if _non_finite(a) and _non_finite(b):
        return True
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, ExcelError) or isinstance(b, ExcelError):
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if a is None or b is None:
        return a is b or (a in (None, 0.0) and b in (None, 0.0))
    fa, fb = float(a), float(b)
    return abs(fa - fb) <= ATOL + RTOL * max(abs(fa), abs(fb), floor)


def _cached(book: Book, sheet: str, row: int, col: int, rows: int, cols: int) -> np.ndarray:
    """Cached values of a range: float array if all numeric, else object array."""
    data = book.sheet(sheet)
    nums = np.full((rows, cols), np.nan)
    src = data.numbers[row : row + rows, col : col + cols]
    nums[: src.shape[0], : src.shape[1]] = src
    others = {
        (r - row, c - col): v
        for (r, c), v in data.other.items()
        if row <= r < row + rows and col <= c < col + cols
    }
    if not others:
        return nums
    out = nums.astype(object)
    for (i, j), v in others.items():
        out[i, j] = v
    for idx in np.ndindex(out.shape):
        if isinstance(out[idx], float) and np.isnan(out[idx]):
            out[idx] = None
    return out


def _controls(book: Book, base: Experiment) -> Experiment:
    """The experiment the file's control cells describe (they may differ from the build)."""
    names = {
        NAME_INIT: "init", NAME_ACTIVATION: "activation", NAME_SIGMA: "sigma",
        NAME_SLOPE: "leaky_slope", NAME_BINS: "bins", NAME_LOW: "bin_low", NAME_HIGH: "bin_high",
    }
    if base.has_batchnorm:
        names.update({NAME_BN: "batchnorm", NAME_BN_EPS: "bn_eps"})
    if base.backward:
        names.update({NAME_GRAD_LOW: "grad_low", NAME_GRAD_HIGH: "grad_high"})
    changes: dict[str, object] = {}
    for name, key in names.items():
        value = reader.named_value(book, name)
        if value is None:
            raise ConfigError(f"control {name} is missing or empty")
        if key == "bins" and isinstance(value, float) and value.is_integer():
            value = int(value)
        if key == "batchnorm":
            if value not in ("on", "off"):
                raise ConfigError(f"control {name}: {value!r} is not on or off")
            value = value == "on"
        changes[key] = value
    per_layer = [("layer_init", "init_set"), ("layer_activation", "act_set")]
    if base.has_batchnorm:
        per_layer.append(("layer_batchnorm", "bn_set"))
    for key, part in per_layer:
        chosen = {}
        for k in range(1, base.layers + 1):
            value = reader.named_value(book, layer_names(k)[part])
            if value is None:
                raise ConfigError(f"control {layer_names(k)[part]} is missing or empty")
            chosen[str(k)] = value
        changes[key] = chosen
    exp = from_mapping(changes, base=base, source="controls")
    if base.has_batchnorm and not exp.has_batchnorm:  # every switch off: still a BN workbook
        exp = replace(exp, layer_batchnorm={k: "off" for k in range(1, exp.layers + 1)})
    return exp


def verify(
    path: Path | str, progress: Callable[[int, int], None] | None = None
) -> Report:
    """Read, evaluate and compare; raises reader.ReadError / evaluator errors for exit 2."""
    path = Path(path)
    book = reader.read(path)
    man = reader.manifest(book, path)
    for block in man.blocks.values():
        if block.sheet not in book.sheets:
            raise reader.ReadError(f"{path}: sheet {block.sheet!r} is missing")
    report = Report(str(path))
    if any(f.text.upper().replace(" ", "").find("RAND(") >= 0 for f in book.formulas):
        report.notes.append("live workbook: RAND() draws checked as the values stored in the file")
    results = evaluator.evaluate(book, progress=progress, volatile="cached")
    comparer = _Comparer(report)
    evaluated = _by_block(man.blocks, results, book)

    # (a) every formula cell against its cached value
    slacks = _Slack(man.blocks, evaluated)
    uncached = 0
    for (sheet, row, col), value in results.items():
        rows, cols = value.shape
        cached = _cached(book, sheet, row, col, rows, cols)
        if _missing(cached[0, 0]):
            uncached += 1  # saved by a program that does not calculate (openpyxl, ...)
            continue
        block = Block(f"{sheet}!{cell(row, col)}", sheet, row, col, rows, cols, "formula")
        slack = slacks.of(block) if rows * cols == 1 else 0.0
        if value.dtype == object or cached.dtype == object:
            comparer.values(CHECK_CACHED, block, value, _as_object(cached))
        else:
            comparer.numbers(CHECK_CACHED, block, value, cached, slack)

    if uncached:
        report.notes.append(
            f"{uncached} formulas carry no cached value (the file was saved without "
            "calculating); they are checked against the model only"
        )

    # (b) the evaluator against the reference model on the file's controls and draws
    try:
        exp = _controls(book, man.config)
    except ConfigError as exc:
        comparer.problem(f"the model cannot run on the file's controls ({exc})")
        return report
    with np.errstate(all="ignore"):
        _compare_model(comparer, man.blocks, evaluated, book, exp)
    if comparer.non_finite:
        report.notes.append(
            f"{comparer.non_finite:,} comparisons met a non-finite value (overflow): the "
            "spreadsheet's error and NumPy's inf/nan were counted as agreeing"
        )
    return report


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _as_object(a: np.ndarray) -> np.ndarray:
    if a.dtype == object:
        return a
    out = a.astype(object)
    for idx in np.ndindex(out.shape):
        if np.isnan(out[idx]):
            out[idx] = None
    return out


def _by_block(
    blocks: dict[str, Block], results: dict[tuple[str, int, int], np.ndarray], book: Book
) -> dict[str, np.ndarray]:
    """Evaluated values per manifest block (constants for draw blocks)."""
    grid: dict[str, dict[tuple[int, int], np.ndarray]] = {}
    for (sheet, row, col), value in results.items():
        grid.setdefault(sheet, {})[(row, col)] = value
    out: dict[str, np.ndarray] = {}
    for name, b in blocks.items():
        if b.kind == "uniform":
            out[name] = reader.block_values(book, b)
            continue
        whole = grid.get(b.sheet, {}).get((b.row, b.col))
        if whole is not None and whole.shape == (b.rows, b.cols):
            out[name] = whole
            continue
        parts = np.empty((b.rows, b.cols), dtype=object)
        complete = True
        for i in range(b.rows):
            for j in range(b.cols):
                v = grid.get(b.sheet, {}).get((b.row + i, b.col + j))
                if v is None:
                    complete = False
                    break
                parts[i, j] = v.reshape(-1)[0]
        if complete:
            try:
                out[name] = parts.astype(np.float64)
            except (TypeError, ValueError):
                out[name] = parts
    return out


def _edge_slack(z: np.ndarray | None, edges: np.ndarray) -> float:
    """Values within tolerance of a bin edge: ties an application may count either side."""
    if z is None or z.dtype == object:
        return 0.0
    flat = np.sort(z.ravel())
    near = 0
    for e in edges[np.abs(edges) < 1e299]:
        tol = ATOL + RTOL * abs(e)
        near += int(np.searchsorted(flat, e + tol, "right") - np.searchsorted(flat, e - tol))
    return float(near)


def _zero_slack(z: np.ndarray | None) -> float:
    """Values a rounding away from 0 (an application may make them exactly 0, or not)."""
    if z is None or z.dtype == object:
        return 0.0
    flat = np.abs(z.ravel())
    return float(np.count_nonzero((flat > 0) & (flat <= ATOL)))


class _Slack:
    """Allowed differences of counting formulas: the data's ties with bin edges (or with 0),
    computed once per layer. Activation histograms count Z; gradient ones count |∂L/∂A|."""

    def __init__(self, blocks: dict[str, Block], evaluated: dict[str, np.ndarray]) -> None:
        self.blocks = blocks
        self.evaluated = evaluated
        self.cache: dict[tuple[str, str, int], float] = {}

    def _edges(self, prefix: str) -> np.ndarray | None:
        edges = self.evaluated.get(f"{prefix}edges")
        return None if edges is None or edges.dtype == object else edges.ravel()

    def layer(self, prefix: str, kind: str, k: int) -> float:
        key = (prefix, kind, k)
        if key not in self.cache:
            data = self.evaluated.get(f"L{k}_g" if prefix else f"L{k}_z")
            edges = self._edges(prefix)
            if data is None or data.dtype == object or edges is None:
                self.cache[key] = 0.0
            elif kind == "zero":
                self.cache[key] = _zero_slack(data)
            else:
                self.cache[key] = _edge_slack(np.abs(data) if prefix else data, edges)
        return self.cache[key]

    def of(self, target: Block) -> float:
        for name, b in self.blocks.items():
            if b.sheet != target.sheet or not (b.row <= target.row < b.row + b.rows):
                continue
            if not b.col <= target.col < b.col + b.cols:
                continue
            prefix = "grad_" if "grad_" in name else ""
            if b.kind == "counts":
                return self.layer(prefix, "edges", int(name.split("_")[0][1:]))
            stat = name.split("stat_", 1)[-1] if "stat_" in name else name.split("_", 1)[-1]
            if b.kind in ("stat", "dash") and stat in (*COUNT_STATS, "zero"):
                k = target.col - b.col + 1
                n = self.evaluated[f"L{k}_z"].size if f"L{k}_z" in self.evaluated else 1
                kind = "zero" if stat == "zero" else "edges"
                return self.layer(prefix, kind, k) / max(n, 1)
        return 0.0


def _compare_model(
    comparer: _Comparer,
    blocks: dict[str, Block],
    evaluated: dict[str, np.ndarray],
    book: Book,
    exp: Experiment,
) -> None:
    layer_u = [evaluated[f"L{k}_u"] for k in range(1, exp.layers + 1)]
    fwd = model.forward(exp, evaluated["input_u"], layer_u)
    if exp.backward and "grad_u" in evaluated:
        model.backward(exp, fwd, evaluated["grad_u"])
    edges = model.bin_edges(exp, blocks["edges"].rows)
    expected: dict[str, np.ndarray] = {"input": fwd.x, "edges": edges.reshape(-1, 1)}
    slack: dict[str, np.ndarray | float] = {}
    n = max(exp.samples * exp.width, 1)
    stats = []
    for k, layer in enumerate(fwd.layers, 1):
        expected[f"L{k}_w"] = layer.w
        expected[f"L{k}_a"] = layer.a
        expected[f"L{k}_z"] = layer.z
        if layer.n is not None and exp.has_batchnorm:
            expected[f"L{k}_n"] = layer.n
            expected[f"L{k}_bn_mean"] = layer.mean.reshape(1, -1)
            expected[f"L{k}_bn_var"] = layer.var.reshape(1, -1)
        st = model.layer_stats(layer.z, edges, exp.bins)
        stats.append(st)
        expected[f"L{k}_counts"] = st.counts.reshape(-1, 1)
        slack[f"L{k}_counts"] = _edge_slack(evaluated.get(f"L{k}_z"), edges)
    for stat in STATS:
        expected[f"stat_{stat}"] = np.array([[getattr(s, stat) for s in stats]])
        if stat in COUNT_STATS:
            slack[f"stat_{stat}"] = np.array([[slack[f"L{k}_counts"] / n
                                               for k in range(1, exp.layers + 1)]])
    slack["stat_zero"] = np.array([[_zero_slack(evaluated.get(f"L{k}_z")) / n
                                    for k in range(1, exp.layers + 1)]])
    expected["layer_scale"] = np.array([[layer.scale] for layer in fwd.layers])
    expected["layer_wstd"] = np.array([[layer.weight_std] for layer in fwd.layers])
    if fwd.grads is not None:
        _expect_gradients(exp, fwd, blocks, evaluated, expected, slack)
    for name, want in expected.items():
        block = blocks.get(name)
        got = evaluated.get(name)
        if block is None:
            continue
        if got is None:
            comparer.problem(f"block {name} ({block.sheet}!{block.range}) was not evaluated")
            continue
        if got.shape != want.shape:
            comparer.problem(f"block {name} has shape {got.shape}, the model {want.shape}")
            continue
        if got.dtype == object:
            comparer.values(CHECK_MODEL, block, want.astype(object), got)
        else:
            comparer.numbers(CHECK_MODEL, block, want, got, slack.get(name, 0.0))


def _expect_gradients(
    exp: Experiment,
    fwd: model.Forward,
    blocks: dict[str, Block],
    evaluated: dict[str, np.ndarray],
    expected: dict[str, np.ndarray],
    slack: dict[str, np.ndarray | float],
) -> None:
    assert fwd.grads is not None
    n = max(exp.samples * exp.width, 1)
    gedges = model.grad_edges(exp)
    expected["upstream"] = fwd.upstream
    expected["grad_edges"] = gedges.reshape(-1, 1)
    zero, ties = [], []
    for k, (layer, g) in enumerate(zip(fwd.layers, fwd.grads, strict=True), 1):
        expected[f"L{k}_g"] = g.g
        if exp.has_batchnorm:
            expected[f"L{k}_d"] = g.dn
            expected[f"L{k}_bn_dmean"] = g.dn.mean(axis=0).reshape(1, -1)
            expected[f"L{k}_bn_dnmean"] = (g.dn * layer.n).mean(axis=0).reshape(1, -1)
        expected[f"L{k}_grad_counts"] = model.bin_counts(np.abs(g.g), gedges).reshape(-1, 1)
        got = evaluated.get(f"L{k}_g")
        usable = got is not None and got.dtype != object
        ties.append(_edge_slack(np.abs(got) if usable else None, gedges))
        slack[f"L{k}_grad_counts"] = ties[-1]
        zero.append(model.zero_share(g.g))
    expected["grad_stat_mean_abs"] = np.array([[g.mean_abs for g in fwd.grads]])
    expected["grad_stat_wgrad"] = np.array([[g.wgrad for g in fwd.grads]])
    expected["grad_stat_zero"] = np.array([zero])
    slack["grad_stat_zero"] = np.array([[
        _zero_slack(evaluated.get(f"L{k}_g")) / n for k in range(1, exp.layers + 1)]])
