//! Dashboard tests: insta snapshots of `TestBackend` per screen and for
//! whole flows (keys in, screens out) on the demo fleet with a fixed seed
//! and a frozen clock, and the fixtures the submodules share. Cell-style
//! checks where colour carries meaning and a property test that no size and
//! no key sequence panics live in `checks`; one snapshot per pane in
//! `panes`; rules, insights and regions in `insights`.

use super::app::{App, Effect, Screen};
use super::theme::Theme;
use super::view;
use crate::model::metrics::{TimeRange, plan_detail_queries, plan_fleet_queries};
use crate::poll::Update;
use crate::source::demo::DemoSource;
use crate::source::{Alarms, Inventory, Metrics, Source, SourceError};
use crate::store::Store;
use chrono::{DateTime, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

mod checks;
pub(crate) mod errors;
mod insights;
mod look;
mod panes;
mod signals;

pub(crate) const WINDOW: Duration = Duration::from_secs(3600);

pub(crate) fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T14:25:30Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A store filled from the demo fleet exactly as the pollers would, data
/// fetched 12 s before `now()`.
pub(crate) fn demo_store() -> (Store, DemoSource) {
    demo_store_with(&[])
}

/// The same, evaluating `rules`.
fn demo_store_with(rules: &[crate::model::alarms::AlarmRule]) -> (Store, DemoSource) {
    let demo = DemoSource::new(42).at(now());
    let mut store = Store::new(rules, crate::model::insight::Prices::default());
    fill(&demo, &mut store);
    let at = now() - chrono::Duration::seconds(12);
    block_on(async {
        store.apply(Update::Alarms {
            at,
            result: demo.describe_alarms().await,
        });
        store.apply(Update::Account {
            at,
            result: demo.account_limits().await,
        });
        store.apply(Update::EventSources {
            at,
            result: demo.event_sources().await,
        });
    });
    (store, demo)
}

pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Folds the inventory and one metrics refresh of `src` into `store`, as
/// the pollers would, fetched 12 s before `now()`.
fn fill<S: Source>(src: &S, store: &mut Store) {
    let at = now() - chrono::Duration::seconds(12);
    block_on(async {
        let fns = src.list_functions().await.unwrap();
        let range = TimeRange::ending_at(now(), WINDOW);
        let mut q = plan_fleet_queries(fns.iter().map(|f| &f.id), WINDOW, &[]);
        // The signal metrics of the functions that publish them, as the poller adds them.
        let found = src.discover_signals().await.unwrap();
        q.extend(found.plan(|_| true, crate::model::metrics::series_period(WINDOW)));
        let metrics = src.fetch_metrics(range, &q).await;
        store.apply(Update::Inventory {
            at,
            result: Ok(fns),
            unmatched: vec![],
        });
        store.apply(Update::Metrics {
            at,
            range,
            result: metrics,
            plan: None,
        });
    });
}

/// Adds what the function view's pollers would fetch for `name`.
fn add_detail(store: &mut Store, demo: &DemoSource, name: &crate::model::id::FunctionId) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let at = now() - chrono::Duration::seconds(12);
    rt.block_on(async {
        let range = TimeRange::ending_at(now(), WINDOW);
        let mut q = plan_detail_queries(name, WINDOW);
        let found = demo.discover_signals().await.unwrap();
        let period = crate::model::metrics::series_period(WINDOW);
        q.extend(found.plan_provisioned(name, period));
        let layered = store
            .functions()
            .iter()
            .any(|f| f.id == *name && f.setup.has_lambda_insights());
        if layered {
            q.extend(crate::model::signals::plan_lambda_insights(name, period));
        }
        let result = demo.fetch_metrics(range, &q).await;
        let (async_config, provisioned) = (
            demo.async_config(name).await,
            demo.provisioned_configs(name).await,
        );
        store.apply(Update::InvokeConfig {
            at,
            function: name.clone(),
            result: Ok(crate::message::InvokeConfig {
                async_config,
                provisioned,
            }),
        });
        store.apply(Update::Detail {
            at,
            function: name.clone(),
            range,
            result,
        });
        let deployments = crate::poll::deployments_with_shares(demo, name, range).await;
        store.apply(Update::Deployments {
            at,
            function: name.clone(),
            result: deployments,
        });
        let reserved = demo.reserved_concurrency(name).await;
        store.apply(Update::Reserved {
            at,
            function: name.clone(),
            result: reserved,
        });
    });
}

