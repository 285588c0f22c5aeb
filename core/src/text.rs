//! Small text helpers for messages, written without the standard library's generic code
//! (`[S]::join` links a 0.9 KB generic routine into every WASM module that calls it).

use alloc::string::String;

/// `items` with `sep` between them, as `items.join(sep)` gives them.
///
/// ```text
/// join(&["a", "b"], ", ") == "a, b"; join::<&str>(&[], ", ") == ""
/// ```
pub(crate) fn join<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::vec::Vec;

    use super::join;

    #[test]
    fn joins_as_the_standard_join_does() {
        let lists: [&[&str]; 5] = [&[], &[""], &["a"], &["a", "b"], &["x", "", "yz", "é"]];
        for list in lists {
            for sep in ["", ",", ", "] {
                assert_eq!(join(list, sep), list.join(sep));
                let owned: Vec<_> = list.iter().map(|s| s.to_string()).collect();
                assert_eq!(join(&owned, sep), owned.join(sep));
            }
        }
    }
}
