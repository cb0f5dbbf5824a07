//! X-Ray segment documents → one tree per trace, tolerant of what real
//! traces contain: missing `end_time` (in progress or partial), unknown
//! fields, subsegments whose parent never arrived, clock skew between
//! services. Every problem is recorded, nothing panics.

use serde::Serialize;
use serde_json::Value;

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

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|x| x.is_finite())
}

fn parse_node(v: &Value) -> Option<(Node, Option<String>)> {
    let obj = v.as_object()?;
    let id = obj.get("id").map(text).unwrap_or_default();
    let mut problems = Vec::new();
    let start = match num(obj.get("start_time")) {
        Some(s) => s,
        None => {
            problems.push("no start_time".to_string());
            0.0
        }
    };
    let in_progress = obj
        .get("in_progress")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let end = num(obj.get("end_time"));
    if end.is_none() && !in_progress {
        problems.push("no end_time (partial segment)".into());
    }
    if end.is_some_and(|e| e < start) {
        problems.push("end_time before start_time".into());
    }
    let http = obj.get("http");
    let exceptions = obj
        .get("cause")
        .and_then(|c| c.get("exceptions"))
        .and_then(Value::as_array)
        .map(|xs| {
            xs.iter()
                .map(|x| Exception {
                    kind: x.get("type").map(text).unwrap_or_default(),
                    message: x.get("message").map(text).unwrap_or_default(),
                    stack: x
                        .get("stack")
                        .and_then(Value::as_array)
                        .map(|s| {
                            s.iter()
                                .take(50)
                                .map(|f| {
                                    format!(
                                        "{} ({}:{})",
                                        f.get("label").map(text).unwrap_or_default(),
                                        f.get("path").map(text).unwrap_or_default(),
                                        f.get("line").map(text).unwrap_or_default()
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let pairs = |v: Option<&Value>| -> Vec<(String, String)> {
        v.and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect())
            .unwrap_or_default()
    };
    let metadata = obj
        .get("metadata")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .flat_map(|(ns, inner)| match inner.as_object() {
                    Some(o) => o
                        .iter()
                        .map(|(k, v)| (format!("{ns}.{k}"), text(v)))
                        .collect::<Vec<_>>(),
                    None => vec![(ns.clone(), text(inner))],
                })
                .collect()
        })
        .unwrap_or_default();
    let mut children: Vec<Node> = obj
        .get("subsegments")
        .and_then(Value::as_array)
        .map(|s| {
            s.iter()
                .filter_map(|c| parse_node(c).map(|(n, _)| n))
                .collect()
        })
        .unwrap_or_default();
    children.sort_by(|a, b| a.start.total_cmp(&b.start));
    let node = Node {
        id,
        name: obj
            .get("name")
            .map(text)
            .unwrap_or_else(|| "(unnamed)".into()),
        origin: obj.get("origin").map(text),
        start,
        end,
        in_progress,
        fault: obj.get("fault").and_then(Value::as_bool).unwrap_or(false),
        error: obj.get("error").and_then(Value::as_bool).unwrap_or(false),
        throttle: obj
            .get("throttle")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        http_method: http.and_then(|h| h.pointer("/request/method")).map(text),
        http_url: http.and_then(|h| h.pointer("/request/url")).map(text),
        http_status: http
            .and_then(|h| h.pointer("/response/status"))
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok()),
        request_id: obj.get("aws").and_then(|a| a.get("request_id")).map(text),
        exceptions,
        annotations: pairs(obj.get("annotations")),
        metadata,
        problems,
        children,
    };
    Some((node, obj.get("parent_id").map(text)))
}

/// Builds the tree of one trace from its segment documents.
pub fn build(id: &str, documents: &[String]) -> TraceTree {
    let mut problems = Vec::new();
    let mut nodes: Vec<(Node, Option<String>)> = Vec::new();
    for (i, doc) in documents.iter().enumerate() {
        match serde_json::from_str::<Value>(doc)
            .ok()
            .as_ref()
            .and_then(parse_node)
        {
            Some(n) => nodes.push(n),
            None => problems.push(format!("segment document {} is not valid JSON", i + 1)),
        }
    }
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
    roots.extend(pending);
    let mut roots: Vec<Node> = roots.into_iter().map(|(n, _)| n).collect();
    roots.sort_by(|a, b| a.start.total_cmp(&b.start));
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