fn app(color: bool, w: u16, h: u16) -> App {
    let mut a = App::new(
        DemoSource::new(42).describe(),
        WINDOW,
        Duration::from_secs(60),
        Theme::new(color),
    );
    a.on_resize(w, h);
    a
}

fn draw(app: &App, store: &Store) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    t.draw(|f| view::render(f, app, store, now())).unwrap();
    t
}

fn press(app: &mut App, store: &Store, keys: &str) -> Effect {
    let mut last = Effect::None;
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\u{1b}' => KeyCode::Esc,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        last = app.on_key(KeyEvent::new(code, KeyModifiers::NONE), store);
    }
    last
}

#[test]
fn fleet_view_wide() {
    let (store, _) = demo_store();
    let a = app(false, 170, 45);
    insta::assert_snapshot!(draw(&a, &store).backend());
}

#[test]
fn fleet_view_narrow() {
    let (store, _) = demo_store();
    let a = app(false, 100, 30);
    insta::assert_snapshot!(draw(&a, &store).backend());
}

#[test]
fn function_view_flow() {
    let (mut store, demo) = demo_store();
    let mut a = app(false, 140, 45);
    press(&mut a, &store, "jj\n");
    let Screen::Function(name) = a.screen.clone() else {
        panic!("not in the function view")
    };
    assert_eq!(
        a.scope().selected.as_ref().map(ToString::to_string),
        Some(name.to_string())
    );
    add_detail(&mut store, &demo, &name);
    insta::assert_snapshot!(draw(&a, &store).backend());
    press(&mut a, &store, "\u{1b}");
    assert_eq!(a.screen, Screen::Fleet);
    assert_eq!(
        a.selected.as_ref().map(ToString::to_string),
        Some(name.to_string())
    );
}

#[test]
fn help_is_generated_from_the_key_table() {
    let (store, _) = demo_store();
    let mut a = app(false, 140, 44);
    press(&mut a, &store, "?");
    let first = draw(&a, &store).backend().to_string();
    // The help scrolls: every page of it, together.
    let mut screen = String::new();
    for _ in 0..8 {
        screen.push_str(&draw(&a, &store).backend().to_string());
        press(&mut a, &store, " ");
    }
    for b in super::keymap::BINDINGS {
        assert!(
            screen.contains(b.help),
            "help misses '{}':\n{screen}",
            b.help
        );
    }
    let commands = super::command::COMMANDS.join(", ");
    assert!(
        screen.contains(&commands),
        "help misses the commands:\n{screen}"
    );
    insta::assert_snapshot!(first);
    // At 80x24 it fits the width in one column and scrolls to its end.
    let mut small = app(false, 80, 24);
    press(&mut small, &store, "?");
    let top = draw(&small, &store).backend().to_string();
    assert!(top.contains("Help — keys · lines 1–22 of"), "{top}");
    press(&mut small, &store, &" ".repeat(12));
    let end = draw(&small, &store).backend().to_string();
    assert!(end.contains(&commands), "{end}");
}

#[test]
fn filter_and_command_flows() {
    let (store, _) = demo_store();
    let mut a = app(false, 120, 30);
    press(&mut a, &store, "/!api\n");
    let screen = draw(&a, &store).backend().to_string();
    assert!(screen.contains("filter !api (regex)"), "{screen}");
    assert!(screen.contains("Functions 29/30"), "{screen}");
    press(&mut a, &store, "\u{1b}:so\tna\t\n");
    assert_eq!(a.sort, Some(crate::model::fleet::SortColumn::Name));
    insta::assert_snapshot!(draw(&a, &store).backend());
    press(&mut a, &store, ":window 3h\n");
    assert_eq!(a.window, Duration::from_secs(10_800));
    press(&mut a, &store, ":sort p98\n");
    assert!(
        a.message
            .as_ref()
            .is_some_and(|m| m.error && m.text.contains("'p98'"))
    );
    assert_eq!(press(&mut a, &store, ":quit\n"), Effect::Quit);
}

