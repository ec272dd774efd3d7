"""Turn a captured output stream into the text a terminal would leave on screen.

Progress bars redraw themselves with carriage returns and cursor moves; pyte, a terminal emulator,
replays them so the page shows the final screen, not the keystrokes that drew it. Unlike a real
terminal, nothing printed may be lost: the screen keeps every line (a scroll region scrolls nothing
away, and clearing the screen starts a fresh one below the old), characters that take no column
(joiners, variation selectors, combining marks, the vowels of decomposed Hangul) stay with the
character before them, and an escape sequence that never ends is shown as text instead of
swallowing what follows it. Lines longer than the terminal's width are wrapped at a space (or
after a `/`), never inside a name, unless a single word is wider than the line.
"""

import re

import pyte
from wcwidth import wcswidth, wcwidth

COLUMNS = 100
LINES = 50  # the height programs are told (LINES): absolute cursor moves land in the last LINES lines

# A finished escape sequence: CSI (ECMA-48: parameters, intermediates, a final byte),
# OSC ended by BEL or ST before its line ends, or a short ESC sequence. Any other
# ESC (or C1 CSI/OSC) starts a sequence that never ends: it is dropped, and the
# characters after it are printed as text.
_ESCAPE = re.compile(
    r"((?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[#%()][ -~]"
    r"|\x1b(?![\[\]#%()])[ -~])"
    r"|[\x1b\x9b\x9d]"
)


def _drop_unfinished_escapes(stream: str) -> str:
    return _ESCAPE.sub(lambda match: match[1] or "", stream)


class _GrowingScreen(pyte.Screen):
    """A screen as wide as the longest line and as long as the output. The last LINES lines are the
    viewport that absolute cursor positions refer to; everything above it is kept, as scrollback."""

    top = 0  # the viewport's first line (a class default: pyte's __init__ already moves the cursor)

    def _grow_to(self, line: int) -> None:
        if line >= self.lines:
            self.lines = line + 1
        self.top = max(self.top, line - LINES + 1)

    def index(self) -> None:
        # A linefeed on the bottom line adds a line instead of scrolling the top one away.
        self._grow_to(self.cursor.y + 1)
        super().index()

    def reverse_index(self) -> None:
        self.cursor.y = max(self.top, self.cursor.y - 1)  # at the viewport's top: stay, pushing nothing away

    def set_margins(self, top: int | None = None, bottom: int | None = None) -> None:
        """Scroll regions are ignored: inside one, lines would scroll away and be lost."""

    def cursor_position(self, line: int | None = None, column: int | None = None) -> None:
        target = self.top + (line or 1) - 1
        self._grow_to(target)
        super().cursor_position(target + 1, column)

    def cursor_to_line(self, line: int | None = None) -> None:
        self.cursor_position(line, self.cursor.x + 1)

    def cursor_up(self, count: int | None = None) -> None:
        self.cursor.y = max(self.cursor.y - (count or 1), self.top)

    def erase_in_display(self, how: int = 0, *args: object, **kwargs: object) -> None:
        if how in (2, 3):  # clear the screen: what it showed stays above a new, empty viewport
            used = max(
                (y for y, line in self.buffer.items() if any(cell.data.strip() for cell in line.values())), default=-1
            )
            row = self.cursor.y - self.top
            self.top = used + 1
            self._grow_to(self.top + row)
            self.cursor.y = self.top + row
            return
        super().erase_in_display(how, *args, **kwargs)

    def draw(self, data: str) -> None:
        for char in data:
            width = wcwidth(char)
            if width == 0 and self.cursor.x > 0:
                self._attach(char)
            elif width == 0:  # nothing before it on this line: it gets a cell of its own
                self.buffer[self.cursor.y][0] = self.cursor.attrs._replace(data=char)
                self.cursor.x = 1
            elif width > 0:  # -1: a control character, which shows nothing
                super().draw(char)

    def _attach(self, char: str) -> None:
        line = self.buffer[self.cursor.y]
        x = self.cursor.x - 1
        if x > 0 and line[x].data == "":  # the second cell of a wide character
            x -= 1
        line[x] = line[x]._replace(data=line[x].data + char)

    def text_lines(self) -> list[str]:
        """Each line's text up to its last written cell (pyte's display pads every line to the full width)."""
        rows = (self.buffer[y] for y in range(self.lines))
        return ["".join(row[x].data for x in range(max(row.keys(), default=-1) + 1)) for row in rows]


def _fitting(line: str, columns: int) -> int:
    """How many of the line's first characters fit in `columns`."""
    width = 0
    for index, char in enumerate(line):
        width += max(wcwidth(char), 0)
        if width > columns:
            return index
    return len(line)


def _break(line: str, fits: int) -> int:
    """Where to end a line whose first `fits` characters fit: after its last space (a space just past the
    width may go too: it ends the line), else after its last `/`, else 0 (nowhere: one word fills the line)."""
    for pattern in (r" ", r"/"):
        ends = [match.end() for match in re.finditer(pattern, line[: fits + (pattern == " ")])]
        if ends and line[: ends[-1]].strip():
            return ends[-1]
    return 0


def wrapped(line: str, columns: int) -> list[str]:
    """A line as a terminal `columns` wide shows it, but broken between words or path parts, never inside one."""
    pieces = []
    while wcswidth(line) > columns:
        fits = _fitting(line, columns)
        cut = _break(line, fits)
        if cut:
            pieces.append(line[:cut].rstrip(" "))
            line = line[cut:].lstrip(" ")
        else:  # one word wider than the line: cut it as a terminal does
            pieces.append(line[:fits])
            line = line[fits:]
    return [*pieces, line]


def render_terminal(stream: str, columns: int = COLUMNS) -> str:
    stream = _drop_unfinished_escapes(stream)
    # Wide enough for any line (a character takes at most two columns, a tab eight): nothing wraps early.
    longest = max((2 * len(line.expandtabs()) for line in stream.split("\n")), default=0)
    screen = _GrowingScreen(max(columns, longest + 1), 1)
    screen.set_mode(pyte.modes.LNM)  # "\n" also returns the carriage, as a tty does
    pyte.Stream(screen).feed(stream)
    lines = [piece for line in screen.text_lines() for piece in wrapped(line.rstrip(), columns)]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)
