"""Formula shapes: each distinct formula parsed once, wherever it stands.

A step-by-step table repeats one formula down a column, its relative references moving
with the row: 80,000 formula texts may hold only a few hundred *shapes*. A text's shape is
the text with the row and column of every relative cell reference replaced by its offset
from the formula's own cell (as R1C1 notation writes it); absolute (``$``) parts stay as
written. The first text of a shape is parsed in full; when a second one comes, that tree is
rebuilt with :class:`Moved` references, which read from any cell (:meth:`Moved.at`) give what
parsing that cell's own text would give, and every further text of the shape shares it.

The shape is found by a regular expression, the tree by the parser, so a template is only
kept when the two agree on every reference of the text (the same cells, in the same order,
with the same ``$``). A text whose shape cannot be shared (one that does not parse, or whose
references the expression reads differently), and a re-anchored reference that would leave
the grid (where the parser reads the text as something else), are parsed in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..xlsx.cells import GRID_COLS, GRID_ROWS, col_index
from .parser import Binary, Call, Corner, Node, Ref, Unary, parse, parse_with_corners

# A cell reference's column letters and row digits, each optionally after a "$"; string
# literals and quoted sheet names are matched first so that nothing inside them counts.
# The look-arounds keep out function names (LOG10), sheet names (Sheet1!), numbers (1E5) and
# defined names (A1_x): characters that cannot border a reference in a formula.
_CELL_RE = re.compile(
    r"""("[^"]*"|'[^']*')"""
    r"|(?<![A-Za-z0-9_.$\\])(\$?)([A-Za-z]{1,3})(\$?)([0-9]+)(?![A-Za-z0-9_.(!$\\?])"
)

def shape_key(text: str, row: int, col: int, moving: bool = False) -> tuple[str | int | None, ...]:
    """The shape of ``text`` at (row, col), 0-based: the text split at its cell references,
    each reference's letters and digits replaced by the absolute column and row or, where
    relative, their offsets from (row, col). Two texts with one key mean the same formula
    at their own cells.

    With ``moving``, absolute parts are offsets too: two texts with one such key are the
    same text moved as a whole (``$V$4`` in one cell, ``$V$5`` in the next), which parse
    to the same tree moved (the ``$`` signs stay in the key, but a tree does not hold them).
    """
    parts: list[str | int | None] = _CELL_RE.split(text)
    parts[3::6] = [
        None if letters is None else col_index(letters) - (0 if dollar and not moving else col)
        for letters, dollar in zip(parts[3::6], parts[2::6], strict=True)  # type: ignore
    ]
    parts[5::6] = [
        None if digits is None
        else int(digits) - (1 if dollar and not moving else row + 1)  # type: ignore
        for digits, dollar in zip(parts[5::6], parts[4::6], strict=True)
    ]
    return (moving, *parts)


def _written(text: str, row: int, col: int) -> list[Corner]:
    """The references the expression finds, as corners in absolute terms."""
    return [
        (int(digits) - 1, bool(row_dollar), col_index(letters), bool(col_dollar))
        for quoted, col_dollar, letters, row_dollar, digits in _CELL_RE.findall(text)
        if not quoted
    ]


