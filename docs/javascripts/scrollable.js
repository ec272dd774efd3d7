// A box that scrolls sideways must be reachable with the keyboard, to scroll it with the arrow keys
// (axe: scrollable-region-focusable). Material makes a code block focusable when it is wider than its box
// as first drawn; the code font, arriving after that, can make it wider, and tables scroll on a phone.
// So once the fonts are in, and after every resize, each box that scrolls gets a tab stop.
function markScrollable() {
  for (const box of document.querySelectorAll(".md-typeset pre > code, .md-typeset__scrollwrap")) {
    if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
  }
}

document.fonts.ready.then(markScrollable);
window.addEventListener("resize", markScrollable);
