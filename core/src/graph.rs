//! The upgrade graph an admin looks at, as Graphviz DOT or Mermaid.
//!
//! Nodes are the releases a device of the given model and environment could run; an edge
//! `a → b` means a device on `a` may install `b` directly (the install rule (README, "Update paths"), for that
//! device). Required stepping stones (another release's `min_sw_version`, or a barrier) are
//! drawn bold, yanked releases dashed and grey, dead ends red. The edges are every direct
//! install, so the graph is quadratic in the worst case: it is meant for catalogs a person
//! reads (hundreds of releases), not for planning, which never builds it.
//!
//! ```
//! use stepstone::catalog::Catalog;
//! use stepstone::graph::{render, GraphFormat};
//! let catalog = Catalog::from_json(r#"{"releases": [
//!   {"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"}]}"#).unwrap();
//! let dot = render(&catalog, None, None, GraphFormat::Dot).unwrap();
//! assert!(dot.contains("\"v64000\" -> \"v65000\""));
//! let mermaid = render(&catalog, None, None, GraphFormat::Mermaid).unwrap();
//! assert!(mermaid.starts_with("flowchart LR"));
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::catalog::{Catalog, Release};
use crate::plan::PlanError;
use crate::plan::sweep::{Filter, lower_bounds};
use crate::text::{push_text, text};
use crate::version::VersionKey;

mod reduction;
pub use reduction::reduced_edges;

/// Output format of [`render`], by name (`dot`, `mermaid`, `json`).
///
/// ```
/// use stepstone::graph::GraphFormat;
/// use stepstone::ErrorCode;
/// assert_eq!("mermaid".parse::<GraphFormat>().unwrap(), GraphFormat::Mermaid);
/// assert_eq!(GraphFormat::Dot.name(), "dot");
/// let e = "svg".parse::<GraphFormat>().unwrap_err();
/// assert_eq!((e.code(), e.to_string().as_str()),
///     ("graph.unknown_format", "unknown graph format \"svg\": expected dot, mermaid or json"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GraphFormat {
    /// Graphviz DOT.
    #[default]
    Dot,
    /// Mermaid flowchart.
    Mermaid,
    /// The graph as data, `{"nodes": [...], "edges": [[from, to]]}`: the [`GraphWire`] form
    /// (with feature `serde`), written without serde so every build has it.
    Json,
}

impl GraphFormat {
    /// Every format, in the order the error message lists them.
    pub const ALL: [GraphFormat; 3] = [GraphFormat::Dot, GraphFormat::Mermaid, GraphFormat::Json];

    /// The format's name: `dot`, `mermaid` or `json`.
    pub const fn name(self) -> &'static str {
        match self {
            GraphFormat::Dot => "dot",
            GraphFormat::Mermaid => "mermaid",
            GraphFormat::Json => "json",
        }
    }
}

impl core::str::FromStr for GraphFormat {
    type Err = GraphError;
    fn from_str(s: &str) -> Result<GraphFormat, GraphError> {
        GraphFormat::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| GraphError::UnknownFormat {
                name: crate::error::clip(s),
            })
    }
}

/// Why a graph request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphError {
    /// A format name that is not `dot`, `mermaid` or `json` (`graph.unknown_format`).
    UnknownFormat {
        /// The name given.
        name: String,
    },
}

