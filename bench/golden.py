"""The golden SHA-256 of every experiment's default workbook and every preset's workbook
(``tests/golden.json``, checked by ``tests/test_golden.py``): check them, or record them
again after a change that is meant to change a workbook's bytes.

    python bench/golden.py                      # build all, compare, list the differences
    python bench/golden.py --update             # build all, rewrite tests/golden.json
    python bench/golden.py --update training training-explode   # only these entries

The workbooks are built through the Python API (``experiments.resolve``,
``writer.build``), as the test builds them. Exit status 1 when a check finds a difference.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import GOLDEN, golden_digest, golden_workbooks, read_golden  # noqa: E402


def main() -> int:
    """Check or update the golden SHA-256 file; the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*",
                    help="Workbooks to build (experiment or preset names; default: all).")
    ap.add_argument("--update", action="store_true",
                    help=f"Write the new SHA-256 into {GOLDEN.relative_to(ROOT)}.")
    args = ap.parse_args()
    known = golden_workbooks()
    unknown = [n for n in args.names if n not in known]
    if unknown:
        ap.error(f"unknown workbooks {unknown}; allowed: {', '.join(known)}")
    names = args.names or list(known)
    recorded = read_golden() if GOLDEN.exists() else {}
    changed = 0
    with tempfile.TemporaryDirectory(prefix="sheetsim-golden-") as folder:
        for name in names:
            digest = golden_digest(name, Path(folder))
            Path(folder, f"{name}.xlsx").unlink()
            old = recorded.get(name)
            mark = "same" if old == digest else ("new" if old is None else "CHANGED")
            changed += mark != "same"
            print(f"{digest}  {name}  {mark}", flush=True)
            recorded[name] = digest
    if args.update:
        kept = {n: recorded[n] for n in sorted(recorded) if n in known}
        GOLDEN.write_text(json.dumps(kept, indent=2) + "\n")
        print(f"{GOLDEN.relative_to(ROOT)}: {changed} of {len(names)} entries changed")
        return 0
    print(f"{changed} of {len(names)} differ from {GOLDEN.relative_to(ROOT)}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