#[test]
fn too_small_loading_and_failing_states() {
    let (store, _) = demo_store();
    insta::assert_snapshot!("too_small", draw(&app(false, 40, 10), &store).backend());
    let empty = Store::default();
    let screen = draw(&app(false, 100, 20), &empty).backend().to_string();
    assert!(
        screen.contains("loading functions") || screen.contains("waiting"),
        "{screen}"
    );
    let mut failing = Store::default();
    failing.apply(Update::Inventory {
        at: now(),
        result: Err(SourceError::Denied {
            api: "lambda:ListFunctions".into(),
            message: "AccessDenied".into(),
        }),
        unmatched: vec![],
    });
    let screen = draw(&app(false, 120, 20), &failing).backend().to_string();
    assert!(
        screen.contains("grant the IAM action 'lambda:ListFunctions'"),
        "{screen}"
    );
}

/// Fills the log pane's buffer for `name` from the demo fleet (15 minutes).
fn add_logs(store: &mut Store, demo: &DemoSource, name: &str) {
    use crate::model::logs::LogQuery;
    use crate::poll::logs::LogUpdate;
    use crate::source::Logs;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let group = crate::model::id::LogGroup::new(format!("/aws/lambda/{name}"));
    let page = rt
        .block_on(demo.filter_log_events(&LogQuery {
            log_group: group.clone(),
            start: now() - chrono::Duration::minutes(15),
            end: Some(now()),
            filter_pattern: None,
            next_token: None,
        }))
        .unwrap();
    store.apply(Update::LogsReset {
        function: name.into(),
        log_group: group,
        from: now() - chrono::Duration::minutes(15),
        capacity: 1000,
        keep: Default::default(),
    });
    for update in [
        LogUpdate::Events {
            group: 0,
            events: page.events,
        },
        LogUpdate::CaughtUp {
            group: 0,
            until: now() - chrono::Duration::seconds(2),
        },
    ] {
        store.apply(Update::Logs {
            function: name.into(),
            update,
        });
    }
}

#[test]
fn log_pane_flow() {
    let (mut store, demo) = demo_store();
    let mut a = app(false, 150, 45);
    press(&mut a, &store, ":filter report-export\n\n");
    assert_eq!(a.screen, Screen::Function("report-export".into()));
    add_logs(&mut store, &demo, "report-export");
    let mut full = draw(&a, &store).backend().to_string();
    assert!(full.contains("following"), "{full}");
    assert!(
        full.contains("REPORT "),
        "REPORT lines are summarised: {full}"
    );
    // Errors only, full screen, UTC: timeouts and their REPORTs stay.
    press(&mut a, &store, "eFt");
    full = draw(&a, &store).backend().to_string();
    assert!(
        full.contains("errors only") && full.contains("UTC"),
        "{full}"
    );
    assert!(
        full.contains("Task timed out after 15.00 seconds"),
        "{full}"
    );
    insta::assert_snapshot!(full);
    // Search pauses on the match; s resumes following.
    press(&mut a, &store, "e/timed out\n");
    assert!(!a.logs.follow);
    assert!(a.logs.search.is_some());
    press(&mut a, &store, "s");
    assert!(a.logs.follow);
    // Requests: [ jumps back to the previous request and pauses.
    press(&mut a, &store, "[");
    assert!(!a.logs.follow);
    // A server-side filter pattern goes into the scope for the poller.
    press(&mut a, &store, "fERROR\n");
    assert_eq!(a.scope().log_filter.as_deref(), Some("ERROR"));
    press(&mut a, &store, "\u{1b}");
    assert!(!a.logs.full);
}

