use super::*;
use chrono::TimeZone;

fn ids(n: usize) -> Vec<FunctionId> {
    (0..n)
        .map(|i| FunctionId::new(format!("fn-{i:05}")))
        .collect()
}

fn t(minute: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + minute * 60, 0).unwrap()
}

const DEFAULT: Budget = Budget {
    per_hour: Some(DEFAULT_BUDGET_PER_HOUR),
    refresh: Duration::from_secs(60),
};

/// What a refresh of `plan` reads when the first `active` functions of
/// the fleet are the busy ones: 1 invocation each, 0 for the rest.
fn sums(plan: &RefreshPlan, active: &HashSet<FunctionId>) -> HashMap<MetricKey, f64> {
    let mut out = HashMap::new();
    let value = |f: &FunctionId| if active.contains(f) { 1.0 } else { 0.0 };
    for f in &plan.full {
        for k in [
            MetricKind::Invocations,
            MetricKind::Errors,
            MetricKind::Throttles,
        ] {
            out.insert(MetricKey::function(f, k, Stat::Sum), value(f));
        }
    }
    for f in &plan.checked {
        out.insert(
            MetricKey::function(f, MetricKind::Invocations, Stat::Sum),
            value(f),
        );
    }
    out
}

/// Runs `refreshes` refreshes (each with its second pass) and returns the
/// metrics requested by each and the last plan.
fn run(
    fleet: &[FunctionId],
    active: &HashSet<FunctionId>,
    needs: &Needs,
    budget: Budget,
    refreshes: i64,
) -> (Vec<usize>, RefreshPlan, Tiers) {
    let mut tiers = Tiers::default();
    let mut costs = Vec::new();
    let mut last = RefreshPlan::default();
    for r in 0..refreshes {
        let mut plan = tiers.plan(fleet, needs, budget);
        let awake = tiers.observe(&plan, &sums(&plan, active), t(r));
        let second = Tiers::plan_awake(awake, needs);
        tiers.observe(&second, &sums(&second, active), t(r));
        plan.absorb(second);
        costs.push(plan.function_metrics() + needs.extra);
        last = plan;
    }
    (costs, last, tiers)
}

fn screen(fleet: &[FunctionId], rows: usize) -> Needs {
    let on: HashSet<FunctionId> = fleet.iter().take(rows).cloned().collect();
    Needs {
        must: on.clone(),
        percentiles: on,
        all_percentiles: false,
        extra: 2,
    }
}

#[test]
fn unlimited_reads_active_in_full_and_checks_every_idle_function_each_refresh() {
    let fleet = ids(100);
    let active: HashSet<_> = fleet.iter().take(5).cloned().collect();
    let unlimited = Budget {
        per_hour: None,
        ..DEFAULT
    };
    let (costs, plan, _) = run(&fleet, &active, &Needs::default(), unlimited, 3);
    // First refresh: everyone checked (100), the 5 awake read in full (30).
    assert_eq!(costs[0], 130);
    // Then: 5 active in full, 95 idle checked.
    assert_eq!(costs[1..], [5 * 6 + 95, 5 * 6 + 95]);
    assert_eq!((plan.active_round, plan.idle_round), (1, 1));
    assert!(!plan.slowed() && !plan.over_budget);
}

#[test]
fn a_thousand_functions_fifty_active_stay_under_the_default_budget() {
    let fleet = ids(1000);
    // The busy functions sort first, so the 12 rows on screen are busy.
    let active: HashSet<_> = fleet.iter().take(50).cloned().collect();
    let needs = screen(&fleet, 12);
    let (costs, plan, _) = run(&fleet, &active, &needs, DEFAULT, 6);
    let allowed = DEFAULT.per_refresh().unwrap();
    assert_eq!(allowed, 833);
    for c in &costs[1..] {
        assert!(*c <= allowed, "{c} metrics > {allowed}: {costs:?}");
    }
    // Every active function in full every refresh; idle in two turns.
    assert_eq!(plan.full.len(), 50);
    assert_eq!(plan.active_round, 1);
    assert_eq!(plan.idle_round, 2);
    // What the rows and the busy rest leave is spent on checks: 495.
    assert_eq!(plan.checked.len(), 833 - (2 + 50 * 6 + 12 * 3));
    assert_eq!(costs[5], 833);
}

#[test]
fn an_idle_function_that_wakes_is_read_in_full_within_two_refreshes() {
    let fleet = ids(1000);
    let mut active: HashSet<_> = fleet.iter().take(50).cloned().collect();
    let needs = screen(&fleet, 12);
    let (_, _, mut tiers) = run(&fleet, &active, &needs, DEFAULT, 3);
    let sleeper = fleet[777].clone();
    active.insert(sleeper.clone());
    let mut read_in = None;
    for r in 3..6 {
        let plan = tiers.plan(&fleet, &needs, DEFAULT);
        let awake = tiers.observe(&plan, &sums(&plan, &active), t(r));
        let second = Tiers::plan_awake(awake, &needs);
        tiers.observe(&second, &sums(&second, &active), t(r));
        if second.full.contains(&sleeper) {
            read_in = Some(r - 2);
            break;
        }
    }
    assert!(read_in.is_some_and(|n| n <= 2), "{read_in:?}");
    // From then on it is active: in full every refresh.
    let plan = tiers.plan(&fleet, &needs, DEFAULT);
    assert!(plan.full.contains(&sleeper));
    assert!(!plan.checked.contains(&sleeper));
}

