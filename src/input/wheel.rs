//! Wheel events as RFB wheel clicks. RFB has no wheel distance, only button 4/5 (up,
//! down) and 6/7 (left, right) clicks, so small pixel deltas (trackpads) are summed
//! until they make a step, one axis at a time, as noVNC does (`core/rfb.js`
//! `_handleWheel`: 50 px a step, a line counted as 19 px).

/// Pixels that make one click.
pub const STEP_PX: f64 = 50.0;
/// Pixels one line (or page: noVNC treats both alike) counts for.
pub const LINE_PX: f64 = 19.0;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WheelAccumulator {
    x: f64,
    y: f64,
}

impl WheelAccumulator {
    /// Adds one `WheelEvent` (`deltaMode` 0 pixels, 1 lines, 2 pages) and returns the
    /// clicks to send as (dy, dx): each -1, 0 or 1, negative up or left.
    pub fn add(&mut self, delta_x: f64, delta_y: f64, delta_mode: u32) -> (i32, i32) {
        let scale = if delta_mode == 0 { 1.0 } else { LINE_PX };
        // A non-finite delta (a hostile synthetic event) counts as nothing.
        let finite = |d: f64| if d.is_finite() { d * scale } else { 0.0 };
        self.x += finite(delta_x);
        self.y += finite(delta_y);
        (step(&mut self.y), step(&mut self.x))
    }
}

fn step(acc: &mut f64) -> i32 {
    if acc.abs() < STEP_PX {
        return 0;
    }
    let click = if *acc < 0.0 { -1 } else { 1 };
    *acc = 0.0;
    click
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vertical_scroll_sends_only_vertical_clicks() {
        let mut w = WheelAccumulator::default();
        assert_eq!(w.add(0.0, 100.0, 0), (1, 0), "no horizontal click rides along");
        assert_eq!(w.add(0.0, -100.0, 0), (-1, 0));
        assert_eq!(w.add(60.0, 0.0, 0), (0, 1));
    }

    #[test]
    fn small_pixel_deltas_add_up_to_one_click() {
        let mut w = WheelAccumulator::default();
        let clicks: Vec<(i32, i32)> = (0..10).map(|_| w.add(0.0, 12.0, 0)).collect();
        assert_eq!(clicks.iter().filter(|c| c.0 == 1).count(), 2, "120 px is two clicks of 50 px: {clicks:?}");
        assert!(clicks.iter().all(|c| c.1 == 0));
    }

    #[test]
    fn lines_count_as_19_pixels_and_junk_as_nothing() {
        let mut w = WheelAccumulator::default();
        assert_eq!(w.add(0.0, 2.0, 1), (0, 0), "38 px");
        assert_eq!(w.add(0.0, 1.0, 1), (1, 0), "57 px");
        assert_eq!(w.add(f64::NAN, f64::INFINITY, 0), (0, 0));
    }
}