/// One user flow, long on purpose: traces pane → trace view → log pivot →
/// back, with a snapshot at each step; split up, the steps would each need
/// the state the previous ones built.
#[test]
fn traces_pane_trace_view_and_pivots() {
    use crate::model::traces::TraceQuery;
    use crate::source::Traces;
    let (mut store, demo) = demo_store();
    let mut a = app(false, 160, 48);
    press(&mut a, &store, ":filter orders-api\n\n");
    add_logs(&mut store, &demo, "orders-api");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let page = rt
        .block_on(demo.trace_summaries(&TraceQuery {
            start: now() - chrono::Duration::minutes(15),
            end: now(),
            function: "orders-api".into(),
            next_token: None,
            server_filter: true,
        }))
        .unwrap();
    let at = now() - chrono::Duration::seconds(3);
    store.apply(Update::Traces {
        at,
        result: Ok(crate::model::traces::TraceList {
            function: "orders-api".into(),
            summaries: page.summaries,
            client_filtered: false,
        }),
    });
    // Log line → trace: the trace id sits inside the request's REPORT event
    // (as Lambda writes it); `T` on the request's START line finds it.
    let events = &store.logs.as_ref().unwrap().events;
    let xray = events
        .iter()
        .rev()
        .find(|e| e.message.contains("\nXRAY TraceId"))
        .unwrap()
        .clone();
    let req = crate::model::logs::request_id(&xray.message).unwrap();
    let start = events
        .iter()
        .find(|e| e.message.starts_with("START") && e.message.contains(&req))
        .unwrap()
        .clone();
    a.logs.follow = false;
    a.logs.anchor = Some(start.id.clone());
    press(&mut a, &store, "T");
    let Screen::Trace(_, id) = a.screen.clone() else {
        panic!("no trace view: {:?}", a.message)
    };
    assert!(xray.message.contains(&id));
    let tree = rt
        .block_on(crate::poll::traces::fetch_tree(&demo, &id))
        .unwrap();
    store.apply(Update::Trace {
        at,
        id: id.clone(),
        result: Ok(tree),
    });
    assert_eq!(a.scope().open_trace.as_deref(), Some(id.as_str()));
    let screen = draw(&a, &store).backend().to_string();
    assert!(
        screen.contains("orders-api (AWS::Lambda::Function)"),
        "{screen}"
    );
    assert!(screen.contains("Invocation [handler]"), "{screen}");
    // Collapse the function segment, then back to the request's logs.
    press(&mut a, &store, "j ");
    assert_eq!(super::traces::trace_rows(&store, &a.traces).len(), 2);
    press(&mut a, &store, "l");
    assert_eq!(a.screen, Screen::Function("orders-api".into()));
    // The trace's own time and its request found by the search; no filter
    // (it would hide the request's lines that carry no id).
    assert_eq!(a.log_filter(), None);
    assert!(a.logs.search.is_some() && !a.logs.follow);
    let from = a.scope().log_from.unwrap();
    assert!(from < now(), "{from}");
    // The traces pane: Tab focuses it, Enter opens the selected trace.
    press(&mut a, &store, "\t");
    insta::assert_snapshot!(draw(&a, &store).backend());
    press(&mut a, &store, "x\n");
    assert!(
        matches!(a.screen, Screen::Function(_)),
        "no faults: nothing to open"
    );
    press(&mut a, &store, "x\n");
    assert!(matches!(a.screen, Screen::Trace(..)));
}

/// A canary: checkout-flow's `live` alias sends a tenth of its calls to
/// the newest version, which fails more; the function view shows each
/// version's share and marks the canary.
#[test]
fn a_canary_alias_shows_each_versions_share() {
    let (mut store, demo) = demo_store();
    let mut a = app(false, 160, 45);
    let name: crate::model::id::FunctionId = "checkout-flow".into();
    a.selected = Some(name.clone());
    a.show_function(name.clone());
    add_detail(&mut store, &demo, &name);
    let d = store.deployments_of(&name).unwrap();
    assert_eq!(d.shares.len(), 2, "{d:?}");
    let (primary, canary) = (&d.shares[0], &d.shares[1]);
    assert!((primary.weight - 0.9).abs() < 1e-9 && (canary.weight - 0.1).abs() < 1e-9);
    assert!(canary.fails_more_than(primary), "{primary:?} {canary:?}");
    let whole = store.function_summary(&name);
    let sum = |f: fn(&crate::model::versions::VersionShare) -> Option<f64>| {
        d.shares.iter().map(|s| f(s).unwrap_or(0.0)).sum::<f64>()
    };
    assert_eq!(
        Some(sum(|s| s.invocations)),
        whole.invocations,
        "the shares add up"
    );
    assert_eq!(Some(sum(|s| s.errors)), whole.errors);
    insta::assert_snapshot!(draw(&a, &store).backend());
}

/// A queue whose last poll failed marks its function in the fleet and
/// names the problem in the function view's title.
#[test]
fn a_failing_event_source_is_named_in_the_function_view() {
    let (store, _) = demo_store();
    let mut a = app(false, 160, 45);
    let name: crate::model::id::FunctionId = "sms-notifier".into();
    a.selected = Some(name.clone());
    a.show_function(name);
    let text = format!("{:?}", draw(&a, &store).backend());
    assert!(
        text.contains("⚠ sqs outbound-sms Enabled PROBLEM"),
        "{text}"
    );
}
