//! Small drawing helpers: text sparklines and chart data.

use crate::model::metrics::Series;
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A sparkline of `width` characters: buckets summed, scaled to the
/// largest bucket; gaps (no datapoint) are blank, zero is the lowest bar.
pub fn spark(series: Option<&Series>, width: usize) -> String {
    let Some(s) = series.filter(|s| !s.is_empty()) else {
        return " ".repeat(width);
    };
    let buckets = bucket_sums(s, width);
    let max = buckets.iter().flatten().copied().fold(0.0, f64::max);
    buckets
        .iter()
        .map(|b| match b {
            None => ' ',
            Some(_) if max <= 0.0 => BARS[0],
            Some(v) => BARS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

/// Chart points `(minutes from window start, value)` of the present points.
pub fn points(series: Option<&Series>) -> Vec<(f64, f64)> {
    let Some(s) = series else { return Vec::new() };
    let step = f64::from(s.period_s) / 60.0;
    s.points()
        .enumerate()
        .filter_map(|(i, p)| p.map(|v| (i as f64 * step, v)))
        .collect()
}

/// What a pane says instead of its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder {
    /// Loading, waiting, or nothing there (dim).
    Quiet(String),
    /// Why the data is missing (error colour, wrapped so it is read whole:
    /// it often names the IAM action to grant).
    Failed(String),
}

/// Draws `what` in `area`, inside `block` when given.
pub fn placeholder(
    frame: &mut ratatui::Frame,
    area: ratatui::layout::Rect,
    block: Option<ratatui::widgets::Block>,
    what: Placeholder,
    t: crate::tui::theme::Theme,
) {
    use ratatui::widgets::{Paragraph, Wrap};
    let p = match what {
        Placeholder::Quiet(text) => Paragraph::new(text).style(t.dim()),
        Placeholder::Failed(text) => Paragraph::new(text)
            .style(t.error())
            .wrap(Wrap { trim: true }),
    };
    frame.render_widget(
        match block {
            Some(b) => p.block(b),
            None => p,
        },
        area,
    );
}

/// The series summed into `width` buckets (`None`: no point in it).
fn bucket_sums(s: &Series, width: usize) -> Vec<Option<f64>> {
    let n = s.len();
    let width = width.max(1);
    (0..width)
        .map(|i| {
            let (a, b) = (
                i * n / width,
                ((i + 1) * n / width).max(i * n / width + 1).min(n),
            );
            let vals: Vec<f64> = s.points_in(a..=b - 1).flatten().collect();
            (!vals.is_empty()).then(|| vals.iter().sum())
        })
        .collect()
}

/// The fleet's TREND: invocations as a sparkline, the minutes with errors
/// drawn in the error style (so a burst shows on the fleet screen).
pub fn trend(
    invocations: Option<&Series>,
    errors: Option<&Series>,
    width: usize,
    t: Theme,
) -> Line<'static> {
    let bars: Vec<char> = spark(invocations, width).chars().collect();
    let failing: Vec<bool> = match (invocations.filter(|s| !s.is_empty()), errors) {
        (Some(_), Some(e)) if e.len() == invocations.map_or(0, Series::len) => {
            bucket_sums(e, width)
                .iter()
                .map(|b| b.is_some_and(|v| v > 0.0))
                .collect()
        }
        _ => vec![false; bars.len()],
    };
    let spans: Vec<Span<'static>> = bars
        .iter()
        .zip(failing.iter().chain(std::iter::repeat(&false)))
        .map(|(c, bad)| {
            let style = if *bad { t.error() } else { t.series(0) };
            Span::styled(c.to_string(), style)
        })
        .collect();
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::metrics::TimeRange;
    use chrono::DateTime;

    /// The minutes with errors are drawn in the error style, the others in
    /// the series' own (with and without colour).
    #[test]
    fn trend_marks_the_minutes_with_errors() {
        let r = TimeRange {
            start: DateTime::from_timestamp(0, 0).unwrap(),
            end: DateTime::from_timestamp(240, 0).unwrap(),
        };
        let at = |s| DateTime::from_timestamp(s, 0).unwrap();
        let inv = Series::from_points(
            r,
            60,
            [(at(0), 5.0), (at(60), 5.0), (at(120), 5.0), (at(180), 5.0)],
        );
        let err = Series::from_points(
            r,
            60,
            [(at(0), 0.0), (at(60), 0.0), (at(120), 0.0), (at(180), 2.0)],
        );
        for color in [true, false] {
            let t = Theme::new(color);
            let line = trend(Some(&inv), Some(&err), 4, t);
            let styles: Vec<_> = line.spans.iter().map(|s| s.style).collect();
            assert_eq!(styles.len(), 4);
            assert_eq!(styles[3], t.error());
            assert!(styles[..3].iter().all(|s| *s == t.series(0)));
            assert_ne!(t.error(), t.series(0), "colour {color}: the mark must show");
        }
    }

    #[test]
    fn sparkline_scales_and_shows_gaps() {
        let r = TimeRange {
            start: DateTime::from_timestamp(0, 0).unwrap(),
            end: DateTime::from_timestamp(240, 0).unwrap(),
        };
        let s = Series::from_points(
            r,
            60,
            [
                (r.start, 1.0),
                (DateTime::from_timestamp(120, 0).unwrap(), 4.0),
            ],
        );
        assert_eq!(spark(Some(&s), 4), "▃ █ ");
        assert_eq!(spark(None, 3), "   ");
        assert_eq!(points(Some(&s)), vec![(0.0, 1.0), (2.0, 4.0)]);
    }
}
