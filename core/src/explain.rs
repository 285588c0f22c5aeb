//! Explained plans: for every release between the current version and the target, why it is
//! installed or skipped.
//!
//! ```
//! use stepstone::catalog::Catalog;
//! use stepstone::explain::{explain, Verdict};
//! use stepstone::plan::Query;
//! let catalog = Catalog::from_json(r#"{"releases": [
//!   {"version": "v66000"},
//!   {"version": "v66001", "min_sw_version": "v66000"},
//!   {"version": "v66002", "min_sw_version": "v66000"}]}"#).unwrap();
//! let q = Query::parse(&catalog, "v66000", "v66002").unwrap();
//! let e = explain(&catalog, &q);
//! assert_eq!(e.releases[0].verdict, Verdict::CheaperPath);
//! assert_eq!(e.releases[0].reason, "skipped: v66002 installs directly from v66000");
//! assert_eq!(e.releases[1].verdict, Verdict::Install { hop: 1 });
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::catalog::{Catalog, Release};
use crate::plan::reach::{WhyNot, reach};
use crate::plan::sweep::{self, lower_bounds};
use crate::plan::{Plan, PlanError, Query, Start, plan, precheck};
use crate::text::{push_text, text};
use crate::version::Version;

/// Why one release is installed or skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "verdict", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Verdict {
    /// Installed, as hop number `hop` (1-based).
    Install {
        /// 1-based position on the path.
        hop: usize,
    },
    /// Skipped: yanked.
    Yanked,
    /// Skipped: not for the device's model.
    WrongModel,
    /// Skipped: not for the device's environment.
    WrongEnvironment,
    /// Skipped: a dead end (and not the target).
    DeadEnd,
    /// Skipped: no chain of installs from the device's version reaches it.
    Unreachable,
    /// Skipped: reachable, but the target cannot be reached from it.
    NoRoute,
    /// Skipped: a cheaper path to the target leaves it out.
    CheaperPath,
}

impl Verdict {
    /// A stable code: `install`, `yanked`, `wrong_model`, `wrong_environment`, `dead_end`,
    /// `unreachable`, `no_route`, `cheaper_path`.
    pub fn code(&self) -> &'static str {
        match self {
            Verdict::Install { .. } => "install",
            Verdict::Yanked => "yanked",
            Verdict::WrongModel => "wrong_model",
            Verdict::WrongEnvironment => "wrong_environment",
            Verdict::DeadEnd => "dead_end",
            Verdict::Unreachable => "unreachable",
            Verdict::NoRoute => "no_route",
            Verdict::CheaperPath => "cheaper_path",
        }
    }
}

/// One release and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReleaseNote {
    /// The release.
    pub version: Version,
    /// Installed or skipped, and the kind of reason.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub verdict: Verdict,
    /// The reason in words, naming versions.
    pub reason: String,
}

/// A plan (or why there is none) with a note for every release between current and target.
///
/// Its JSON form (feature `serde`), the one every binding and the CLI print:
/// `{"outcome": {"plan": {...}} | {"error": {"code", "message"}}, "releases": [{"version",
/// "verdict", "hop"?, "reason"}]}` (`hop` only for `install`).
///
/// ```
/// # use stepstone::catalog::Catalog;
/// # use stepstone::explain::explain;
/// # use stepstone::plan::Query;
/// let catalog = Catalog::from_json(r#"{"releases": [{"version": "v1"}, {"version": "v2"}]}"#).unwrap();
/// let e = explain(&catalog, &Query::parse(&catalog, "v1", "v2").unwrap());
/// let json = serde_json::to_value(&e).unwrap();
/// assert_eq!(json["outcome"]["plan"]["path"][0], "v2");
/// assert_eq!(json["releases"][0], serde_json::json!(
///     {"version": "v2", "verdict": "install", "hop": 1, "reason": "hop 1, from v1"}));
/// let e = explain(&catalog, &Query::parse(&catalog, "v1", "v3").unwrap());
/// assert_eq!(serde_json::to_value(&e).unwrap()["outcome"]["error"]["code"], "plan.unknown_target");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The plan, or the planner's error.
    pub outcome: Result<Plan, PlanError>,
    /// Releases strictly above the current version up to the target, in version order
    /// (empty for a downgrade, an unknown target, or a device already there).
    pub releases: Vec<ReleaseNote>,
}

