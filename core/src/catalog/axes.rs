//! Whether a catalog's answers depend on the device's model or environment, and which names
//! it knows: the rule that keeps a query without a model from routing a device through another
//! model's release.
//!
//! A catalog's answers differ by model when its releases (yanked ones included) do not all name
//! the same set of models, or some name models and some do not. Then a question that states no
//! model is refused (`plan.model_required`). When any release names models, a model that none
//! names is refused (`plan.unknown_model`). A catalog that names no model answers any. The same
//! holds for environments.

use alloc::string::String;
use alloc::vec::Vec;

use super::Release;

/// One axis (models or environments) of a catalog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Axis {
    /// Every name any release lists, sorted, once each.
    names: Vec<String>,
    /// Whether releases differ in what they list.
    matters: bool,
}

impl Axis {
    /// The axis of `lists`, one per release (`None`: the release lists nothing).
    ///
    /// Releases often list what the release before them lists: such a list adds nothing and is
    /// skipped. The others are sorted and deduplicated in one reused buffer, so reading a
    /// catalog allocates nothing per release here.
    ///
    /// The lists come through `dyn Iterator` so that both axes share one copy of this code (a
    /// generic one was inlined twice into the catalog reader of the WASM module).
    pub(crate) fn of(lists: &mut dyn Iterator<Item = Option<&[String]>>) -> Axis {
        let mut names: Vec<&str> = Vec::new();
        let mut first: Option<Option<Vec<&str>>> = None;
        let mut previous: Option<&[String]> = None;
        let mut scratch: Vec<&str> = Vec::new();
        let mut matters = false;
        for list in lists {
            if first.is_some() && list == previous {
                continue;
            }
            previous = list;
            let set = match list {
                None => None,
                Some(l) => {
                    scratch.clear();
                    scratch.extend(l.iter().map(String::as_str));
                    scratch.sort_unstable();
                    scratch.dedup();
                    names.extend_from_slice(&scratch);
                    Some(&scratch[..])
                }
            };
            match &first {
                None => first = Some(set.map(<[&str]>::to_vec)),
                Some(f) => matters |= f.as_deref() != set,
            }
        }
        names.sort_unstable();
        names.dedup();
        Axis {
            names: names.into_iter().map(String::from).collect(),
            matters,
        }
    }

    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether a question must state a name on this axis.
    pub(crate) fn matters(&self) -> bool {
        self.matters
    }

    /// Whether `name` is one the catalog knows (any, when it knows none).
    pub(crate) fn knows(&self, name: &str) -> bool {
        self.names.is_empty()
            || self
                .names
                .binary_search_by(|n| n.as_str().cmp(name))
                .is_ok()
    }

    /// The names as a list for a message (`AG-1, AG-2`), at most 20 of them.
    pub(crate) fn listed(&self) -> String {
        const MAX: usize = 20;
        let mut s = String::new();
        for (i, n) in self.names.iter().take(MAX).enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&crate::error::clip(n));
        }
        if self.names.len() > MAX {
            crate::text::push_text!(&mut s; " and ", self.names.len() - MAX, " more");
        }
        s
    }
}

/// Both axes of a catalog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Axes {
    pub(crate) models: Axis,
    pub(crate) environments: Axis,
}

impl Axes {
    pub(crate) fn of(releases: &[Release]) -> Axes {
        Axes {
            models: Axis::of(&mut releases.iter().map(|r| r.models.as_deref())),
            environments: Axis::of(&mut releases.iter().map(|r| r.environments.as_deref())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn axis(lists: &[Option<&[&str]>]) -> Axis {
        let owned: Vec<Option<Vec<String>>> = lists
            .iter()
            .map(|l| l.map(|l| l.iter().map(|s| s.to_string()).collect()))
            .collect();
        Axis::of(&mut owned.iter().map(|l| l.as_deref()))
    }

    #[test]
    fn matters_when_releases_differ() {
        assert!(!axis(&[None, None]).matters());
        assert!(!axis(&[Some(&["A"]), Some(&["A"])]).matters());
        assert!(!axis(&[Some(&["A", "B"]), Some(&["B", "A", "A"])]).matters());
        assert!(axis(&[Some(&["A"]), None]).matters());
        assert!(axis(&[None, Some(&["A"])]).matters());
        assert!(axis(&[Some(&["A"]), Some(&["A", "B"])]).matters());
        assert!(!axis(&[]).matters());
        // Repeated lists are skipped; a difference after them still counts.
        assert!(!axis(&[Some(&["B", "A"]), Some(&["B", "A"]), Some(&["A", "B"])]).matters());
        assert!(axis(&[None, None, None, Some(&[])]).matters());
        assert!(
            axis(&[
                Some(&["A"]),
                Some(&["A"]),
                Some(&["A"]),
                Some(&["A", "A", "B"])
            ])
            .matters()
        );
        assert!(!axis(&[Some(&[]), Some(&[]), Some(&[])]).matters());
    }

    #[test]
    fn knows_listed_names_or_any_when_none() {
        let a = axis(&[Some(&["B", "A"]), None]);
        assert_eq!(a.names(), &["A".to_string(), "B".to_string()]);
        assert!(a.knows("A") && !a.knows("C"));
        assert!(axis(&[None]).knows("anything"));
        let repeated = axis(&[
            Some(&["C"]),
            Some(&["C"]),
            Some(&["A", "C"]),
            Some(&["C", "C"]),
        ]);
        assert_eq!(repeated.names(), &["A".to_string(), "C".to_string()]);
        assert_eq!(a.listed(), "A, B");
        let many: Vec<String> = (0..25).map(|i| alloc::format!("M{i:02}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let a = axis(&[Some(&refs[..]), None]);
        assert!(a.listed().ends_with("M19 and 5 more"), "{}", a.listed());
    }
}
