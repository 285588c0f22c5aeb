use super::*;
use crate::catalog::Catalog;
use crate::plan::Cost;
use alloc::format;
use alloc::string::ToString;

fn table(catalog: &str, target: &str) -> (Catalog, CampaignTable) {
    let c = Catalog::from_json(catalog).unwrap();
    let t = c.parse_version(target).unwrap();
    let table = CampaignTable::build(&c, &t, None, None, Cost::Hops).unwrap();
    (c, table)
}

const INTEGER: &str = r#"{"releases": [
  {"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"},
  {"version": "v66000", "min_sw_version": "v65000"}, {"version": "v67000"}]}"#;

fn same_answers(c: &Catalog, a: &CampaignTable, b: &CampaignTable, probes: &[&str]) {
    for p in probes {
        let v = c.parse_version(p).unwrap();
        assert_eq!(a.next_hop(v.key()), b.next_hop(v.key()), "at {p}");
    }
}

#[test]
fn integer_table_reads_back_with_the_same_answers() {
    let (c, t) = table(INTEGER, "v66000");
    let text = t.to_table_json();
    assert_eq!(
        text,
        r#"{"format":"stepstone.campaign_table","version":1,"scheme":"integer","target":"v66000","allow_downgrade":false,"points":["64000","65000","66000"],"answers":[4,5,5,6,6,0,2],"releases":["v64000","v65000","v66000"]}"#
    );
    let back = CampaignTable::from_table_json(&text).unwrap();
    assert_eq!(back.to_table_json(), text);
    let probes = [
        "1", "63999", "64000", "64500", "65000", "65001", "66000", "66500", "67000", "99999",
    ];
    same_answers(&c, &t, &back, &probes);
    for n in [0, 63_999, 64_000, 64_001, 66_000, 70_000, u64::MAX] {
        assert_eq!(t.next_hop_integer_str(n), back.next_hop_integer_str(n));
    }
    let down = t.clone().allow_downgrade(true);
    let back = CampaignTable::from_table_json(&down.to_table_json()).unwrap();
    same_answers(&c, &down, &back, &probes);
    assert_eq!(
        back.next_hop(c.parse_version("67000").unwrap().key())
            .unwrap()
            .unwrap()
            .as_str(),
        "v66000"
    );
}

#[test]
fn semver_and_dotted_tables_read_back() {
    let semver = r#"{"scheme": "semver", "releases": [
      {"version": "1.0.0"}, {"version": "1.1.0-rc.1+b7", "min_sw_version": "1.0.0"},
      {"version": "2.0.0", "min_sw_version": "1.1.0-rc.1"}]}"#;
    let (c, t) = table(semver, "2.0.0");
    let back = CampaignTable::from_table_json(&t.to_table_json()).unwrap();
    assert_eq!(back.to_table_json(), t.to_table_json());
    same_answers(
        &c,
        &t,
        &back,
        &[
            "0.1.0",
            "1.0.0",
            "1.0.5",
            "1.1.0-rc.1",
            "1.1.0",
            "2.0.0",
            "3.0.0",
        ],
    );

    let dotted = r#"{"scheme": "dotted", "releases": [
      {"version": "0"}, {"version": "38.1", "min_sw_version": "0.0"},
      {"version": "38.1.0.2", "min_sw_version": "38.1"}]}"#;
    let (c, t) = table(dotted, "38.1.0.2");
    let text = t.to_table_json();
    let back = CampaignTable::from_table_json(&text).unwrap();
    assert_eq!(back.to_table_json(), text);
    same_answers(
        &c,
        &t,
        &back,
        &["0", "0.5", "38", "38.1", "38.1.0.1", "38.1.0.2", "40"],
    );
}

fn refused(text: &str) -> (String, String) {
    let e = CampaignTable::from_table_json(text).unwrap_err();
    (e.code().to_string(), e.to_string())
}

