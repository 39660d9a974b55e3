//! Which rows of a long table are worth rendering: those in view plus a margin above and below, so
//! scrolling shows rendered rows before the next window is drawn.

use std::ops::Range;

/// Every history row is exactly this tall (the stylesheet fixes it), so a row's position is its
/// index times this, and the rows out of the window are replaced by spacers of known height.
pub const ROW_HEIGHT_PX: f64 = 40.0;
/// Rows rendered beyond each edge of the view.
pub const MARGIN_ROWS: usize = 20;

/// The rows to render out of `row_count`, for a view `viewport_px` tall scrolled down `scroll_top_px`.
pub fn visible_rows(scroll_top_px: f64, viewport_px: f64, row_count: usize) -> Range<usize> {
    let first_in_view = (scroll_top_px.max(0.0) / ROW_HEIGHT_PX).floor() as usize;
    let in_view = (viewport_px.max(0.0) / ROW_HEIGHT_PX).ceil() as usize + 1;
    let start = first_in_view.saturating_sub(MARGIN_ROWS).min(row_count);
    let end = (first_in_view + in_view + MARGIN_ROWS).min(row_count);
    start..end
}

/// The height in pixels of `rows` rows.
pub fn height_of(rows: usize) -> f64 {
    rows as f64 * ROW_HEIGHT_PX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_renders_the_view_and_the_margin_below() {
        assert_eq!(visible_rows(0.0, 400.0, 100_000), 0..31);
        assert_eq!(visible_rows(0.0, 400.0, 12), 0..12);
        assert_eq!(visible_rows(0.0, 400.0, 0), 0..0);
    }

    #[test]
    fn deep_in_the_list_the_window_follows_the_scroll() {
        let window = visible_rows(height_of(50_000), 400.0, 100_000);
        assert_eq!(window, 49_980..50_031);
        assert!(window.len() <= 200);
        assert_eq!(
            visible_rows(height_of(100_000), 400.0, 100_000),
            99_980..100_000
        );
    }

    #[test]
    fn odd_measurements_never_panic() {
        assert_eq!(visible_rows(-50.0, -1.0, 10), 0..10);
        assert_eq!(visible_rows(f64::NAN, 400.0, 10), 0..10);
    }
}
