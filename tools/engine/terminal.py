"""Turn a captured output stream into the text a terminal would leave on screen.

Progress bars redraw themselves with carriage returns and cursor moves; pyte, a
terminal emulator, replays them so the page shows the final screen, not the
keystrokes that drew it.
"""

import pyte

COLUMNS = 100


def render_terminal(stream: str, columns: int = COLUMNS) -> str:
    # A screen taller than the whole stream never scrolls, so no line is lost.
    screen = pyte.Screen(columns, stream.count("\n") + 2)
    screen.set_mode(pyte.modes.LNM)  # "\n" also returns the carriage, as a tty does
    pyte.Stream(screen).feed(stream)
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)
