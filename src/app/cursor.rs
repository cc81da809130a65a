//! `Cursor`: a selected row and the first visible row of a scrolling list.

/// Selection and scroll position of a list of `len` rows shown `rows` at a time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The selected row.
    pub selected: usize,
    /// The first row on screen.
    pub top: usize,
}

impl Cursor {
    /// Moves the selection by `delta` rows, clamped to the list.
    pub fn move_by(&mut self, delta: isize, len: usize, rows: usize) {
        let target = (self.selected as isize).saturating_add(delta).max(0) as usize;
        self.select(target, len, rows);
    }

    /// Selects `index` (clamped) and scrolls so that it is visible.
    pub fn select(&mut self, index: usize, len: usize, rows: usize) {
        self.selected = index.min(len.saturating_sub(1));
        self.scroll_into_view(len, rows);
    }

    /// Adjusts `top` so the selection is on screen and the screen is as full as it can be.
    pub fn scroll_into_view(&mut self, len: usize, rows: usize) {
        let rows = rows.max(1);
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + rows {
            self.top = self.selected + 1 - rows;
        }
        self.top = self.top.min(len.saturating_sub(rows));
    }

    /// The list lost `n` rows at its front: keep the same row selected when it is still there.
    pub fn shift_up(&mut self, n: usize) {
        self.selected = self.selected.saturating_sub(n);
        self.top = self.top.saturating_sub(n);
    }

    /// The list gained `n` rows at its front.
    pub fn shift_down(&mut self, n: usize) {
        self.selected += n;
        self.top += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_and_scrolls() {
        let mut c = Cursor::default();
        c.move_by(12, 100, 10);
        assert_eq!(
            c,
            Cursor {
                selected: 12,
                top: 3
            }
        );
        c.move_by(-5, 100, 10);
        assert_eq!(
            c,
            Cursor {
                selected: 7,
                top: 3
            }
        );
        c.move_by(1000, 100, 10);
        assert_eq!(
            c,
            Cursor {
                selected: 99,
                top: 90
            }
        );
        c.move_by(-1000, 100, 10);
        assert_eq!(
            c,
            Cursor {
                selected: 0,
                top: 0
            }
        );
        c.select(5, 3, 10);
        assert_eq!(
            c,
            Cursor {
                selected: 2,
                top: 0
            }
        );
    }
}
