//! What `lamtop tail` follows: its arguments resolved into log groups,
//! each labelled by its function or its group name.

use crate::model::id::LogGroup;

/// One log group to tail and how to label it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Label: the function name, or the group name.
    pub label: String,
    /// The log group.
    pub log_group: LogGroup,
    /// Whether the label is a function.
    pub function: bool,
}

/// Resolves `tail` arguments: `/group` names are taken as log groups, the
/// rest as function names or globs over the inventory (one ListFunctions
/// walk, only when needed). Returns the targets and the patterns that
/// matched nothing.
pub async fn resolve_targets<S: crate::source::Inventory + ?Sized>(
    src: &S,
    patterns: &[String],
    log_groups: &[String],
) -> Result<(Vec<Target>, Vec<String>), String> {
    let mut targets: Vec<Target> = Vec::new();
    let mut globs = Vec::new();
    for p in patterns {
        if p.starts_with('/') {
            targets.push(Target {
                label: p.clone(),
                log_group: LogGroup::parse(p),
                function: false,
            });
        } else {
            globs.push(p.clone());
        }
    }
    for g in log_groups {
        targets.push(Target {
            label: g.clone(),
            log_group: LogGroup::parse(g),
            function: false,
        });
    }
    let mut unmatched = Vec::new();
    if !globs.is_empty() {
        let filter = crate::model::function::FunctionFilter::new(&globs)?;
        let all = src.list_functions().await.map_err(|e| e.to_string())?;
        let (kept, missing) = filter.apply(all);
        unmatched = missing;
        targets.extend(kept.into_iter().map(|f| Target {
            label: f.id.to_string(),
            log_group: f.log_group_id(),
            function: true,
        }));
    }
    // Functions may share a log group: follow each group once.
    let mut seen = std::collections::HashSet::new();
    targets.retain(|t| seen.insert(t.log_group.clone()));
    Ok((targets, unmatched))
}
