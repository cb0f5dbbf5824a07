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

    /// Invocations, errors and throttles per period.
    pub(super) fn calls(&self, frame: &mut Frame, area: Rect) {
        let t = self.app.theme;
        let calls = [
            (
                "invocations",
                self.get(MetricKind::Invocations, Stat::Sum),
                t.series(0),
            ),
            (
                "errors",
                self.get(MetricKind::Errors, Stat::Sum),
                t.series(1),
            ),
            (
                "throttles",
                self.get(MetricKind::Throttles, Stat::Sum),
                t.series(2),
            ),
        ];
        let title = "Calls / period".to_string();
        chart(frame, area, self.app, title, &calls, self.window_min, None);
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
        chart(
            frame,
            area,
            self.app,
            title,
            &duration,
            self.window_min,
            reference,
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
        let conc = [(
            "concurrency",
            self.get(MetricKind::ConcurrentExecutions, Stat::Maximum),
            t.series(0),
        )];
        let title = match reserved {
            Some(r) => format!("Concurrency (reserved {r})"),
            None => "Concurrency (unreserved)".into(),
        };
        let line = reserved.map(|r| ("reserved", f64::from(r)));
        chart(frame, area, self.app, title, &conc, self.window_min, line);
    }
}

/// One line of a chart: its label, its series and its style.
type Line3<'a> = (&'a str, Option<&'a Series>, Style);

/// Draws one chart of `series` over the window, with an optional labelled
/// reference line (a timeout, a reservation) that also lifts the y axis.
fn chart(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    name: String,
    series: &[Line3<'_>],
    window_min: f64,
    reference: Option<(&str, f64)>,
) {
    let t = app.theme;
    let data: Vec<Vec<(f64, f64)>> = series.iter().map(|s| points(s.1)).collect();
    let mut top = data.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
    let reference_line = reference.map(|(_, v)| vec![(0.0, v), (window_min, v)]);
    if let Some((_, v)) = reference {
        top = top.max(v);
    }
    let top = if top <= 0.0 { 1.0 } else { top * 1.1 };
    let mut datasets: Vec<Dataset> = series
        .iter()
        .zip(&data)
        .map(|(s, d)| {
            Dataset::default()
                .name(s.0.to_string())
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(s.2)
                .data(d)
        })
        .collect();
    if let (Some((label, _)), Some(line)) = (reference, reference_line.as_ref()) {
        datasets.push(
            Dataset::default()
                .name(format!("{label} ┄"))
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(t.warn())
                .data(line),
        );
    }
    let empty = data.iter().all(Vec::is_empty);
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {name}{} ", if empty { " · no data" } else { "" }),
        t.title(),
    ));
    let window_label = format!("-{}", format::window(app.window));
    let chart = Chart::new(datasets)
        .block(block)
        .x_axis(Axis::default().bounds([0.0, window_min]).labels(vec![
            Span::styled(window_label, t.dim()),
            Span::styled("now", t.dim()),
        ]))
        .y_axis(
            Axis::default()
                .bounds([0.0, top])
                .labels(vec![Span::raw("0"), Span::raw(format::count(Some(top)))]),
        );
    frame.render_widget(chart, area);
}