impl GraphError {
    /// The message [`Display`](core::fmt::Display) shows, built without `core::fmt`.
    pub fn message(&self) -> String {
        match self {
            GraphError::UnknownFormat { name } => text!(
                "unknown graph format ",
                crate::error::Quoted(name),
                ": expected dot, mermaid or json"
            ),
        }
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for GraphError {}

impl crate::ErrorCode for GraphError {
    fn code(&self) -> &'static str {
        use crate::error::codes;
        match self {
            GraphError::UnknownFormat { .. } => codes::GRAPH_UNKNOWN_FORMAT.as_str(),
        }
    }
}

/// The upgrade graph's JSON form (feature `serde`): `{"nodes": [{"version", "yanked",
/// "stepping_stone", "deadend"}], "edges": [[from, to]]}`, nodes in version order.
///
/// ```
/// use stepstone::catalog::Catalog;
/// use stepstone::graph::wire;
/// let catalog = Catalog::from_json(r#"{"releases": [
///   {"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"}]}"#).unwrap();
/// let g = serde_json::to_value(wire(&catalog, None, None).unwrap()).unwrap();
/// assert_eq!(g["edges"], serde_json::json!([["v64000", "v65000"]]));
/// assert_eq!(g["nodes"][0]["stepping_stone"], true);
/// ```
#[cfg(feature = "serde")]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GraphWire<'c> {
    /// The releases shown.
    pub nodes: Vec<NodeWire<'c>>,
    /// Direct installs, `[from, to]`.
    pub edges: Vec<[&'c str; 2]>,
}

#[cfg(feature = "serde")]
impl GraphWire<'_> {
    /// The graph's JSON form above: byte for byte what `serde_json::to_string` writes for it,
    /// without serde.
    ///
    /// ```
    /// use stepstone::catalog::Catalog;
    /// use stepstone::graph::wire;
    /// let catalog = Catalog::from_json(r#"{"releases": [{"version": "v1"}, {"version": "v2"}]}"#).unwrap();
    /// assert_eq!(wire(&catalog, None, None).unwrap().to_json(), concat!(
    ///     r#"{"nodes":[{"version":"v1","yanked":false,"stepping_stone":false,"deadend":false},"#,
    ///     r#"{"version":"v2","yanked":false,"stepping_stone":false,"deadend":false}],"#,
    ///     r#""edges":[["v1","v2"]]}"#));
    /// ```
    pub fn to_json(&self) -> String {
        let mut w = crate::json_write::Writer::compact();
        w.begin_object();
        w.key("nodes");
        w.begin_array();
        for n in &self.nodes {
            w.begin_object();
            w.field_str("version", n.version);
            w.field_bool("yanked", n.yanked);
            w.field_bool("stepping_stone", n.stepping_stone);
            w.field_bool("deadend", n.deadend);
            w.end_object();
        }
        w.end_array();
        w.key("edges");
        w.begin_array();
        for edge in &self.edges {
            w.begin_array();
            w.string(edge[0]);
            w.string(edge[1]);
            w.end_array();
        }
        w.end_array();
        w.end_object();
        w.finish()
    }
}

/// One node of [`GraphWire`].
#[cfg(feature = "serde")]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NodeWire<'c> {
    /// The release.
    pub version: &'c str,
    /// Yanked.
    pub yanked: bool,
    /// A required stepping stone.
    pub stepping_stone: bool,
    /// A dead end.
    pub deadend: bool,
}

/// The upgrade graph for devices of `model` in `environment`, in its JSON form, with every
/// direct install as an edge. The device is checked first ([`Catalog::check_device`]:
/// `plan.model_required`, `plan.unknown_model`, ...).
#[cfg(feature = "serde")]
pub fn wire<'c>(
    catalog: &'c Catalog,
    model: Option<&str>,
    environment: Option<&str>,
) -> Result<GraphWire<'c>, PlanError> {
    wire_edges(catalog, model, environment, Edges::All)
}

/// Which edges a graph carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Edges {
    /// Every direct install: quadratic in the worst case.
    #[default]
    All,
    /// The transitive reduction ([`reduced_edges`]): an install is drawn only when no other
    /// chain of installs leads there. The same releases reach each other as with `All`.
    Reduced,
}