@dataclass(frozen=True)
class Moved(Ref):
    """A reference of a shape: where it points depends on the cell the formula stands in.

    ``row``/``col``/``rows``/``cols`` are those of the text the shape was parsed from;
    :meth:`at` gives the reference at any cell, as the parser would read the text there.
    """

    moves: tuple[Corner, ...] = ()
    """The one or two corners: (row, absolute, col, absolute), offsets where relative."""

    def at(self, row: int, col: int) -> Ref | None:
        """The reference seen from (row, col); None where it would leave the grid."""
        found = self.span(row, col)
        return None if found is None else Ref(self.sheet, *found)

    def span(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        """(row, col, rows, cols) of :meth:`at`, without making the reference."""
        a, ra, x, ca = self.moves[0]
        b, rb, y, cb = self.moves[-1]
        if not ra:
            a += row
        if not rb:
            b += row
        if not ca:
            x += col
        if not cb:
            y += col
        if a > b:
            a, b = b, a
        if x > y:
            x, y = y, x
        if a < 0 or x < 0 or b >= GRID_ROWS or y >= GRID_COLS:
            return None
        return a, x, b - a + 1, y - x + 1


def _template(tree: Node, corners: dict[int, tuple[Corner, ...]], row: int, col: int,
              moved: list[Moved]) -> Node:
    """``tree`` (parsed at row, col) with each reference turned into a :class:`Moved`;
    ``corners`` with no absolute part move every part (the ``moving`` shape)."""
    if isinstance(tree, Ref):
        moves = tuple((r - (0 if ra else row), ra, c - (0 if ca else col), ca)
                      for r, ra, c, ca in corners[id(tree)])
        node = Moved(tree.sheet, tree.row, tree.col, tree.rows, tree.cols, moves)
        moved.append(node)
        return node
    if isinstance(tree, Binary):
        return Binary(tree.op, _template(tree.left, corners, row, col, moved),
                      _template(tree.right, corners, row, col, moved))
    if isinstance(tree, Unary):
        return Unary(tree.op, _template(tree.operand, corners, row, col, moved))
    if isinstance(tree, Call):
        return Call(tree.name, tuple(_template(a, corners, row, col, moved) for a in tree.args))
    return tree


def _shared(node: Node, found: list[tuple[Ref, tuple[Corner, ...]]], row: int, col: int,
            moving: bool) -> tuple[Node, list[Moved]] | None:
    """The tree of a shape and its references; None if a reference read from (row, col)
    would not give back the one parsed."""
    corners = {id(ref): tuple((r, ra and not moving, c, ca and not moving)
                              for r, ra, c, ca in c4) for ref, c4 in found}
    moved: list[Moved] = []
    tree = _template(node, corners, row, col, moved)
    return (tree, moved) if [m.at(row, col) for m in moved] == [r for r, _ in found] else None


@dataclass(frozen=True)
class Slot(Ref):
    """A reference of a skeleton: the ``index``-th reference of the text at hand, whatever
    its cells (:attr:`Shapes.refs` gives them for the last text looked up)."""

    index: int = 0


def _skeleton(node: Node, found: list[tuple[Ref, tuple[Corner, ...]]]) -> Node:
    """``node`` with its references, in the order of the text, as :class:`Slot`."""
    index = {id(ref): k for k, (ref, _) in enumerate(found)}

    def rebuild(tree: Node) -> Node:
        if isinstance(tree, Ref):
            return Slot(tree.sheet, tree.row, tree.col, tree.rows, tree.cols, index[id(tree)])
        if isinstance(tree, Binary):
            return Binary(tree.op, rebuild(tree.left), rebuild(tree.right))
        if isinstance(tree, Unary):
            return Unary(tree.op, rebuild(tree.operand))
        if isinstance(tree, Call):
            return Call(tree.name, tuple(rebuild(a) for a in tree.args))
        return tree

    return rebuild(node)


def _slot_refs(parts: list[str | None], sizes: tuple[int, ...]) -> tuple[Ref, ...] | None:
    """The references of a text split by :data:`_CELL_RE`, grouped ``sizes`` corners each
    as the parser reads them; None if one would leave the grid (the parser reads a name)."""
    corners = [(int(d) - 1, col_index(c)) for q, c, d in  # type: ignore[arg-type]
               zip(parts[1::6], parts[3::6], parts[5::6], strict=True) if q is None]
    out: list[Ref] = []
    at = 0
    for size in sizes:
        rows = [r for r, _ in corners[at:at + size]]
        cols = [c for _, c in corners[at:at + size]]
        at += size
        r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
        if r0 < 0 or r1 >= GRID_ROWS or c1 >= GRID_COLS:
            return None
        out.append(Ref(None, r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    return tuple(out)


_Seed = tuple[Node, list[tuple[Ref, tuple[Corner, ...]]], int, int]
"""A shape met once: its text's tree and references, and the cell it stands in."""
_Entry = tuple[Node, list[Moved]] | _Seed | None


class Shapes:
    """Trees of formula texts, parsed once per shape (see the module's description).

    A tree given for a shape is shared by all its cells: its references are
    :class:`Moved`, to be read with :meth:`Moved.at` at the formula's own cell. The shared
    tree is only built when a second text of the shape comes (most shapes of some
    workbooks occur once).
    """

    def __init__(self) -> None:
        self.templates: dict[tuple[str | int | None, ...], _Entry] = {}
        self.skeletons: dict[tuple[str | None, ...], tuple[Node, tuple[int, ...]] | None] = {}
        """Per text with its cell references taken out: the tree with :class:`Slot`
        references, and how many corners each has."""
        self.parsed = 0
        """Texts parsed in full (the rest share their shape's tree)."""
        self.refs: tuple[Ref, ...] = ()
        """The references of the last text looked up, for its tree's :class:`Slot` nodes
        (their sheet is the slot's own)."""

    def tree(self, text: str, row: int, col: int) -> Node:
        """The tree of ``text`` standing at (row, col), 0-based; raises
        :class:`FormulaSyntaxError` as :func:`parse` does.

        The shape is looked up as written, then as moved as a whole (``shape_key``'s
        ``moving``): a table that repeats absolute references row by row shares its trees
        too."""
        self.refs = ()
        key = written = shape_key(text, row, col)
        entry = self.templates.get(key, ())
        if entry == ():
            key = shape_key(text, row, col, moving=True)
            entry = self.templates.get(key, ())
            if entry == ():
                return self._first(text, row, col, written, key)
        if entry is not None and len(entry) == 4:  # the second text of the shape
            entry = self.templates[key] = _shared(*entry, moving=bool(key[0]))  # type: ignore
        if entry is not None and all(m.span(row, col) is not None for m in entry[1]):
            return entry[0]  # type: ignore[return-value]
        self.parsed += 1
        return parse(text)

    def _first(self, text: str, row: int, col: int, written: tuple[str | int | None, ...],
               key: tuple[str | int | None, ...]) -> Node:
        """The first text of a shape: its skeleton's tree if one came before (the same
        text but for its cells, as a table whose blocks move by many rows has), else
        parsed in full."""
        parts: list[str | None] = _CELL_RE.split(text)
        bones = tuple(p for i, p in enumerate(parts) if i % 6 < 2)
        known = self.skeletons.get(bones)
        if known is not None:
            refs = _slot_refs(parts, known[1])
            if refs is not None:
                self.refs = refs
                return known[0]
        self.parsed += 1
        node, found = parse_with_corners(text)
        seed: _Entry = None
        if [c for _, corners in found for c in corners] == _written(text, row, col):
            seed = (node, found, row, col)
            if bones not in self.skeletons:
                self.skeletons[bones] = (_skeleton(node, found),
                                         tuple(len(c) for _, c in found))
        self.templates[written] = self.templates[key] = seed
        return node
