"""A faster line breaker for fpdf2, with the same output.

fpdf2 lays text out character by character, and for every character it measures the whole line
again (`CurrentLine.width` sums every fragment) and the character itself through three calls:
laying out a paragraph is quadratic in its length, and a 20-page report spent seconds there. Two
changes, applied once to fpdf2's classes when a report is rendered as PDF:

- the line keeps a running width that `add_character` updates; any other change to the line
  (trimming, breaking at a hint) drops it, and it is measured again whenever the line's shape
  (fragments, characters) is not the one it was kept for;
- the width of a character is remembered per font, size, stretching, spacing and scale.

Nothing else changes: the same document gives the same bytes with and without them (tested). If
fpdf2 changes these internals, `install` leaves it alone and PDFs are just slower.
"""

from __future__ import annotations

_ORIGINAL: dict[str, object] = {}


def install() -> bool:
    """Apply the two changes (once); False when this fpdf2 does not have the expected internals."""
    from fpdf import line_break as lb

    line, fragment = getattr(lb, "CurrentLine", None), getattr(lb, "Fragment", None)
    if line is None or fragment is None:
        return False
    if getattr(line, "_rkg_running_width", False):
        return True
    needed = (all(hasattr(line, n) for n in ("width", "add_character", "trim_trailing_spaces", "_apply_automatic_hint"))
              and isinstance(line.__dict__.get("width"), property) and hasattr(fragment, "get_character_width"))
    if not needed:
        return False
    full, add = line.width.fget, line.add_character
    trim, hint = line.trim_trailing_spaces, line._apply_automatic_hint
    character_width = fragment.get_character_width
    _ORIGINAL.update(width=line.__dict__["width"], add_character=add, trim_trailing_spaces=trim,
                     _apply_automatic_hint=hint, get_character_width=character_width)

    def shape(self) -> tuple[int, int]:
        return len(self.fragments), len(self.fragments[-1].characters) if self.fragments else 0

    def width(self) -> float:
        kept = self.__dict__.get("_rkg_width")
        now = shape(self)
        if kept is None or kept[0] != now:
            value = full(self)
            self._rkg_width = (now, value)
            return value
        return kept[1]

    def add_character(self, character, character_width, *args, **kwargs):
        kept = self.__dict__.get("_rkg_width")
        add(self, character, character_width, *args, **kwargs)
        if kept is None:
            return
        (fragments, characters), value = kept
        now = shape(self)
        if now == (fragments, characters):
            return  # a soft hyphen that is not printed: nothing was added
        if now in ((fragments, characters + 1), (fragments + 1, 1)):
            self._rkg_width = (now, value + character_width)
        else:
            self._rkg_width = None

    def dropping(method):
        def wrapped(self, *args, **kwargs):
            self._rkg_width = None
            return method(self, *args, **kwargs)
        return wrapped

    # A font's widths depend on its file and style alone (fonts have __slots__, so no weak references):
    # the key names them, and the object's id keeps two fonts of one file apart all the same.
    widths: dict[tuple, float] = {}

    def get_character_width(self, character, print_sh=False, initial_cs=True):
        if self.text_shaping_parameters:
            return character_width(self, character, print_sh, initial_cs)
        font = self.font
        key = (id(font), font.fontkey, getattr(font, "ttffile", None), character, print_sh, initial_cs,
               self.font_size_pt, self.font_stretching, self.char_spacing, self.k)
        value = widths.get(key)
        if value is None:
            if len(widths) > 200_000:
                widths.clear()
            value = widths[key] = character_width(self, character, print_sh, initial_cs)
        return value

    for owner, name, value in ((line, "width", property(width)), (line, "add_character", add_character),
                               (line, "trim_trailing_spaces", dropping(trim)),
                               (line, "_apply_automatic_hint", dropping(hint)),
                               (fragment, "get_character_width", get_character_width),
                               (line, "_rkg_running_width", True)):
        setattr(owner, name, value)
    return True


def uninstall() -> None:
    """Put fpdf2 back as it was (for the test that compares the two)."""
    from fpdf import line_break as lb

    if not _ORIGINAL or not getattr(lb.CurrentLine, "_rkg_running_width", False):
        return
    for name in ("width", "add_character", "trim_trailing_spaces", "_apply_automatic_hint"):
        setattr(lb.CurrentLine, name, _ORIGINAL[name])
    setattr(lb.Fragment, "get_character_width", _ORIGINAL["get_character_width"])  # noqa: B010
    setattr(lb.CurrentLine, "_rkg_running_width", False)  # noqa: B010