impl Explanation {
    /// The JSON form above, byte for byte what `serde_json::to_string` writes for it (feature
    /// `serde`), without serde.
    ///
    /// ```
    /// # use stepstone::catalog::Catalog;
    /// # use stepstone::explain::explain;
    /// # use stepstone::plan::Query;
    /// let catalog = Catalog::from_json(r#"{"releases": [{"version": "v1"}, {"version": "v2"}]}"#).unwrap();
    /// let e = explain(&catalog, &Query::parse(&catalog, "v1", "v2").unwrap());
    /// assert_eq!(e.to_json(), concat!(
    ///     r#"{"outcome":{"plan":{"path":["v2"],"hops":1,"bytes":null,"steps":[{"version":"v2","bytes":null}]}},"#,
    ///     r#""releases":[{"version":"v2","verdict":"install","hop":1,"reason":"hop 1, from v1"}]}"#));
    /// ```
    pub fn to_json(&self) -> String {
        use crate::error::ErrorCode;
        let mut w = crate::json_write::Writer::compact();
        w.begin_object();
        w.key("outcome");
        w.begin_object();
        match &self.outcome {
            Ok(p) => {
                w.key("plan");
                p.write_json(&mut w);
            }
            Err(e) => {
                w.key("error");
                w.begin_object();
                w.field_str("code", e.code());
                w.field_str("message", &e.message());
                w.end_object();
            }
        }
        w.end_object();
        w.key("releases");
        w.begin_array();
        for note in &self.releases {
            w.begin_object();
            w.field_str("version", note.version.as_str());
            w.field_str("verdict", note.verdict.code());
            if let Verdict::Install { hop } = note.verdict {
                w.key("hop");
                w.u64(hop as u64);
            }
            w.field_str("reason", &note.reason);
            w.end_object();
        }
        w.end_array();
        w.end_object();
        w.finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Explanation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeStruct};
        /// `{"plan": p}` or `{"error": {"code", "message"}}`.
        struct Outcome<'a>(&'a Result<Plan, PlanError>);
        impl serde::Serialize for Outcome<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(1))?;
                match self.0 {
                    Ok(p) => m.serialize_entry("plan", p)?,
                    Err(e) => m.serialize_entry("error", &crate::wire::ErrorWire::of(e))?,
                }
                m.end()
            }
        }
        let mut st = s.serialize_struct("Explanation", 2)?;
        st.serialize_field("outcome", &Outcome(&self.outcome))?;
        st.serialize_field("releases", &self.releases)?;
        st.end()
    }
}

/// Explains the plan for `query`.
pub fn explain(catalog: &Catalog, query: &Query) -> Explanation {
    let outcome = plan(catalog, query);
    let mut releases = Vec::new();
    let t = match precheck(catalog, query) {
        Ok(Start::Sweep(t)) => t,
        // Already there, a downgrade, or a precheck error (unknown or unfit target, missing
        // sizes by bytes): the outcome says it all.
        _ => return Explanation { outcome, releases },
    };
    let filter = query.filter();
    let from = query.from.key();
    let sw = sweep::run(catalog, filter, t, query.cost, &[from], Some(from));
    let reached = reach(catalog, filter, from, t);
    let mut why = WhyNot::new(catalog, filter, &reached);
    let lower = lower_bounds(catalog);
    let path: &[Version] = outcome
        .as_ref()
        .map(|p| p.path.as_slice())
        .unwrap_or_default();
    let first = catalog
        .releases()
        .partition_point(|r| r.version.key() <= from);
    for (i, r) in catalog
        .releases()
        .iter()
        .enumerate()
        .take(t + 1)
        .skip(first)
    {
        let (verdict, reason) = judge(catalog, query, r, i, t, path, &mut why, &sw, &lower);
        releases.push(ReleaseNote {
            version: r.version.clone(),
            verdict,
            reason,
        });
    }
    Explanation { outcome, releases }
}

