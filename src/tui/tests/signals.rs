//! The signal metrics on screen: the fleet's signal columns and the
//! function view's sections, on the demo's stories (a lagging stream
//! consumer, an async function dropping events, an alias spilling over).

use super::*;

fn function_screen(name: &str) -> String {
    let (mut store, demo) = demo_store();
    let id: crate::model::id::FunctionId = name.into();
    add_detail(&mut store, &demo, &id);
    let mut a = app(false, 160, 45);
    a.selected = Some(id.clone());
    a.show_function(id);
    draw(&a, &store).backend().to_string()
}

/// The rows of the signals box (the logs column only).
fn signals_box(screen: &str) -> Vec<String> {
    let left = |l: &str| l.chars().skip(1).take(99).collect::<String>();
    let rows: Vec<String> = screen.lines().map(left).collect();
    let Some(top) = rows.iter().position(|l| l.contains(" signals ")) else {
        return vec!["(no signals box)".into()];
    };
    let len = rows[top..]
        .iter()
        .position(|l| l.starts_with('└'))
        .map_or(rows.len() - top, |n| n + 1);
    rows[top..top + len].to_vec()
}

#[test]
fn fleet_signal_columns() {
    let (store, _) = demo_store();
    let mut a = app(false, 140, 40);
    press(&mut a, &store, "cc");
    insta::assert_snapshot!("fleet_signal_columns", draw(&a, &store).backend());
}

#[test]
fn function_view_signal_sections() {
    let mut shots = String::new();
    for name in [
        "stream-consumer",
        "webhook-fanout",
        "checkout-flow",
        "auth-authorizer",
        "orders-api",
    ] {
        let screen = function_screen(name);
        let signals = signals_box(&screen);
        shots.push_str(&format!("== {name}\n{}\n", signals.join("\n")));
    }
    insta::assert_snapshot!("function_view_signal_sections", shots);
}

/// An endpoint without the provisioned concurrency API (the emulator
/// answers 404): the section keeps the metrics and says the allocation is
/// n/a from this endpoint.
#[test]
fn provisioned_section_without_the_api_says_n_a() {
    let (mut store, demo) = demo_store();
    let id: crate::model::id::FunctionId = "checkout-flow".into();
    add_detail(&mut store, &demo, &id);
    store.apply(Update::InvokeConfig {
        at: now(),
        function: id.clone(),
        result: Ok(crate::message::InvokeConfig {
            async_config: Ok(None),
            provisioned: Err(SourceError::Unsupported {
                api: "lambda:ListProvisionedConcurrencyConfigs".into(),
                message: "HTTP 404".into(),
            }),
        }),
    });
    let mut a = app(false, 160, 45);
    a.selected = Some(id.clone());
    a.show_function(id);
    let text = draw(&a, &store).backend().to_string();
    let line = signals_box(&text).join("\n");
    assert!(
        line.contains("utilization max 100.0% · spillover 8519 · allocated n/a from this endpoint"),
        "{line}"
    );
}

/// The order's quick test and the warning list agree on every function.
#[test]
fn the_quick_warning_test_agrees_with_the_warning_list() {
    let (store, _) = demo_store();
    let at = store.inventory.updated_at.unwrap();
    let mut warned = 0;
    for (f, _, flagged) in store.functions_with_warnings() {
        let listed = !store.warnings_of(f, at).is_empty();
        assert_eq!(flagged, listed, "{}", f.id);
        warned += usize::from(listed);
    }
    assert!(warned >= 4, "the demo's stories are warned: {warned}");
}
