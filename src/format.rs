//! Number formatting shared by every face, so the dashboard and `--once`
//! print the same value the same way. `None` is always "n/a".

/// A count, compact above 100k.
pub fn count(n: Option<f64>) -> String {
    match n.filter(|v| v.is_finite()) {
        None => "n/a".into(),
        Some(v) if v.abs() < 100_000.0 => format!("{}", v.round() as i64),
        Some(v) if v.abs() < 1_000_000.0 => format!("{:.1}k", v / 1000.0),
        Some(v) => format!("{:.1}M", v / 1e6),
    }
}

/// A count in a column whose largest value is `column_max`: from 1,000
/// on compact (`17.4k`) when the column reaches 100k, so one column reads
/// one way (not `159.2k` beside `17386`).
pub fn count_in(n: Option<f64>, column_max: Option<f64>) -> String {
    let compact = column_max.is_some_and(|m| m.abs() >= 100_000.0);
    match n.filter(|v| v.is_finite()) {
        Some(v) if compact && v.abs() >= 1000.0 && v.abs() < 1e6 => {
            format!("{:.1}k", v / 1000.0)
        }
        _ => count(n),
    }
}

/// Dollars in a column whose cheapest non-zero value is `column_min`:
/// every value with the decimals the cheapest needs (not `$0.01` beside
/// `$0.0091` and `$0`).
pub fn money_in(n: Option<f64>, column_min: Option<f64>) -> String {
    let fine = column_min.is_some_and(|m| m > 0.0 && m < 0.01);
    match n.filter(|v| v.is_finite()) {
        None => "n/a".into(),
        Some(v) if v >= 100.0 => format!("${v:.0}"),
        Some(v) if fine => format!("${v:.4}"),
        Some(v) => format!("${v:.2}"),
    }
}

/// The largest of `values` (`None` when none is known).
pub fn column_max(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    values.into_iter().flatten().reduce(f64::max)
}

/// The smallest non-zero of `values` (`None` when none is).
pub fn column_min_nonzero(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    values
        .into_iter()
        .flatten()
        .filter(|v| *v > 0.0)
        .reduce(f64::min)
}

/// A duration in ms, in the unit that reads best.
pub fn ms(n: Option<f64>) -> String {
    match n.filter(|v| v.is_finite()) {
        None => "n/a".into(),
        Some(v) if v < 10.0 => format!("{v:.1}ms"),
        Some(v) if v < 1000.0 => format!("{}ms", v.round() as i64),
        Some(v) if v < 60_000.0 => format!("{:.2}s", v / 1000.0),
        Some(v) => {
            let s = (v / 1000.0).round() as i64;
            format!("{}m{:02}s", s / 60, s % 60)
        }
    }
}

/// Bytes in B/KB/MB/GB (powers of 1000, as AWS bills).
pub fn bytes(n: f64) -> String {
    match n {
        n if !n.is_finite() || n < 0.0 => "n/a".into(),
        n if n < 1e3 => format!("{n:.0} B"),
        n if n < 1e6 => format!("{:.1} KB", n / 1e3),
        n if n < 1e9 => format!("{:.1} MB", n / 1e6),
        n => format!("{:.2} GB", n / 1e9),
    }
}

/// US dollars, with enough digits to tell cheap functions apart.
pub fn money(n: Option<f64>) -> String {
    match n.filter(|v| v.is_finite()) {
        None => "n/a".into(),
        Some(0.0) => "$0".into(),
        Some(v) if v < 0.01 => format!("${v:.4}"),
        Some(v) if v < 100.0 => format!("${v:.2}"),
        Some(v) => format!("${v:.0}"),
    }
}

/// A ratio as a percentage, "n/a" when unknown.
pub fn pct(n: Option<f64>) -> String {
    match n.filter(|v| v.is_finite()) {
        None => "n/a".into(),
        Some(0.0) => "0%".into(),
        Some(v) if v < 0.1 => format!("{:.2}%", v * 100.0),
        Some(v) => format!("{:.1}%", v * 100.0),
    }
}

/// An age, coarse: "5s", "3m", "2h".
pub fn age(secs: i64) -> String {
    match secs.max(0) {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// A window length: "15m", "1h", "3d".
pub fn window(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s.is_multiple_of(86_400) {
        format!("{}d", s / 86_400)
    } else if s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count(Some(1234.0)), "1234");
        assert_eq!(count(Some(123_456.0)), "123.5k");
        assert_eq!(count(Some(2_345_678.0)), "2.3M");
        assert_eq!(count(None), "n/a");
        assert_eq!(count(Some(f64::NAN)), "n/a");
        assert_eq!(ms(Some(5.25)), "5.2ms");
        assert_eq!(ms(Some(85.4)), "85ms");
        assert_eq!(ms(Some(1234.0)), "1.23s");
        assert_eq!(ms(Some(123_000.0)), "2m03s");
        assert_eq!(pct(Some(0.0123)), "1.23%");
        assert_eq!(pct(Some(0.5)), "50.0%");
        assert_eq!(age(75), "1m");
        assert_eq!(window(std::time::Duration::from_secs(10_800)), "3h");
        assert_eq!(window(std::time::Duration::from_secs(900)), "15m");
        // One column, one way.
        assert_eq!(count_in(Some(17_386.0), Some(159_200.0)), "17.4k");
        assert_eq!(count_in(Some(653.0), Some(159_200.0)), "653");
        assert_eq!(count_in(Some(17_386.0), Some(20_000.0)), "17386");
        let cheapest = column_min_nonzero([Some(0.0), Some(0.0091), Some(0.01)]);
        assert_eq!(cheapest, Some(0.0091));
        assert_eq!(money_in(Some(0.01), cheapest), "$0.0100");
        assert_eq!(money_in(Some(0.0), cheapest), "$0.0000");
        assert_eq!(money_in(Some(0.5), Some(0.2)), "$0.50");
        assert_eq!(money_in(Some(0.0), Some(0.2)), "$0.00");
        assert_eq!(column_max([None, Some(2.0), Some(5.0)]), Some(5.0));
    }
}
