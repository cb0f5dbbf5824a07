//! The three metric charts of the function view (calls; duration with the
//! timeout as a reference line; concurrency against reserved concurrency)
//! and the chart drawing they share. Separate from the parent because the
//! ratatui chart plumbing is independent of the text boxes around it.

use crate::format;
use crate::model::function::FunctionInfo;
use crate::model::metrics::{MetricKey, MetricKind, Series, Stat};
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::view::widgets::points;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType};

/// The three charts of one function over the window.
pub(super) struct Charts<'a> {
    /// The app (theme, window).
    pub(super) app: &'a App,
    /// Where the series are read.
    pub(super) store: &'a Store,
    /// The function charted.
    pub(super) info: &'a FunctionInfo,
    /// The window in minutes (the x axis).
    pub(super) window_min: f64,
    /// Where the latest deploy falls on the x axis, when inside the
    /// window, and its legend (`v42` when the version is known).
    pub(super) deploy: Option<(f64, String)>,
}

impl<'a> Charts<'a> {
    /// A series of the fleet refresh.
    fn get(&self, kind: MetricKind, stat: Stat) -> Option<&'a Series> {
        self.store
            .series(&MetricKey::function(&self.info.id, kind, stat))
    }

    /// A duration percentile of the detail refresh (per period).
    fn detail(&self, stat: Stat) -> Option<&'a Series> {
        let key = MetricKey::function(&self.info.id, MetricKind::Duration, stat);
        self.store.detail_series(&self.info.id, &key)
    }

    /// Invocations, errors and throttles per period. Errors and throttles
    /// are usually a sliver of the invocations: when they would draw as a
    /// flat line, they get a scale of their own (the legend says `×k`).
    pub(super) fn calls(&self, frame: &mut Frame, area: Rect) {
        let t = self.app.theme;
        let inv = points(self.get(MetricKind::Invocations, Stat::Sum));
        let top = peak(&inv);
        let mut lines = vec![Plot::new("invocations", inv, t.series(0))];
        for (name, kind, style) in [
            ("errors", MetricKind::Errors, t.series(1)),
            ("throttles", MetricKind::Throttles, t.series(2)),
        ] {
            lines.push(Plot::new(name, points(self.get(kind, Stat::Sum)), style).own_scale(top));
        }
        let title = "Calls / period".to_string();
        chart(
            frame,
            area,
            self.app,
            title,
            lines,
            self.window_min,
            None,
            Unit::Count,
            self.deploy.as_ref(),
        );
    }

    /// Duration avg/p50/p99/max, with the timeout as a reference line when
    /// it is on a readable scale.
    pub(super) fn duration(&self, frame: &mut Frame, area: Rect) {
        let t = self.app.theme;
        let timeout_ms = f64::from(self.info.timeout_s) * 1000.0;
        let duration = [
            (
                "avg",
                self.get(MetricKind::Duration, Stat::Average),
                t.series(0),
            ),
            ("p50", self.detail(Stat::P50), t.series(4)),
            ("p99", self.detail(Stat::P99), t.series(3)),
            (
                "max",
                self.get(MetricKind::Duration, Stat::Maximum),
                t.series(1),
            ),
        ];
        let peak = duration
            .iter()
            .filter_map(|d| d.1.and_then(Series::max))
            .fold(0.0, f64::max);
        let (reference, title) = if peak >= timeout_ms * 0.2 {
            (
                Some(("timeout", timeout_ms)),
                "Duration ms (timeout line)".to_string(),
            )
        } else {
            (
                None,
                format!(
                    "Duration ms (timeout {} off scale)",
                    format::ms(Some(timeout_ms))
                ),
            )
        };
        let lines = duration
            .iter()
            .map(|(name, s, style)| Plot::new(name, points(*s), *style))
            .collect();
        chart(
            frame,
            area,
            self.app,
            title,
            lines,
            self.window_min,
            reference,
            Unit::Ms,
            self.deploy.as_ref(),
        );
    }

    /// Concurrency against reserved concurrency.
    pub(super) fn concurrency(&self, frame: &mut Frame, area: Rect) {
        let t = self.app.theme;
        let reserved = self
            .store
            .reserved
            .get(&self.info.id)
            .and_then(|s| s.value)
            .flatten();
        let conc = points(self.get(MetricKind::ConcurrentExecutions, Stat::Maximum));
        let busiest = peak(&conc);
        // A reservation far above the peak would squash the line flat: it
        // is drawn only when within 3× the peak, else named in the title.
        let (title, line) = match reserved.map(f64::from) {
            Some(r) if r <= 3.0 * busiest.max(1.0) => {
                (format!("Concurrency (reserved {r})"), Some(("reserved", r)))
            }
            Some(r) => (format!("Concurrency (reserved {r}, off scale)"), None),
            None => ("Concurrency (unreserved)".into(), None),
        };
        let lines = vec![Plot::new("concurrency", conc, t.series(0))];
        chart(
            frame,
            area,
            self.app,
            title,
            lines,
            self.window_min,
            line,
            Unit::Count,
            self.deploy.as_ref(),
        );
    }
}