/// The upgrade graph for devices of `model` in `environment`, in its JSON form, with the
/// `edges` asked for. The device is checked first ([`Catalog::check_device`]).
///
/// ```
/// use stepstone::catalog::Catalog;
/// use stepstone::graph::{wire_edges, Edges};
/// let catalog = Catalog::from_json(r#"{"releases": [
///   {"version": "v1"}, {"version": "v2"}, {"version": "v3"}]}"#).unwrap();
/// let all = wire_edges(&catalog, None, None, Edges::All).unwrap();
/// assert_eq!(all.edges, [["v1", "v2"], ["v1", "v3"], ["v2", "v3"]]);
/// let reduced = wire_edges(&catalog, None, None, Edges::Reduced).unwrap();
/// assert_eq!(reduced.edges, [["v1", "v2"], ["v2", "v3"]]);
/// assert_eq!(reduced.nodes, all.nodes);
/// ```
#[cfg(feature = "serde")]
pub fn wire_edges<'c>(
    catalog: &'c Catalog,
    model: Option<&str>,
    environment: Option<&str>,
    edges: Edges,
) -> Result<GraphWire<'c>, PlanError> {
    catalog.check_device(model, environment)?;
    let (nodes, edges) = match edges {
        Edges::All => {
            let g = build(catalog, model, environment);
            let nodes = g.node_weights().map(|(r, s)| node(r, s)).collect();
            let edges = g
                .edge_indices()
                .filter_map(|e| g.edge_endpoints(e))
                .filter_map(|(a, b)| {
                    Some([
                        g.node_weight(a)?.0.version.as_str(),
                        g.node_weight(b)?.0.version.as_str(),
                    ])
                })
                .collect();
            (nodes, edges)
        }
        Edges::Reduced => {
            let releases = catalog.releases();
            let installs = Installs::new(catalog, model, environment);
            let stones = stones(catalog);
            let nodes = releases
                .iter()
                .enumerate()
                .filter(|&(i, _)| installs.shown(i))
                .map(|(_, r)| node(r, &style(&stones, r)))
                .collect();
            let edges = reduced_edges(catalog, model, environment)
                .into_iter()
                .filter_map(|(a, b)| {
                    Some([
                        releases.get(a)?.version.as_str(),
                        releases.get(b)?.version.as_str(),
                    ])
                })
                .collect();
            (nodes, edges)
        }
    };
    Ok(GraphWire { nodes, edges })
}

#[cfg(feature = "serde")]
fn node<'c>(r: &'c Release, s: &NodeStyle) -> NodeWire<'c> {
    NodeWire {
        version: r.version.as_str(),
        yanked: s.yanked,
        stepping_stone: s.stepping_stone,
        deadend: s.deadend,
    }
}

/// How a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeStyle {
    /// A required stepping stone.
    pub stepping_stone: bool,
    /// Yanked.
    pub yanked: bool,
    /// A dead end.
    pub deadend: bool,
}

/// The upgrade graph for devices of `model` in `environment` (`None`: every release, whatever
/// it is for). Unchecked: [`render`] and [`wire`] check the device first.
pub fn build<'c>(
    catalog: &'c Catalog,
    model: Option<&str>,
    environment: Option<&str>,
) -> DiGraph<(&'c Release, NodeStyle), ()> {
    let installs = Installs::new(catalog, model, environment);
    let stones = stones(catalog);
    let releases = catalog.releases();
    let mut g = DiGraph::new();
    let mut nodes: Vec<Option<NodeIndex>> = Vec::with_capacity(releases.len());
    for (i, r) in releases.iter().enumerate() {
        nodes.push(
            installs
                .shown(i)
                .then(|| g.add_node((r, style(&stones, r)))),
        );
    }
    for j in 0..releases.len() {
        for i in 0..j {
            if let (Some(Some(a)), Some(Some(b))) = (nodes.get(i), nodes.get(j))
                && installs.direct(i, j)
            {
                g.add_edge(*a, *b, ());
            }
        }
    }
    g
}

/// How release `r` is drawn: a stepping stone when it is a barrier or another release's
/// `min_sw_version` (`stones`: every `min_sw_version`, sorted).
fn style(stones: &[&VersionKey], r: &Release) -> NodeStyle {
    NodeStyle {
        stepping_stone: r.barrier || stones.binary_search(&r.version.key()).is_ok(),
        yanked: r.yanked,
        deadend: r.deadend,
    }
}

/// Every release's `min_sw_version`, sorted, for [`style`].
fn stones(catalog: &Catalog) -> Vec<&VersionKey> {
    let mut v: Vec<&VersionKey> = catalog
        .releases()
        .iter()
        .filter_map(|r| r.min_sw_version.as_ref().map(|m| m.key()))
        .collect();
    v.sort_unstable();
    v
}