#[test]
fn bad_tables_are_refused_naming_what_is_wrong() {
    let (_, t) = table(INTEGER, "v66000");
    let good = t.to_table_json();
    let cases: &[(&str, &str, &str)] = &[
        ("", "reconcile.invalid_table", "EOF while parsing"),
        ("[]", "reconcile.invalid_table", "expected an object"),
        ("{}", "reconcile.invalid_table", "missing field 'format'"),
        (
            r#"{"format":"x"}"#,
            "reconcile.invalid_table",
            "format 'x' is not",
        ),
        (
            r#"{"format":"stepstone.campaign_table","version":2}"#,
            "reconcile.table_version",
            "format version 2",
        ),
        (
            r#"{"format":"stepstone.campaign_table","version":"1"}"#,
            "reconcile.table_version",
            "format version \"1\"",
        ),
        (
            r#"{"format":"stepstone.campaign_table","version":1}"#,
            "reconcile.invalid_table",
            "missing field 'scheme'",
        ),
        (
            r#"{"format":"stepstone.campaign_table","format":"x"}"#,
            "reconcile.invalid_table",
            "duplicate field 'format'",
        ),
        (
            r#"{"colour":1}"#,
            "reconcile.invalid_table",
            "unknown field 'colour'",
        ),
        (
            r#"{"points":{}}"#,
            "reconcile.invalid_table",
            "expected an array",
        ),
        (
            r#"{"points":[1]}"#,
            "reconcile.invalid_table",
            "expected a string",
        ),
        (
            r#"{"points":["1",]}"#,
            "reconcile.invalid_table",
            "trailing comma",
        ),
        (
            r#"{"allow_downgrade":0}"#,
            "reconcile.invalid_table",
            "expected true or false",
        ),
    ];
    for (text, code, words) in cases {
        let (c, m) = refused(text);
        assert_eq!(&c, code, "{text}: {m}");
        assert!(m.contains(words), "{text}: {m}");
    }
    let swaps: &[(&str, &str, &str)] = &[
        (
            "\"scheme\":\"integer\"",
            "\"scheme\":\"roman\"",
            "scheme 'roman' is not",
        ),
        (
            "\"target\":\"v66000\"",
            "\"target\":\"v6x\"",
            "target: 'v6x' is not an integer version",
        ),
        (
            "\"65000\",\"66000\"",
            "\"66000\",\"65000\"",
            "'65000' is not above the point before it",
        ),
        (
            "\"65000\",\"66000\"",
            "\"65000\",\"65000\"",
            "'65000' is not above",
        ),
        ("[4,5,5,6,6,0,2]", "[4,5,5,6,6,0]", "6 answers for 3 points"),
        ("[4,5,5,6,6,0,2]", "[4,5,5,7,6,0,2]", "answers: 7 is not"),
        ("[4,5,5,6,6,0,2]", "[4,5,5,-6,6,0,2]", "answers: -6 is not"),
        (
            "[4,5,5,6,6,0,2]",
            "[4,5,5,6.0,6,0,2]",
            "answers: 6.0 is not",
        ),
        (
            "[4,5,5,6,6,0,2]",
            "[4,5,5,18446744073709551616,6,0,2]",
            "is not 0 to 3",
        ),
        (
            "[4,5,5,6,6,0,2]",
            "[4,5,59E99,6,6,0,2]",
            "answers: 59E99 is not",
        ),
        (
            "\"v65000\",\"v66000\"]",
            "\"v65000\",\"banana\"]",
            "releases: 'banana'",
        ),
        ("}", "} x", "trailing characters"),
    ];
    for (from, to, words) in swaps {
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        let (c, m) = refused(&text);
        assert_eq!(c, "reconcile.invalid_table", "{text}: {m}");
        assert!(m.contains(words), "{text}: {m}");
    }
    // `$schema` is read and skipped; a long unknown value is clipped in the message.
    let with_schema = good.replacen('{', "{\"$schema\":\"x\",", 1);
    assert!(CampaignTable::from_table_json(&with_schema).is_ok());
    let long = format!("{{\"format\":\"{}\"}}", "y".repeat(1000));
    assert!(refused(&long).1.len() < 400);
}

#[test]
fn answers_no_plan_gives_are_refused() {
    let (_, t) = table(INTEGER, "v66000");
    let text = t.to_table_json();
    // The target changed: its own slot does not answer "at the target" (or another slot does).
    for target in ["v64000", "v1", "v65500", "v67000"] {
        let bad = text.replace("\"target\":\"v66000\"", &format!("\"target\":\"{target}\""));
        let (code, message) = refused(&bad);
        assert_eq!(code, "reconcile.invalid_table", "{target}");
        assert!(
            message.contains(&format!("target '{target}' is not the one version")),
            "{message}"
        );
    }
    // The releases reordered: devices below v64000 would be sent to v66000 (up, so not caught
    // there) and devices at v65000 down to v64000; the first slot whose hop does not go up is
    // named.
    let reversed = text.replace(
        r#""releases":["v64000","v65000","v66000"]"#,
        r#""releases":["v66000","v65000","v64000"]"#,
    );
    let (code, message) = refused(&reversed);
    assert_eq!(code, "reconcile.invalid_table");
    assert!(
        message.contains("slot 3 sends devices to 'v64000', which is not above"),
        "{message}"
    );
    // A hop past the target.
    let past = text
        .replace(
            r#""answers":[4,5,5,6,6,0,2]"#,
            r#""answers":[7,5,5,6,6,0,2]"#,
        )
        .replace(r#""v66000"]}"#, r#""v66000","v67000"]}"#);
    let (code, message) = refused(&past);
    assert_eq!(code, "reconcile.invalid_table");
    assert!(
        message.contains("slot 0 sends devices to 'v67000', past the target"),
        "{message}"
    );
    // With downgrades allowed a hop may go down: the reordered releases are then only checked
    // for the target's slot (still the one at the target).
    let down = reversed.replace("\"allow_downgrade\":false", "\"allow_downgrade\":true");
    assert!(CampaignTable::from_table_json(&down).is_ok());
}