/// One line of a chart: its label, its points (minutes into the window,
/// value) and its style.
struct Plot {
    name: String,
    data: Vec<(f64, f64)>,
    style: Style,
}

impl Plot {
    fn new(name: &str, data: Vec<(f64, f64)>, style: Style) -> Self {
        Self {
            name: name.to_string(),
            data,
            style,
        }
    }

    /// Scales this line up when, beside a line peaking at `top`, it would
    /// draw flat (its peak under 5 % of `top`): to half of `top`, by a
    /// whole factor the legend names (`errors ×40`).
    fn own_scale(mut self, top: f64) -> Self {
        let own = peak(&self.data);
        if own > 0.0 && top > 0.0 && own < top * 0.05 {
            let k = (top * 0.5 / own).floor().max(1.0);
            for p in &mut self.data {
                p.1 *= k;
            }
            self.name = format!("{} ×{k}", self.name);
        }
        self
    }
}

/// The largest value of `data` (0 when empty).
fn peak(data: &[(f64, f64)]) -> f64 {
    data.iter().map(|p| p.1).fold(0.0, f64::max)
}

/// What a chart's y axis counts, for its labels.
#[derive(Clone, Copy)]
enum Unit {
    Count,
    Ms,
}

impl Unit {
    fn label(self, v: f64) -> String {
        match self {
            Self::Count => format::count(Some(v)),
            Self::Ms => format::ms(Some(v)),
        }
    }
}

/// Draws one chart of `lines` over the window, with an optional labelled
/// reference line (a timeout, a reservation) that also lifts the y axis,
/// and the latest deploy as a vertical line when it is in the window.
/// The legend sits in the title, never over the newest minutes; the axes
/// are labelled at 0, half and top, and at the window's start, middle and
/// now.
#[allow(clippy::too_many_arguments)]
fn chart(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    name: String,
    lines: Vec<Plot>,
    window_min: f64,
    reference: Option<(&str, f64)>,
    unit: Unit,
    deploy: Option<&(f64, String)>,
) {
    let t = app.theme;
    let mut top = lines.iter().map(|l| peak(&l.data)).fold(0.0, f64::max);
    let reference_line = reference.map(|(_, v)| vec![(0.0, v), (window_min, v)]);
    if let Some((_, v)) = reference {
        top = top.max(v);
    }
    let top = if top <= 0.0 { 1.0 } else { top * 1.1 };
    let empty = lines.iter().all(|l| l.data.is_empty());
    let mut title = vec![Span::styled(
        format!(" {name}{} ", if empty { " · no data" } else { "" }),
        t.title(),
    )];
    for l in &lines {
        title.push(Span::styled(format!("━{} ", l.name), l.style));
    }
    if let Some((label, _)) = reference {
        title.push(Span::styled(format!("┄{label} "), t.warn()));
    }
    let mut first = Vec::new();
    if let Some((_, label)) = deploy {
        // The deploy's line would be unexplained without its label.
        first.push(title.len());
        title.push(Span::styled(format!("┆{label} "), t.warn()));
    }
    let title = fit_legend(title, &first, area.width.saturating_sub(2));
    // The deploy: a vertical line at its minute, the full height.
    let deploy_line = deploy.map(|(x, _)| vec![(*x, 0.0), (*x, top)]);
    let mut datasets: Vec<Dataset> = lines
        .iter()
        .map(|l| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(l.style)
                .data(&l.data)
        })
        .collect();
    if let Some(line) = reference_line.as_ref() {
        datasets.push(
            Dataset::default()
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(t.warn())
                .data(line),
        );
    }
    if let Some(line) = deploy_line.as_ref() {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(t.warn())
                .data(line),
        );
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(ratatui::text::Line::from(title));
    // The middle time label only where it fits whole (a cut `-30m` reads
    // `-30`).
    let mut x_labels = vec![Span::styled(
        format!("-{}", format::window(app.window)),
        t.dim(),
    )];
    if area.width >= 36 {
        x_labels.push(Span::styled(
            format!("-{}", format::window(app.window / 2)),
            t.dim(),
        ));
    }
    x_labels.push(Span::styled("now", t.dim()));
    let chart = Chart::new(datasets)
        .block(block)
        .legend_position(None)
        .x_axis(Axis::default().bounds([0.0, window_min]).labels(x_labels))
        .y_axis(Axis::default().bounds([0.0, top]).labels(vec![
            Span::raw("0"),
            Span::raw(unit.label(top / 2.0)),
            Span::raw(unit.label(top)),
        ]));
    frame.render_widget(chart, area);
}