#[test]
fn the_first_refresh_checks_every_function_once_whatever_the_budget() {
    let fleet = ids(5000);
    let mut tiers = Tiers::default();
    let plan = tiers.plan(&fleet, &Needs::default(), DEFAULT);
    assert_eq!(plan.checked.len(), 5000);
    assert!(plan.full.is_empty());
}

#[test]
fn past_the_budget_the_tiers_slow_to_the_slowest_turn_and_say_so() {
    let fleet = ids(5000);
    let active: HashSet<_> = fleet.iter().take(250).cloned().collect();
    // Everything must stay fresh (a rule on every function).
    let needs = Needs {
        must: fleet.iter().cloned().collect(),
        ..Needs::default()
    };
    let (_, plan, _) = run(&fleet, &active, &needs, DEFAULT, 2);
    assert!(plan.over_budget);
    assert_eq!(plan.full.len(), 5000);
}

#[test]
fn a_large_active_tier_is_read_in_turns_inside_the_budget() {
    let fleet = ids(5000);
    let active: HashSet<_> = fleet.iter().take(1000).cloned().collect();
    let needs = screen(&fleet, 12);
    let (costs, plan, _) = run(&fleet, &active, &needs, DEFAULT, 8);
    assert!(plan.active_round > 1, "{plan:?}");
    assert!(!plan.over_budget);
    let allowed = DEFAULT.per_refresh().unwrap();
    // Turns round up, so one refresh may go a few metrics over; the
    // average over a turn stays within the budget.
    let mean = costs[2..].iter().sum::<usize>() / costs[2..].len();
    assert!(mean <= allowed + 6, "{mean} > {allowed}: {costs:?}");
}

#[test]
fn a_function_whose_series_failed_is_first_in_line_next_time() {
    let fleet = ids(10);
    let active = HashSet::new();
    let budget = Budget {
        per_hour: Some(0.0001),
        refresh: Duration::from_secs(60),
    };
    let (_, _, mut tiers) = run(&fleet, &active, &Needs::default(), budget, 1);
    let plan = tiers.plan(&fleet, &Needs::default(), budget);
    assert!(plan.over_budget);
    let first = plan.checked.clone();
    // Nothing came back: every checked function keeps its place.
    tiers.observe(&plan, &HashMap::new(), t(1));
    let again = tiers.plan(&fleet, &Needs::default(), budget);
    assert_eq!(again.checked, first);
}

#[test]
fn the_budget_per_refresh_scales_with_the_refresh() {
    assert_eq!(DEFAULT.per_refresh(), Some(833));
    let ten = Budget {
        per_hour: Some(3.0),
        refresh: Duration::from_secs(10),
    };
    assert_eq!(ten.per_refresh(), Some(833));
    assert!((cost_per_hour(833, Duration::from_secs(60)) - 0.4998).abs() < 1e-9);
}

/// The README's table: steady-state cost at 5 % active with 20 rows on
/// screen, before (9 series per function every refresh) and after.
#[test]
fn cost_at_five_percent_active_before_and_after() {
    let mut lines = Vec::new();
    for n in [100, 1000, 5000] {
        let fleet = ids(n);
        let active: HashSet<_> = fleet.iter().take(n / 20).cloned().collect();
        let needs = screen(&fleet, 20);
        let (costs, plan, _) = run(&fleet, &active, &needs, DEFAULT, 40);
        let steady = costs[10..].iter().sum::<usize>() as f64 / costs[10..].len() as f64;
        let after = cost_per_hour(steady.round() as usize, DEFAULT.refresh);
        let before = cost_per_hour(9 * n + 2, DEFAULT.refresh);
        assert!(
            after <= DEFAULT_BUDGET_PER_HOUR + 0.005,
            "{n}: ${after:.3}/h"
        );
        lines.push(format!(
            "{n}: before ${before:.2}/h, after ${after:.3}/h ({steady:.0} metrics a refresh), \
             active every {} idle every {} refreshes",
            plan.active_round, plan.idle_round
        ));
    }
    eprintln!("{}", lines.join("\n"));
}

#[test]
fn a_small_fleet_is_read_in_full_at_first_sight_in_one_pass() {
    let fleet = ids(30);
    let mut tiers = Tiers::default();
    let needs = Needs {
        all_percentiles: true,
        extra: 2,
        ..Needs::default()
    };
    let plan = tiers.plan(&fleet, &needs, DEFAULT);
    assert_eq!((plan.full.len(), plan.checked.len()), (30, 0));
    assert_eq!(plan.percentiles.len(), 30);
    // One more than a call holds: checked first.
    let plan = Tiers::default().plan(&ids(56), &needs, DEFAULT);
    assert_eq!((plan.full.len(), plan.checked.len()), (0, 56));
}
