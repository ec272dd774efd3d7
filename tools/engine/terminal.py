"""Turn a captured output stream into the text a terminal would leave on screen.

Progress bars redraw themselves with carriage returns and cursor moves; pyte, a
terminal emulator, replays them so the page shows the final screen, not the
keystrokes that drew it. Unlike a real terminal, nothing printed may be lost:
the screen grows instead of scrolling, characters that take no column (joiners,
variation selectors, combining marks, the vowels of decomposed Hangul) stay with
the character before them, and an escape sequence that never ends is shown as
text instead of swallowing what follows it.
"""

import re

import pyte
from wcwidth import wcwidth

COLUMNS = 100

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
    def index(self) -> None:
        # A linefeed on the bottom line adds a line instead of scrolling the top one away.
        if self.cursor.y == self.lines - 1 and not self.margins:
            self.lines += 1
        super().index()

    def draw(self, data: str) -> None:
        for char in data:
            width = wcwidth(char)
            if width == 0 and self.cursor.x > 0:
                self._attach(char)
            elif width == 0:  # nothing before it on this line: it gets a cell of its own
                self.buffer[self.cursor.y][0] = self.cursor.attrs._replace(data=char)
                self.cursor.x = 1
            elif width > 0:  # -1: a control character, which shows nothing
                if self.cursor.x + width > self.columns and pyte.modes.DECAWM in self.mode:
                    # A character that does not fit wraps whole, as a terminal wraps it.
                    self.carriage_return()
                    self.linefeed()
                super().draw(char)

    def _attach(self, char: str) -> None:
        line = self.buffer[self.cursor.y]
        x = self.cursor.x - 1
        if x > 0 and line[x].data == "":  # the second cell of a wide character
            x -= 1
        line[x] = line[x]._replace(data=line[x].data + char)


def render_terminal(stream: str, columns: int = COLUMNS) -> str:
    screen = _GrowingScreen(columns, 1)
    screen.set_mode(pyte.modes.LNM)  # "\n" also returns the carriage, as a tty does
    pyte.Stream(screen).feed(_drop_unfinished_escapes(stream))
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)
