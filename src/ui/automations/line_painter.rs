//! Keeps the raw editor's overlay and gutter in step with its highlighted lines. Only the lines in view
//! (and a margin around them) are made and put in the page, with their numbers, moved with the
//! textarea's scroll position: a keystroke in a 100 KB body makes a few dozen lines' HTML and redraws
//! the one it changed, and the browser lays out and paints those few dozen rather than the whole body.

use std::ops::Range;

use web_sys::Element;

/// The overlay's line height in pixels, as `www/styles.css` sets it for `.wa-code`.
pub const LINE_HEIGHT: i32 = 20;
/// Lines drawn above and below the view, so a small scroll shows lines already there.
const MARGIN_LINES: usize = 12;

/// Where the painter draws: the overlay's one child (the lines) and the gutter's (their numbers).
pub struct Canvas<'a> {
    pub lines: &'a Element,
    pub numbers: &'a Element,
}

#[derive(Default)]
pub struct LinePainter {
    /// How many lines the text has.
    line_count: usize,
    /// The lines in the page, and their HTML.
    drawn: Range<usize>,
    drawn_html: Vec<String>,
    /// The textarea's scroll position, as its last `scroll` event said.
    scroll_top: i32,
    scroll_left: i32,
    /// How many lines the textarea shows at once.
    view_lines: usize,
}

impl LinePainter {
    /// Shows a text of `line_count` lines on `canvas`, `line_html` making a line's HTML from its
    /// index: the lines in view are made, and only those that changed are redrawn (all of them at
    /// once when lines were added or removed, which moves them).
    pub fn paint(
        &mut self,
        canvas: &Canvas,
        line_count: usize,
        view_lines: usize,
        line_html: impl Fn(usize) -> String,
    ) {
        let lines_moved = line_count != self.line_count;
        self.line_count = line_count;
        self.view_lines = view_lines;
        if lines_moved || self.wanted() != self.drawn {
            self.redraw(canvas, line_html);
            return;
        }
        let children = canvas.lines.children();
        for (offset, index) in self.drawn.clone().enumerate() {
            let html = line_html(index);
            if self.drawn_html[offset] != html {
                if let Some(line) = children.item(offset as u32) {
                    line.set_inner_html(&html);
                }
                self.drawn_html[offset] = html;
            }
        }
    }

    /// Follows the textarea's scroll position, drawing the lines that came into view.
    pub fn scroll_to(
        &mut self,
        canvas: &Canvas,
        top: i32,
        left: i32,
        line_html: impl Fn(usize) -> String,
    ) {
        self.scroll_top = top;
        self.scroll_left = left;
        let wanted = self.wanted();
        if wanted.start < self.drawn.start || wanted.end > self.drawn.end {
            self.redraw(canvas, line_html);
        } else {
            self.place(canvas);
        }
    }

    /// The lines the view and its margin cover.
    fn wanted(&self) -> Range<usize> {
        let first_in_view = usize::try_from(self.scroll_top / LINE_HEIGHT).unwrap_or(0);
        let start = first_in_view.saturating_sub(MARGIN_LINES);
        let end = (first_in_view + self.view_lines + MARGIN_LINES).min(self.line_count);
        start.min(end)..end
    }

    fn redraw(&mut self, canvas: &Canvas, line_html: impl Fn(usize) -> String) {
        self.drawn = self.wanted();
        self.drawn_html = self.drawn.clone().map(line_html).collect();
        let mut html =
            String::with_capacity(self.drawn_html.iter().map(|line| line.len() + 11).sum());
        for line in &self.drawn_html {
            html.push_str("<div>");
            html.push_str(line);
            html.push_str("</div>");
        }
        canvas.lines.set_inner_html(&html);
        let numbers: Vec<String> = self
            .drawn
            .clone()
            .map(|line| (line + 1).to_string())
            .collect();
        canvas.numbers.set_text_content(Some(&numbers.join("\n")));
        self.place(canvas);
    }

    /// Moves the drawn lines and their numbers to where the textarea shows them (the numbers do not
    /// scroll sideways).
    fn place(&self, canvas: &Canvas) {
        let top = self.drawn.start as i32 * LINE_HEIGHT - self.scroll_top;
        let lines = format!("transform: translate({}px, {top}px)", -self.scroll_left);
        let _ = canvas.lines.set_attribute("style", &lines);
        let numbers = format!("transform: translateY({top}px)");
        let _ = canvas.numbers.set_attribute("style", &numbers);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn painter(lines: usize, scroll_top: i32, view_lines: usize) -> LinePainter {
        LinePainter {
            line_count: lines,
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
