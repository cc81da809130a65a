//! How the message table shows long keys and values: the value column's horizontal shift
//! (`>` and `<`) and the selected row wrapped over several lines (`w`).

/// Columns counted at most when measuring a value for `>`: a larger value reads as this long.
const MEASURE_CAP: usize = 1 << 20;

/// The message table's view of long values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableView {
    /// Columns of every value skipped before its first shown column.
    pub shift: usize,
    /// True while the selected row's key and value wrap over several lines.
    pub wrap: bool,
}

impl TableView {
    /// The columns one `>` or `<` moves on a terminal `width` columns wide: a third of it,
    /// less than the value column on any width, so that a press keeps some text in view.
    pub fn step(width: u16) -> usize {
        (width as usize / 3).max(8)
    }

    /// `>`: further right, or back to the start once past the end of the longest of
    /// `values` (the visible ones), so that repeated presses cycle through them.
    pub fn shift_right<'a>(&mut self, values: impl Iterator<Item = &'a [u8]>, width: u16) {
        let longest = values
            .map(|v| crate::render::escaped_cols(v, MEASURE_CAP))
            .max()
            .unwrap_or(0);
        let next = self.shift + Self::step(width);
        self.shift = if next >= longest { 0 } else { next };
    }

    /// `<`: back left, at most to the start.
    pub fn shift_left(&mut self, width: u16) {
        self.shift = self.shift.saturating_sub(Self::step(width));
    }

    /// `w`: wrap the selected row, or stop.
    pub fn toggle_wrap(&mut self) {
        self.wrap = !self.wrap;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_steps_through_the_longest_value_then_cycles_back() {
        let long = vec![b'a'; 100];
        let short = b"xy".to_vec();
        let values = || [long.as_slice(), short.as_slice()].into_iter();
        let mut v = TableView::default();
        // 120 columns: steps of 40.
        v.shift_right(values(), 120);
        assert_eq!(v.shift, 40);
        v.shift_right(values(), 120);
        assert_eq!(v.shift, 80);
        v.shift_right(values(), 120);
        assert_eq!(
            v.shift, 0,
            "past the end of the longest value: back to the start"
        );
        v.shift_right(values(), 120);
        v.shift_left(120);
        v.shift_left(120);
        assert_eq!(v.shift, 0);
        // Nothing longer than one step: nothing to shift.
        v.shift_right([short.as_slice()].into_iter(), 120);
        assert_eq!(v.shift, 0);
        // Escapes count as the columns they take: 30 bytes of ESC are 60 columns.
        v.shift_right([[0x1bu8; 30].as_slice()].into_iter(), 120);
        assert_eq!(v.shift, 40);
    }

    #[test]
    fn w_toggles_the_wrap() {
        let mut v = TableView::default();
        v.toggle_wrap();
        assert!(v.wrap);
        v.toggle_wrap();
        assert!(!v.wrap);
    }
    #[test]
    fn skipping_columns_passes_whole_escapes() {
        use crate::render::{fit_line, skip_cols};
        assert_eq!(skip_cols(b"abcdef", 2), (2, 2));
        // `\e` is two columns: skipping one passes all of it.
        assert_eq!(skip_cols(b"\x1bxyz", 1), (1, 2));
        assert_eq!(skip_cols(b"\xffz", 3), (1, 4));
        assert_eq!(skip_cols("\u{e9}t\u{e9}".as_bytes(), 2), (3, 2));
        assert_eq!(skip_cols(b"ab", 10), (2, 2));
        // Whole when it fits, else cut with the `…` inside the width.
        assert_eq!(fit_line(b"abcd", 4), "abcd");
        assert_eq!(fit_line(b"abcde", 4), "abc…");
        assert_eq!(fit_line(b"a\x1b", 3), r"a\e");
        assert_eq!(fit_line(b"ab\x1b", 3), "ab…");
    }
}
