//! Python-style `repr` pieces for the result objects (`'v65000'`, `['a', 'b']`, `None`).

/// A `str` as Python's `repr` writes it.
pub(crate) fn s(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// An optional `str`: its repr or `None`.
pub(crate) fn opt_s(text: Option<&str>) -> String {
    text.map_or_else(|| "None".into(), s)
}

/// An optional number: it or `None`.
pub(crate) fn opt_n<T: core::fmt::Display>(n: Option<T>) -> String {
    n.map_or_else(|| "None".into(), |n| n.to_string())
}

/// A list of `str`.
pub(crate) fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let parts: Vec<String> = items.into_iter().map(s).collect();
    format!("[{}]", parts.join(", "))
}