/// The direct-install relation for one device, between releases by their index in
/// `catalog.releases()` (version order): the install rule (README, "Update paths").
pub(crate) struct Installs<'c> {
    releases: &'c [Release],
    lower: Vec<Option<&'c VersionKey>>,
    /// A device of this model and environment could run it (yanked ones too).
    shown: Vec<bool>,
    /// It may be installed: shown and not yanked.
    eligible: Vec<bool>,
}

impl<'c> Installs<'c> {
    pub(crate) fn new(
        catalog: &'c Catalog,
        model: Option<&str>,
        environment: Option<&str>,
    ) -> Installs<'c> {
        let filter = Filter { model, environment };
        let releases = catalog.releases();
        Installs {
            releases,
            lower: lower_bounds(catalog),
            shown: releases
                .iter()
                .map(|r| r.fits_model(model) && r.fits_environment(environment))
                .collect(),
            eligible: releases.iter().map(|r| filter.eligible(r)).collect(),
        }
    }

    /// Release `i` is one a device of this model and environment could run (yanked ones too).
    pub(crate) fn shown(&self, i: usize) -> bool {
        self.shown.get(i).copied().unwrap_or(false)
    }

    /// A device on release `i` may install release `j` directly (`i < j`; both shown).
    pub(crate) fn direct(&self, i: usize, j: usize) -> bool {
        let (Some(from), Some(to)) = (self.releases.get(i), self.releases.get(j)) else {
            return false;
        };
        let min = self.lower.get(j).copied().flatten();
        i < j
            && self.eligible.get(j).copied().unwrap_or(false)
            && !from.deadend
            && min.is_none_or(|m| from.version.key() >= m)
            && !to.is_blocked_from(from.version.key())
    }
}

/// The upgrade graph for devices of `model` in `environment` as text. The device is checked
/// first ([`Catalog::check_device`]: `plan.model_required`, `plan.unknown_model`, ...).
pub fn render(
    catalog: &Catalog,
    model: Option<&str>,
    environment: Option<&str>,
    format: GraphFormat,
) -> Result<String, PlanError> {
    catalog.check_device(model, environment)?;
    let g = build(catalog, model, environment);
    let mut out = String::new();
    match format {
        GraphFormat::Dot => dot(&g, &mut out),
        GraphFormat::Mermaid => mermaid(&g, &mut out),
        GraphFormat::Json => json(&g, &mut out),
    }
    Ok(out)
}

type Graph<'c> = DiGraph<(&'c Release, NodeStyle), ()>;

/// The [`GraphWire`] form, byte for byte what `serde_json` writes for it (a test holds them
/// equal).
fn json(g: &Graph<'_>, out: &mut String) {
    out.push_str("{\"nodes\":[");
    for (i, (r, s)) in g.node_weights().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"version\":");
        json_string(r.version.as_str(), out);
        push_text!(out;
            ",\"yanked\":",
            flag(s.yanked),
            ",\"stepping_stone\":",
            flag(s.stepping_stone),
            ",\"deadend\":",
            flag(s.deadend),
            '}'
        );
    }
    out.push_str("],\"edges\":[");
    let mut first = true;
    for (a, b) in g.edge_indices().filter_map(|e| g.edge_endpoints(e)) {
        let (Some(a), Some(b)) = (g.node_weight(a), g.node_weight(b)) else {
            continue;
        };
        if !first {
            out.push(',');
        }
        first = false;
        out.push('[');
        json_string(a.0.version.as_str(), out);
        out.push(',');
        json_string(b.0.version.as_str(), out);
        out.push(']');
    }
    out.push_str("]}");
}

