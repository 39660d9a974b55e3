//! Keeps the raw editor's overlay in step with its highlighted lines. Only the lines in view (and a
//! margin around them) are in the page, moved with the textarea's scroll position: a keystroke in a
//! 100 KB body redraws the one line it changed among a few dozen, and the browser lays out and paints
//! those few dozen rather than the whole body.

use std::ops::Range;

use web_sys::Element;

/// The overlay's line height in pixels, as `www/styles.css` sets it for `.wa-code`.
pub const LINE_HEIGHT: i32 = 20;
/// Lines drawn above and below the view, so a small scroll shows lines already there.
const MARGIN_LINES: usize = 12;

#[derive(Default)]
pub struct LinePainter {
    /// Every line's HTML.
    lines: Vec<String>,
    /// The lines in the page.
    drawn: Range<usize>,
    /// The textarea's scroll position, as its last `scroll` event said.
    scroll_top: i32,
    scroll_left: i32,
    /// How many lines the textarea shows at once.
    view_lines: usize,
}

impl LinePainter {
    /// Shows `lines` in `container` (the overlay's one child), redrawing only the drawn lines that
    /// changed.
    pub fn set_lines(&mut self, container: &Element, lines: Vec<String>, view_lines: usize) {
        let same_count = lines.len() == self.lines.len();
        let previous = std::mem::replace(&mut self.lines, lines);
        self.view_lines = view_lines;
        if !same_count || self.wanted() != self.drawn {
            // Lines moved (one was added or removed) or the view changed: draw the view afresh.
            self.redraw(container);
            return;
        }
        let children = container.children();
        for (offset, index) in self.drawn.clone().enumerate() {
            if previous[index] != self.lines[index] {
                if let Some(line) = children.item(offset as u32) {
                    line.set_inner_html(&self.lines[index]);
                }
            }
        }
    }

    /// Follows the textarea's scroll position, drawing the lines that came into view.
    pub fn scroll_to(&mut self, container: &Element, top: i32, left: i32) {
        self.scroll_top = top;
        self.scroll_left = left;
        let wanted = self.wanted();
        if wanted.start < self.drawn.start || wanted.end > self.drawn.end {
            self.redraw(container);
        } else {
            self.place(container);
        }
    }

    /// The lines the view and its margin cover.
    fn wanted(&self) -> Range<usize> {
        let first_in_view = usize::try_from(self.scroll_top / LINE_HEIGHT).unwrap_or(0);
        let start = first_in_view.saturating_sub(MARGIN_LINES);
        let end = (first_in_view + self.view_lines + MARGIN_LINES).min(self.lines.len());
        start.min(end)..end
    }

    fn redraw(&mut self, container: &Element) {
        self.drawn = self.wanted();
        let lines = &self.lines[self.drawn.clone()];
        let mut html = String::with_capacity(lines.iter().map(|line| line.len() + 11).sum());
        for line in lines {
            html.push_str("<div>");
            html.push_str(line);
            html.push_str("</div>");
        }
        container.set_inner_html(&html);
        self.place(container);
    }

    /// Moves the drawn lines to where the textarea shows them.
    fn place(&self, container: &Element) {
        let top = self.drawn.start as i32 * LINE_HEIGHT - self.scroll_top;
        let style = format!("transform: translate({}px, {top}px)", -self.scroll_left);
        let _ = container.set_attribute("style", &style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn painter(lines: usize, scroll_top: i32, view_lines: usize) -> LinePainter {
        LinePainter {
            lines: vec![String::new(); lines],
            scroll_top,
            view_lines,
            ..LinePainter::default()
        }
    }

    #[test]
    fn the_view_and_its_margin_are_drawn() {
        assert_eq!(painter(800, 0, 24).wanted(), 0..36);
        assert_eq!(painter(800, 400 * LINE_HEIGHT + 7, 24).wanted(), 388..436);
        assert_eq!(painter(800, 790 * LINE_HEIGHT, 24).wanted(), 778..800);
        assert_eq!(painter(5, 0, 6).wanted(), 0..5);
        assert_eq!(painter(0, 0, 6).wanted(), 0..0);
    }
}
