//! The log pane's view state and navigation: follow/pause, wrap, time
//! zone, errors only, search with next/previous match, jumps between
//! requests, full screen. Pure over the store's log buffer.

use crate::model::logs::{LineKind, LogEvent, analyze, display_text, request_id};
use crate::store::logbuf::LogBuffer;
use regex::Regex;
use std::cell::RefCell;

/// How the log pane shows its buffer.
#[derive(Debug, Clone)]
pub struct LogView {
    /// Stick to the newest event.
    pub follow: bool,
    /// Wrap long lines.
    pub wrap: bool,
    /// Timestamps in UTC (else local time).
    pub utc: bool,
    /// Only errors and timeouts.
    pub errors_only: bool,
    /// The pane fills the screen.
    pub full: bool,
    /// Client-side search, highlighted.
    pub search: Option<Regex>,
    /// When paused: the event id shown at the bottom.
    pub anchor: Option<String>,
    /// An event whose JSON is shown pretty-printed.
    pub expanded: Option<String>,
    /// The search's matches among the visible events, computed once per
    /// buffer change (a frame must not re-read 50,000 lines).
    pub(crate) matches: RefCell<Option<Matches>>,
    /// Waiting for the search's lines to arrive (`l` from a trace reads
    /// back to the request): once they do, the pane stops at the last one.
    pub seek: bool,
}

/// The positions (in `visible`) of the search's matches, and what they
/// were computed for.
#[derive(Debug, Clone)]
pub(crate) struct Matches {
    generation: u64,
    pattern: String,
    errors_only: bool,
    hits: Vec<usize>,
}

impl Default for LogView {
    fn default() -> Self {
        Self {
            follow: true,
            wrap: false,
            utc: false,
            errors_only: false,
            full: false,
            search: None,
            anchor: None,
            expanded: None,
            matches: RefCell::new(None),
            seek: false,
        }
    }
}

/// Longest message drawn; a 1 MB line must not slow a frame.
pub const DRAWN_CHARS: usize = 4096;

/// The text the pane draws for an event (a REPORT as its summary, JSON
/// compact…). Search reads this same text, so what is highlighted is what
/// `n`/`N` find, and the count agrees with both.
pub fn drawn_text(e: &LogEvent) -> String {
    let info = analyze(&e.message);
    display_text(&e.message, &info)
        .unwrap_or_else(|| e.message.trim_end().chars().take(DRAWN_CHARS).collect())
}

/// Parses a search pattern (case-insensitive regex; literal when invalid).
pub fn search_regex(text: &str) -> Option<Regex> {
    if text.is_empty() {
        return None;
    }
    crate::model::text::user_regex(text).map(|(r, _)| r)
}