#[allow(clippy::too_many_arguments)]
fn judge(
    catalog: &Catalog,
    q: &Query,
    r: &Release,
    i: usize,
    t: usize,
    path: &[Version],
    why: &mut WhyNot<'_, '_>,
    sw: &sweep::Sweep,
    lower: &[Option<&crate::version::VersionKey>],
) -> (Verdict, String) {
    if let Some(k) = path.iter().position(|v| v == &r.version) {
        let prev = if k == 0 {
            &q.from
        } else {
            path.get(k - 1).unwrap_or(&q.from)
        };
        let mut reason = text!("hop ", k + 1, ", from ", prev);
        if let Some(next) = path.get(k + 1) {
            let needs = catalog
                .index_of(next.key())
                .and_then(|j| lower.get(j).copied().flatten());
            if needs == Some(r.version.key()) {
                push_text!(&mut reason; "; ", next, " needs at least ", r.version);
            }
        }
        return (Verdict::Install { hop: k + 1 }, reason);
    }
    if r.yanked {
        return (Verdict::Yanked, String::from("yanked"));
    }
    if !r.fits_model(q.model.as_deref()) {
        let m = q.model.as_deref().unwrap_or("");
        return (
            Verdict::WrongModel,
            text!(
                "not for model ",
                m,
                " (for ",
                list(r.models.as_deref()),
                ')'
            ),
        );
    }
    if !r.fits_environment(q.environment.as_deref()) {
        let e = q.environment.as_deref().unwrap_or("");
        return (
            Verdict::WrongEnvironment,
            text!(
                "not for environment ",
                e,
                " (for ",
                list(r.environments.as_deref()),
                ')'
            ),
        );
    }
    if r.deadend && i != t {
        return (
            Verdict::DeadEnd,
            String::from("dead end: no automatic update leaves it"),
        );
    }
    if !why.reachable(i) {
        let mut reason = String::from("unreachable: ");
        why.of(i).push_message(&mut reason);
        return (Verdict::Unreachable, reason);
    }
    if sw.at(r.version.key()).is_none() {
        return (Verdict::NoRoute, text!(q.to, " cannot be reached from it"));
    }
    // Reachable and on a route, but the best path jumps over it.
    let mut prev = &q.from;
    for v in path {
        if v > &r.version {
            return (
                Verdict::CheaperPath,
                text!("skipped: ", v, " installs directly from ", prev),
            );
        }
        prev = v;
    }
    (
        Verdict::CheaperPath,
        String::from("skipped: a cheaper path exists"),
    )
}

fn list(items: Option<&[String]>) -> String {
    match items {
        None => String::from("every one"),
        Some([]) => String::from("none"),
        Some(items) => crate::text::join(items, ", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::FIGURE_1;

    #[test]
    fn seed_path_explained() {
        let c = Catalog::from_json(FIGURE_1).unwrap();
        let q = Query::parse(&c, "v64000", "v67000").unwrap();
        let e = explain(&c, &q);
        let rows: Vec<(&str, &str, &str)> = e
            .releases
            .iter()
            .map(|n| (n.version.as_str(), n.verdict.code(), n.reason.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "v65000",
                    "install",
                    "hop 1, from v64000; v66000 needs at least v65000"
                ),
                (
                    "v66000",
                    "install",
                    "hop 2, from v65000; v66003 needs at least v66000"
                ),
                (
                    "v66001",
                    "cheaper_path",
                    "skipped: v66003 installs directly from v66000"
                ),
                (
                    "v66002",
                    "cheaper_path",
                    "skipped: v66003 installs directly from v66000"
                ),
                (
                    "v66003",
                    "install",
                    "hop 3, from v66000; v67000 needs at least v66003"
                ),
                ("v67000", "install", "hop 4, from v66003"),
            ]
        );
    }

    #[test]
    fn skipped_for_every_reason() {
        let c = Catalog::from_json(
            r#"{"releases": [
            {"version": "1"},
            {"version": "2", "yanked": true},
            {"version": "3", "models": ["B"]},
            {"version": "4", "environments": ["staging"]},
            {"version": "5", "deadend": true},
            {"version": "6", "min_sw_version": "5"},
            {"version": "7", "min_sw_version": "6", "blocked_from": ["6"]},
            {"version": "8", "models": ["A", "B"], "environments": ["production", "staging"]}]}"#,
        )
        .unwrap();
        // Release 8 names model A and environment production, so the catalog knows them.
        let q = Query::parse(&c, "1", "8")
            .unwrap()
            .model("A")
            .environment("production");
        let e = explain(&c, &q);
        let codes: Vec<&str> = e.releases.iter().map(|n| n.verdict.code()).collect();
        assert_eq!(
            codes,
            [
                "yanked",
                "wrong_model",
                "wrong_environment",
                "dead_end",
                "unreachable",
                "unreachable",
                "install"
            ]
        );
        assert_eq!(
            e.releases[4].reason,
            "unreachable: 5 is a dead end: no automatic update leaves it"
        );
        assert_eq!(
            e.releases[5].reason,
            "unreachable: 7 needs at least 6, which this device cannot reach: 5 is a dead end: no automatic update leaves it"
        );
    }

    #[test]
    fn from_a_dead_end_the_dead_end_is_named() {
        let c = Catalog::from_json(
            r#"{"releases": [{"version": "v1", "deadend": true}, {"version": "v2"}, {"version": "v3", "min_sw_version": "v2"}]}"#,
        )
        .unwrap();
        let e = explain(&c, &Query::parse(&c, "1", "v3").unwrap());
        let reasons: Vec<&str> = e.releases.iter().map(|n| n.reason.as_str()).collect();
        // Before: "unreachable: v2 is a dead end: ..." and "v3 needs at least v2; ...".
        assert_eq!(
            reasons,
            [
                "unreachable: v1 is a dead end: no automatic update leaves it",
                "unreachable: v1 is a dead end: no automatic update leaves it",
            ]
        );
    }
}
