//! X-Ray segment documents → one tree per trace, tolerant of what real
//! traces contain: missing `end_time` (in progress or partial), unknown
//! fields, subsegments whose parent never arrived, clock skew between
//! services. Every problem is recorded, nothing panics.

use serde::Serialize;

mod checks;
mod parse;

use parse::parse_document;

/// One exception of a segment's `cause`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exception {
    /// Exception type.
    pub kind: String,
    /// Message.
    pub message: String,
    /// Stack frames, `label (path:line)`.
    pub stack: Vec<String>,
}

/// What a subsegment's `sql` block says about a database call.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Sql {
    /// `sanitized_query`: the statement with its values replaced.
    pub sanitized_query: Option<String>,
    /// `database_type` and `database_version`.
    pub database: Option<String>,
    /// `url` or `connection_string`.
    pub url: Option<String>,
    /// `user`.
    pub user: Option<String>,
}

/// A segment or subsegment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// Segment id.
    pub id: String,
    /// Name (`orders-api`, `Invocation`, `DynamoDB`).
    pub name: String,
    /// Origin (`AWS::Lambda::Function`), segments only.
    pub origin: Option<String>,
    /// Start (epoch seconds).
    pub start: f64,
    /// End (epoch seconds), `None` when missing.
    pub end: Option<f64>,
    /// Still running when recorded.
    pub in_progress: bool,
    /// 5xx-class failure.
    pub fault: bool,
    /// 4xx-class failure.
    pub error: bool,
    /// Throttled.
    pub throttle: bool,
    /// HTTP method.
    pub http_method: Option<String>,
    /// HTTP URL.
    pub http_url: Option<String>,
    /// HTTP status.
    pub http_status: Option<u16>,
    /// `aws.request_id`: the Lambda request, for the log pivot.
    pub request_id: Option<String>,
    /// The `sql` block of a database call.
    pub sql: Option<Sql>,
    /// Exceptions of `cause`.
    pub exceptions: Vec<Exception>,
    /// Annotations, `key = value`.
    pub annotations: Vec<(String, String)>,
    /// Metadata, flattened `namespace.key = value`.
    pub metadata: Vec<(String, String)>,
    /// What is wrong with this node's document.
    pub problems: Vec<String>,
    /// Children in start order.
    pub children: Vec<Node>,
}

impl Node {
    /// Duration in seconds, when the end is known.
    pub fn duration(&self) -> Option<f64> {
        self.end.map(|e| (e - self.start).max(0.0))
    }

    /// Lambda's own phases get a plain-words label.
    pub fn lambda_phase(&self) -> Option<&'static str> {
        match self.name.as_str() {
            "Initialization" => Some("cold start: init"),
            "Invocation" => Some("handler"),
            "Overhead" => Some("runtime overhead"),
            "Restore" => Some("SnapStart restore"),
            _ => None,
        }
    }
}

/// A whole trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceTree {
    /// Trace id.
    pub id: String,
    /// Root nodes (segments without a known parent), in start order.
    pub roots: Vec<Node>,
    /// Trace-level problems (unparseable documents, orphans).
    pub problems: Vec<String>,
}

/// Builds the tree of one trace from its segment documents.
pub fn build(id: &str, documents: &[String]) -> TraceTree {
    let mut problems = Vec::new();
    let mut nodes: Vec<(Node, Option<String>)> = Vec::new();
    for (i, doc) in documents.iter().enumerate() {
        match parse_document(doc) {
            Ok((n, cut)) => {
                if let Some(c) = cut {
                    problems.push(format!("segment document {}: {c}", i + 1));
                }
                nodes.push(n);
            }
            Err(why) => problems.push(format!("segment document {} {why}", i + 1)),
        }
    }
    problems.extend(checks::duplicate_ids(&nodes));
    // Attach segments to their parents (a segment's parent may be a
    // subsegment of another segment, e.g. Lambda's Invocation).
    let ids: std::collections::HashSet<String> =
        nodes.iter().flat_map(|(n, _)| all_ids(n)).collect();
    let (children, mut roots): (Vec<_>, Vec<_>) = nodes
        .into_iter()
        .partition(|(_, p)| p.as_ref().is_some_and(|p| ids.contains(p)));
    for (n, p) in &roots {
        if let Some(p) = p {
            problems.push(format!(
                "'{}' has parent {p}, which is not in the trace (orphan)",
                n.name
            ));
        }
    }
    let mut pending = children;
    for _ in 0..64 {
        if pending.is_empty() {
            break;
        }
        let mut left = Vec::new();
        for (n, p) in pending {
            let parent = p.clone().unwrap_or_default();
            let mut n = Some(n);
            for (r, _) in roots.iter_mut() {
                attach(r, &parent, &mut n);
            }
            if let Some(n) = n {
                left.push((n, p));
            }
        }
        pending = left;
    }
    problems.extend(checks::cycles(&pending));
    roots.extend(pending);
    let mut roots: Vec<Node> = roots.into_iter().map(|(n, _)| n).collect();
    roots.sort_by(|a, b| a.start.total_cmp(&b.start));
    for r in roots.iter_mut() {
        checks::skew(r, 0);
    }
    TraceTree {
        id: id.to_string(),
        roots,
        problems,
    }
}

fn all_ids(n: &Node) -> Vec<String> {
    let mut v = vec![n.id.clone()];
    for c in &n.children {
        v.extend(all_ids(c));
    }
    v
}

/// Moves `child` under the node with id `parent` somewhere below `node`;
/// leaves it in place (`Some`) when there is no such node.
fn attach(node: &mut Node, parent: &str, child: &mut Option<Node>) {
    if node.id == parent {
        if let Some(c) = child.take() {
            node.children.push(c);
            node.children.sort_by(|a, b| a.start.total_cmp(&b.start));
        }
        return;
    }
    for c in node.children.iter_mut() {
        if child.is_none() {
            return;
        }
        attach(c, parent, child);
    }
}

/// One row of a flattened tree.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// Nesting depth.
    pub depth: usize,
    /// The node.
    pub node: &'a Node,
}

/// The tree as rows, depth-first, skipping the children of collapsed ids.
pub fn rows<'a>(
    tree: &'a TraceTree,
    collapsed: &std::collections::HashSet<String>,
) -> Vec<Row<'a>> {
    fn walk<'a>(
        n: &'a Node,
        depth: usize,
        collapsed: &std::collections::HashSet<String>,
        out: &mut Vec<Row<'a>>,
    ) {
        out.push(Row { depth, node: n });
        if depth < 64 && !collapsed.contains(&n.id) {
            for c in &n.children {
                walk(c, depth + 1, collapsed, out);
            }
        }
    }
    let mut out = Vec::new();
    for r in &tree.roots {
        walk(r, 0, collapsed, &mut out);
    }
    out
}

/// The time span the waterfall's axis covers: earliest start to latest
/// known end (or start, for nodes without an end).
pub fn span(tree: &TraceTree) -> (f64, f64) {
    let all = rows(tree, &Default::default());
    let start = all
        .iter()
        .map(|r| r.node.start)
        .filter(|s| *s > 0.0)
        .fold(f64::MAX, f64::min);
    let end = all
        .iter()
        .map(|r| r.node.end.unwrap_or(r.node.start))
        .fold(f64::MIN, f64::max);
    if start == f64::MAX || end < start {
        (0.0, 1.0)
    } else {
        (start, end.max(start + 1e-6))
    }
}

#[cfg(test)]
pub(crate) mod tests;