/// The title's items that fit `width` whole, in their order: the chart's
/// name first, then the items at `first`, then the others from the left
/// while they fit; an item that does not fit is left out, never cut.
fn fit_legend<'a>(mut items: Vec<Span<'a>>, first: &[usize], width: u16) -> Vec<Span<'a>> {
    let mut room = usize::from(width);
    // A name too long for the box loses its parenthesis (`Duration ms
    // (timeout 29.00s off scale)` → `Duration ms`), never its end.
    if let Some(name) = items.first_mut()
        && name.width() > room
        && let Some((short, _)) = name.content.split_once(" (")
    {
        *name = Span::styled(format!("{short} "), name.style);
    }
    let mut keep = vec![false; items.len()];
    let mut take = |i: usize, keep: &mut Vec<bool>| {
        let w = items[i].width();
        let fits = w <= room || i == 0;
        if fits {
            keep[i] = true;
            room = room.saturating_sub(w);
        }
        fits
    };
    for i in (0..items.len().min(1)).chain(first.iter().copied()) {
        take(i, &mut keep);
    }
    // The others from the left, up to the first that does not fit (a
    // legend never skips a series to name a later one).
    for i in (1..items.len()).filter(|i| !first.contains(i)) {
        if !take(i, &mut keep) {
            break;
        }
    }
    items
        .into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_legend_item_that_does_not_fit_is_left_out_whole() {
        let items = vec![
            Span::raw(" Calls "),
            Span::raw("━invocations "),
            Span::raw("━errors "),
            Span::raw("┆v42 "),
        ];
        let texts = |v: Vec<Span>| v.iter().map(|s| s.content.to_string()).collect::<Vec<_>>();
        assert_eq!(
            texts(fit_legend(items.clone(), &[3], 25)),
            [" Calls ", "━invocations ", "┆v42 "]
        );
        assert_eq!(
            texts(fit_legend(items.clone(), &[3], 12)),
            [" Calls ", "┆v42 "]
        );
        assert_eq!(texts(fit_legend(items.clone(), &[3], 3)), [" Calls "]);
        // A short series after one that does not fit stays out too.
        assert_eq!(texts(fit_legend(items, &[], 16)), [" Calls "]);
        // A long name loses its parenthesis, not its end.
        let long = vec![
            Span::raw(" Duration ms (timeout 29.00s off scale) "),
            Span::raw("━avg "),
        ];
        assert_eq!(
            texts(fit_legend(long.clone(), &[], 20)),
            [" Duration ms ", "━avg "]
        );
        assert_eq!(texts(fit_legend(long, &[], 60)).len(), 2);
    }

    /// Errors a sliver of the invocations get their own scale, named in
    /// the legend; errors that already show keep theirs.
    #[test]
    fn a_sliver_gets_its_own_scale_and_says_so() {
        let style = Style::default();
        let small = Plot::new("errors", vec![(0.0, 2.0), (1.0, 5.0)], style).own_scale(1000.0);
        assert_eq!(small.name, "errors ×100");
        assert_eq!(peak(&small.data), 500.0);
        let shown = Plot::new("errors", vec![(0.0, 80.0)], style).own_scale(1000.0);
        assert_eq!((shown.name.as_str(), peak(&shown.data)), ("errors", 80.0));
        let none = Plot::new("errors", vec![(0.0, 0.0)], style).own_scale(1000.0);
        assert_eq!(none.name, "errors");
    }
}