impl LogView {
    /// The events shown, oldest first.
    pub fn visible<'a>(&self, buf: &'a LogBuffer) -> Vec<&'a LogEvent> {
        buf.events
            .iter()
            .filter(|e| !self.errors_only || analyze(&e.message).is_failure())
            .collect()
    }

    /// Index (into `visible`) of the bottom line.
    pub fn bottom(&self, visible: &[&LogEvent]) -> Option<usize> {
        if visible.is_empty() {
            return None;
        }
        match (&self.anchor, self.follow) {
            (Some(id), false) => visible
                .iter()
                .position(|e| &e.id == id)
                .or(Some(visible.len() - 1)),
            _ => Some(visible.len() - 1),
        }
    }

    fn set_bottom(&mut self, visible: &[&LogEvent], i: usize) {
        if let Some(e) = visible.get(i) {
            self.anchor = Some(e.id.clone());
            self.follow = i + 1 == visible.len() && self.follow;
        }
    }

    /// Once the search's lines have arrived (see [`LogView::seek`]), puts
    /// the last of them at the bottom, paused: the request's lines in view.
    /// `buf` is the pane's buffer as it stands.
    pub fn settle_seek(&mut self, buf: Option<&LogBuffer>) {
        let (true, Some(re), Some(buf)) = (self.seek, self.search.clone(), buf) else {
            return;
        };
        let vis = self.visible(buf);
        if let Some(i) = (0..vis.len())
            .rev()
            .find(|i| re.is_match(&drawn_text(vis[*i])))
        {
            self.follow = false;
            self.seek = false;
            self.set_bottom(&vis, i);
        }
    }

    /// Scrolls by `delta` lines (negative: up); scrolling pauses following.
    pub fn scroll(&mut self, buf: Option<&LogBuffer>, delta: isize) {
        self.seek = false;
        let Some(buf) = buf else { return };
        let vis = self.visible(buf);
        let Some(cur) = self.bottom(&vis) else { return };
        self.follow = false;
        let next = (cur as isize + delta).clamp(0, vis.len() as isize - 1) as usize;
        self.set_bottom(&vis, next);
    }

    /// Whether the oldest event is on screen (a pane of `page` lines): the
    /// next scroll up has nothing older to show.
    pub fn oldest_in_view(&self, buf: &LogBuffer, page: usize) -> bool {
        let vis = self.visible(buf);
        self.bottom(&vis).is_none_or(|b| b < page)
    }

    /// The lines drawn in a pane of `height` rows: the bottom line and the
    /// ones above it, or — near the oldest event — the first `height`, so
    /// the pane never shows one line over empty rows.
    pub fn window(&self, visible: &[&LogEvent], height: usize) -> Option<(usize, usize)> {
        let bottom = self.bottom(visible)?;
        let height = height.max(1);
        let end = bottom.max(visible.len().min(height) - 1);
        Some(((end + 1).saturating_sub(height), end))
    }

    /// Back to the newest event, following.
    pub fn follow_newest(&mut self) {
        self.follow = true;
        self.anchor = None;
    }

    /// Pauses (keeping the current bottom line) or resumes following.
    pub fn toggle_follow(&mut self, buf: Option<&LogBuffer>) {
        if self.follow {
            if let Some(buf) = buf {
                let vis = self.visible(buf);
                self.anchor = vis.last().map(|e| e.id.clone());
            }
            self.follow = false;
        } else {
            self.follow_newest();
        }
    }

    /// Moves to the next (`forward`) or previous event matching `pred`.
    fn jump(
        &mut self,
        buf: Option<&LogBuffer>,
        forward: bool,
        pred: impl Fn(&LogEvent) -> bool,
    ) -> bool {
        let Some(buf) = buf else { return false };
        let vis = self.visible(buf);
        let Some(cur) = self.bottom(&vis) else {
            return false;
        };
        let hit = if forward {
            (cur + 1..vis.len()).find(|i| pred(vis[*i]))
        } else {
            (0..cur).rev().find(|i| pred(vis[*i]))
        };
        match hit {
            Some(i) => {
                self.follow = false;
                self.set_bottom(&vis, i);
                true
            }
            None => false,
        }
    }

    /// Expands the bottom line's JSON (or collapses it); false when the
    /// line is not JSON.
    pub fn toggle_expand(&mut self, buf: Option<&LogBuffer>) -> bool {
        let Some(buf) = buf else { return false };
        let vis = self.visible(buf);
        let Some(e) = self.bottom(&vis).map(|i| vis[i]) else {
            return false;
        };
        if self.expanded.as_deref() == Some(e.id.as_str()) {
            self.expanded = None;
            return true;
        }
        if serde_json::from_str::<serde_json::Value>(e.message.trim()).is_ok_and(|v| v.is_object())
        {
            self.expanded = Some(e.id.clone());
            return true;
        }
        false
    }

    /// Next/previous search match; false when there is none.
    pub fn next_match(&mut self, buf: Option<&LogBuffer>, forward: bool) -> bool {
        let Some(re) = self.search.clone() else {
            return false;
        };
        self.jump(buf, forward, |e| re.is_match(&drawn_text(e)))
    }

    /// Where the bottom line stands among the search's matches: `(n, of)`,
    /// `n` counting the matches up to and including the bottom line.
    pub fn match_position(&self, buf: &LogBuffer) -> Option<(usize, usize)> {
        let re = self.search.as_ref()?;
        let vis = self.visible(buf);
        let bottom = self.bottom(&vis)?;
        let mut cache = self.matches.borrow_mut();
        let fresh = cache.as_ref().is_some_and(|m| {
            m.generation == buf.generation
                && m.pattern == re.as_str()
                && m.errors_only == self.errors_only
        });
        if !fresh {
            let hits = (0..vis.len())
                .filter(|i| re.is_match(&drawn_text(vis[*i])))
                .collect();
            *cache = Some(Matches {
                generation: buf.generation,
                pattern: re.as_str().to_string(),
                errors_only: self.errors_only,
                hits,
            });
        }
        let hits = &cache.as_ref()?.hits;
        let n = hits.iter().filter(|i| **i <= bottom).count();
        Some((n, hits.len()))
    }

    /// Next/previous request (its START, or its first line).
    pub fn next_request(&mut self, buf: Option<&LogBuffer>, forward: bool) -> bool {
        let Some(b) = buf else { return false };
        let vis = self.visible(b);
        let current = self.bottom(&vis).and_then(|i| request_id(&vis[i].message));
        self.jump(buf, forward, |e| {
            let info = analyze(&e.message);
            info.request_id.is_some()
                && info.request_id != current
                && (info.kind == LineKind::Start || !forward)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn buf(lines: &[&str]) -> LogBuffer {
        let mut b = LogBuffer::new("f".into(), "/g".into(), 100);
        b.push(
            lines
                .iter()
                .enumerate()
                .map(|(i, m)| LogEvent {
                    id: format!("{i:03}"),
                    timestamp: DateTime::from_timestamp(i as i64, 0).unwrap(),
                    ingestion_time: None,
                    stream: String::new(),
                    message: m.to_string(),
                })
                .collect(),
        );
        b
    }

    const A: &str = "aaaaaaaa-0000-0000-0000-000000000001";
    const B: &str = "bbbbbbbb-0000-0000-0000-000000000002";

    #[test]
    fn follow_pause_scroll_search_and_request_jumps() {
        let lines = [
            format!("START RequestId: {A} Version: $LATEST"),
            format!("2024-05-01T12:00:00.000Z\t{A}\tERROR\tboom"),
            format!("END RequestId: {A}"),
            format!("START RequestId: {B} Version: $LATEST"),
            format!("REPORT RequestId: {B}\tDuration: 1.00 ms"),
        ];
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let b = buf(&refs);
        let mut v = LogView::default();
        assert_eq!(v.bottom(&v.visible(&b)), Some(4));
        v.scroll(Some(&b), -2);
        assert!(!v.follow);
        assert_eq!(v.bottom(&v.visible(&b)), Some(2));
        assert!(v.next_request(Some(&b), true));
        assert_eq!(v.bottom(&v.visible(&b)), Some(3));
        assert!(v.next_request(Some(&b), false));
        assert_eq!(v.bottom(&v.visible(&b)), Some(2));
        v.search = search_regex("BOOM");
        assert!(v.next_match(Some(&b), false));
        assert_eq!(v.bottom(&v.visible(&b)), Some(1));
        assert!(!v.next_match(Some(&b), false));
        v.errors_only = true;
        assert_eq!(v.visible(&b).len(), 1);
        v.follow_newest();
        v.toggle_follow(Some(&b));
        assert!(!v.follow && v.anchor.is_some());
    }
}
