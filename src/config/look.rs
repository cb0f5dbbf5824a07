//! The dashboard's look as the file writes it: the `[keys]` table and
//! `theme` (a name, or a `[theme]` table with `base` and single colours).
//! Here only the shape is checked (strings or lists of strings) and each
//! entry gets its line; the dashboard checks the names against its key
//! table and its themes, naming the same file and line.

use super::spans::Source;
use super::{ColorSetting, ConfigError, KeyOverride, ThemeChoice};

/// The `[keys]` entries in file order.
pub(super) fn keys(
    src: &Source<'_>,
    table: Option<&toml::Table>,
) -> Result<Vec<KeyOverride>, ConfigError> {
    let Some(table) = table else {
        return Ok(Vec::new());
    };
    let from = src.text.find("[keys]").unwrap_or(0);
    let mut out = Vec::new();
    for (action, value) in table {
        let line = src.key_line(action, from);
        out.push(KeyOverride {
            action: action.clone(),
            keys: strings(src, line, &format!("[keys] {action}"), value, "\"ctrl-f\"")?,
            file: src.path.to_path_buf(),
            line,
        });
    }
    out.sort_by_key(|o| o.line);
    Ok(out)
}

/// `theme = "light"`, or `[theme]` with `base` and colours.
pub(super) fn theme(
    src: &Source<'_>,
    value: Option<&toml::Value>,
) -> Result<ThemeChoice, ConfigError> {
    match value {
        None => Ok(ThemeChoice::default()),
        Some(toml::Value::String(name)) => Ok(ThemeChoice {
            base: Some(name.clone()),
            base_at: Some((src.path.to_path_buf(), src.key_line("theme", 0))),
            colors: Vec::new(),
        }),
        Some(toml::Value::Table(t)) => theme_table(src, t),
        Some(other) => Err(ConfigError(format!(
            "{}:{}: key 'theme': expected a theme name such as \"light\" or a [theme] \
             table, found {}",
            src.path.display(),
            src.key_line("theme", 0),
            other.type_str()
        ))),
    }
}

fn theme_table(src: &Source<'_>, t: &toml::Table) -> Result<ThemeChoice, ConfigError> {
    let from = src.text.find("[theme]").unwrap_or(0);
    let mut choice = ThemeChoice::default();
    for (name, value) in t {
        let line = src.key_line(name, from);
        let values = strings(src, line, &format!("[theme] {name}"), value, "\"red\"")?;
        if name == "base" {
            choice.base = values.into_iter().next();
            choice.base_at = Some((src.path.to_path_buf(), line));
        } else {
            choice.colors.push(ColorSetting {
                name: name.clone(),
                values,
                file: src.path.to_path_buf(),
                line,
            });
        }
    }
    choice.colors.sort_by_key(|c| c.line);
    Ok(choice)
}

/// A string or a list of strings; anything else names the key and an example.
fn strings(
    src: &Source<'_>,
    line: usize,
    key: &str,
    value: &toml::Value,
    example: &str,
) -> Result<Vec<String>, ConfigError> {
    let bad = |found: &str| {
        ConfigError(format!(
            "{}:{line}: {key}: expected a string such as {example} or a list of them, \
             found {found}",
            src.path.display()
        ))
    };
    match value {
        toml::Value::String(s) => Ok(vec![s.clone()]),
        toml::Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad(v.type_str()))
            })
            .collect(),
        other => Err(bad(other.type_str())),
    }
}