/// `true` or `false`, as `{}` shows a `bool`.
fn flag(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// A JSON string (versions hold no quote or control character; escaped all the same).
fn json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // `\u` and four lowercase hex digits, as `{:04x}` writes them.
            c if (c as u32) < 0x20 => {
                out.push_str("\\u");
                out.push_str(&crate::error::hex_text(&[0, c as u8]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn dot(g: &Graph<'_>, out: &mut String) {
    out.push_str("digraph upgrades {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, fontname=\"Helvetica\"];\n");
    for n in g.node_indices() {
        let Some((r, s)) = g.node_weight(n) else {
            continue;
        };
        let mut attrs: Vec<String> = Vec::new();
        let mut label = String::from(r.version.as_str());
        for note in notes(r, s) {
            label.push_str("\\n");
            label.push_str(&note);
        }
        if s.yanked {
            attrs.push("style=dashed".into());
            attrs.push("color=gray".into());
            attrs.push("fontcolor=gray".into());
        } else if s.stepping_stone {
            attrs.push("style=bold".into());
            attrs.push("penwidth=2".into());
        }
        if s.deadend {
            attrs.push("color=red".into());
        }
        attrs.insert(0, text!("label=\"", escape(&label), '"'));
        push_text!(out;
            "  \"",
            escape(r.version.as_str()),
            "\" [",
            crate::text::join(&attrs, ", "),
            "];\n"
        );
    }
    for e in g.edge_references() {
        let (Some((a, _)), Some((b, sb))) = (g.node_weight(e.source()), g.node_weight(e.target()))
        else {
            continue;
        };
        let style = if sb.stepping_stone {
            " [penwidth=2]"
        } else {
            ""
        };
        push_text!(out;
            "  \"",
            escape(a.version.as_str()),
            "\" -> \"",
            escape(b.version.as_str()),
            '"',
            style,
            ";\n"
        );
    }
    out.push_str("}\n");
}

/// The lines under a node's version in its label: what DOT and Mermaid both show.
fn notes(r: &Release, s: &NodeStyle) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(m) = &r.min_sw_version {
        notes.push(text!("needs ≥ ", m));
    }
    if r.barrier {
        notes.push("barrier".into());
    }
    if s.yanked {
        notes.push("yanked".into());
    }
    if s.deadend {
        notes.push("dead end".into());
    }
    notes
}

fn mermaid(g: &Graph<'_>, out: &mut String) {
    out.push_str("flowchart LR\n");
    for n in g.node_indices() {
        let Some((r, s)) = g.node_weight(n) else {
            continue;
        };
        let mut label = String::from(r.version.as_str());
        for note in notes(r, s) {
            label.push_str("<br/>");
            label.push_str(&note);
        }
        push_text!(out; "  n", n.index(), "[\"", label.replace('"', "#quot;"), "\"]\n");
        // As DOT draws it: yanked dashed and grey, else a stepping stone bold; a dead end red.
        if s.yanked {
            push_text!(out; "  class n", n.index(), " yanked\n");
        } else if s.stepping_stone {
            push_text!(out; "  class n", n.index(), " stone\n");
        }
        if s.deadend {
            push_text!(out; "  class n", n.index(), " deadend\n");
        }
    }
    // Edges into a stepping stone are drawn thick, as DOT's penwidth=2 (Mermaid numbers links
    // in the order they are written).
    let mut thick: Vec<String> = Vec::new();
    for (i, e) in g.edge_references().enumerate() {
        push_text!(out; "  n", e.source().index(), " --> n", e.target().index(), '\n');
        if g.node_weight(e.target())
            .is_some_and(|(_, s)| s.stepping_stone)
        {
            thick.push(text!(i));
        }
    }
    if !thick.is_empty() {
        push_text!(out;
            "  linkStyle ",
            crate::text::join(&thick, ","),
            " stroke-width:3px\n"
        );
    }
    out.push_str("  classDef stone stroke-width:3px\n");
    out.push_str("  classDef yanked stroke-dasharray:5 5,color:#888\n");
    out.push_str("  classDef deadend stroke:#d00,color:#d00\n");
}

fn escape(s: &str) -> String {
    s.replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::FIGURE_1;

    #[test]
    fn seed_graph_edges() {
        let c = Catalog::from_json(FIGURE_1).unwrap();
        let g = build(&c, None, None);
        let edges: Vec<(&str, &str)> = g
            .edge_references()
            .filter_map(|e| {
                Some((
                    g.node_weight(e.source())?.0.version.as_str(),
                    g.node_weight(e.target())?.0.version.as_str(),
                ))
            })
            .collect();
        assert_eq!(
            edges,
            [
                ("v64000", "v65000"),
                ("v65000", "v66000"),
                ("v66000", "v66001"),
                ("v66000", "v66002"),
                ("v66001", "v66002"),
                ("v66000", "v66003"),
                ("v66001", "v66003"),
                ("v66002", "v66003"),
                ("v66003", "v67000"),
            ]
        );
        let dot = render(&c, None, None, GraphFormat::Dot).unwrap();
        assert!(
            dot.contains("\"v66003\" [label=\"v66003\\nneeds ≥ v66000\", style=bold, penwidth=2];"),
            "{dot}"
        );
    }

    /// `json` is exactly what serde_json writes for the graph's wire form.
    #[cfg(feature = "serde")]
    #[test]
    fn json_format_is_the_wire_form() {
        let c = Catalog::from_json(
            r#"{"releases": [
              {"version": "v1"}, {"version": "v2", "barrier": true},
              {"version": "v3", "min_sw_version": "v2", "yanked": true},
              {"version": "v4", "min_sw_version": "v2", "deadend": true, "models": ["A"]},
              {"version": "v5", "min_sw_version": "v2"}
            ]}"#,
        )
        .unwrap();
        for model in [None, Some("A"), Some("B")] {
            use crate::ErrorCode;
            let text = render(&c, model, None, GraphFormat::Json).map_err(|e| e.code());
            let wire = wire(&c, model, None)
                .map(|w| serde_json::to_string(&w).unwrap())
                .map_err(|e| e.code());
            assert_eq!(text, wire);
        }
        assert!(render(&c, Some("A"), None, GraphFormat::Json).is_ok());
        let mut s = String::new();
        json_string("a\"b\\c\u{1}", &mut s);
        assert_eq!(serde_json::from_str::<String>(&s).unwrap(), "a\"b\\c\u{1}");
    }

    /// Every node's label lines and every style DOT gives, Mermaid gives too.
    #[test]
    fn mermaid_shows_what_dot_shows() {
        let c = Catalog::from_json(
            r#"{"releases": [
              {"version": "v1"},
              {"version": "v2", "barrier": true},
              {"version": "v3", "min_sw_version": "v2", "yanked": true},
              {"version": "v4", "min_sw_version": "v2", "deadend": true},
              {"version": "v5", "min_sw_version": "v2"}
            ]}"#,
        )
        .unwrap();
        let dot = render(&c, None, None, GraphFormat::Dot).unwrap();
        let mermaid = render(&c, None, None, GraphFormat::Mermaid).unwrap();
        for (dot_label, mermaid_label) in [
            ("v2\\nbarrier", "v2<br/>barrier"),
            ("v3\\nneeds ≥ v2\\nyanked", "v3<br/>needs ≥ v2<br/>yanked"),
            (
                "v4\\nneeds ≥ v2\\ndead end",
                "v4<br/>needs ≥ v2<br/>dead end",
            ),
        ] {
            assert!(dot.contains(dot_label), "{dot_label}: {dot}");
            assert!(
                mermaid.contains(mermaid_label),
                "{mermaid_label}: {mermaid}"
            );
        }
        // v2 is a stepping stone (a barrier, and others need it), v3 yanked, v4 a dead end.
        assert!(dot.contains("style=bold"), "{dot}");
        assert!(mermaid.contains("  class n1 stone\n"), "{mermaid}");
        assert!(mermaid.contains("  class n2 yanked\n"), "{mermaid}");
        assert!(mermaid.contains("  class n3 deadend\n"), "{mermaid}");
        assert!(
            mermaid.contains("classDef deadend stroke:#d00"),
            "{mermaid}"
        );
        // The same edges, and the ones into the stepping stone thick in both.
        let dot_edges = dot.matches(" -> ").count();
        let mermaid_edges = mermaid.matches(" --> ").count();
        assert_eq!(dot_edges, mermaid_edges);
        let thick_dot = dot.matches("[penwidth=2];").count();
        let link_style = mermaid
            .lines()
            .find_map(|l| l.strip_prefix("  linkStyle "))
            .and_then(|l| l.split(' ').next())
            .map_or(0, |ids| ids.split(',').count());
        assert_eq!(thick_dot, 1, "{dot}");
        assert_eq!(link_style, thick_dot, "{mermaid}");
    }
}
