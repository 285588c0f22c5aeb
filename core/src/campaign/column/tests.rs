use std::string::String;
use std::vec::Vec;
use std::{format, vec};

use super::*;
use crate::sample::column::OffsetWidth;

const CATALOG: &str = include_str!("../../../../examples/catalog.json");

fn text_layout(items: &[Option<&str>]) -> (Option<Vec<u8>>, Vec<u8>, Vec<u8>) {
    let mut data = Vec::new();
    let mut offsets = 0i32.to_le_bytes().to_vec();
    let mut validity = vec![0u8; items.len().div_ceil(8)];
    for (i, item) in items.iter().enumerate() {
        if let Some(s) = item {
            data.extend_from_slice(s.as_bytes());
            validity[i / 8] |= 1 << (i % 8);
        }
        offsets.extend_from_slice(&(data.len() as i32).to_le_bytes());
    }
    (
        items.iter().any(Option::is_none).then_some(validity),
        offsets,
        data,
    )
}

/// The answer one `CampaignTable` gives one device, as (hop, code).
fn one(
    catalog: &Catalog,
    target: &Version,
    version: Option<&str>,
    model: Option<&str>,
    env: Option<&str>,
) -> (Option<String>, Option<&'static str>) {
    let Some(version) = version else {
        return (None, Some("plan.no_version"));
    };
    let table = match CampaignTable::build(catalog, target, model, env, Cost::Hops) {
        Ok(t) => t,
        Err(e) => return (None, Some(e.code())),
    };
    let key = match VersionKey::parse(version, catalog.scheme()) {
        Ok(k) => k,
        Err(e) => return (None, Some(e.code())),
    };
    match table.next_hop(&key) {
        Ok(h) => (h.map(|v| v.as_str().into()), None),
        Err(r) => (None, Some(r.code())),
    }
}

#[test]
fn every_row_equals_its_own_table_across_models_environments_and_nulls() {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let target = catalog.parse_version("v67000").unwrap();
    let versions = [
        "v64000", "v65000", "v66001", "v67000", "v68000", "garbage", "", "66002",
    ];
    let models = [Some("AG-1"), Some("AG-2"), Some("XX-9"), None];
    let envs = [Some("production"), Some("staging"), None];
    let n = 500;
    let v: Vec<Option<&str>> = (0..n)
        .map(|i| (i % 17 != 0).then(|| versions[i % versions.len()]))
        .collect();
    let m: Vec<Option<&str>> = (0..n).map(|i| models[(i / 3) % models.len()]).collect();
    let e: Vec<Option<&str>> = (0..n).map(|i| envs[(i / 5) % envs.len()]).collect();
    let (vv, vo, vd) = text_layout(&v);
    let (mv, mo, md) = text_layout(&m);
    let (ev, eo, ed) = text_layout(&e);
    let vc = IdColumn::new(n, 0, vv.as_deref(), &vo, OffsetWidth::I32, &vd).unwrap();
    let mc = IdColumn::new(n, 0, mv.as_deref(), &mo, OffsetWidth::I32, &md).unwrap();
    let ec = IdColumn::new(n, 0, ev.as_deref(), &eo, OffsetWidth::I32, &ed).unwrap();
    let out = next_hops(
        &catalog,
        &target,
        Cost::Hops,
        false,
        &Versions::Text(vc),
        Some(&mc),
        Some(&ec),
    )
    .unwrap();
    let mut codes = std::collections::BTreeSet::new();
    for row in 0..n {
        let (hop, code) = one(&catalog, &target, v[row], m[row], e[row]);
        assert_eq!(out.hop.get(row), hop.as_deref(), "row {row}");
        assert_eq!(out.error_code.get(row), code, "row {row}");
        assert_eq!(out.error_message.get(row).is_some(), code.is_some());
        codes.insert(code);
    }
    // The data reaches answers, at-target rows and several kinds of refusal.
    assert!(codes.len() >= 4, "{codes:?}");
    assert_eq!(out.hop.len(), n);
}

#[test]
fn integer_build_numbers_and_length_mismatch() {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let target = catalog.parse_version("v67000").unwrap();
    let nums: [Option<i64>; 4] = [Some(64000), None, Some(-3), Some(67000)];
    let mut bytes = Vec::new();
    for x in nums {
        bytes.extend_from_slice(&x.unwrap_or(0).to_le_bytes());
    }
    let validity = [0b1101u8];
    let col = IntColumn::new(4, 0, Some(&validity), &bytes, true).unwrap();
    let m: Vec<Option<&str>> = vec![Some("AG-1"); 4];
    let (_, mo, md) = text_layout(&m);
    let mc = IdColumn::new(4, 0, None, &mo, OffsetWidth::I32, &md).unwrap();
    let out = next_hops(
        &catalog,
        &target,
        Cost::Hops,
        false,
        &Versions::Integers(col),
        Some(&mc),
        None,
    )
    .unwrap();
    let want0 = one(&catalog, &target, Some("64000"), Some("AG-1"), None);
    assert_eq!(out.hop.get(0), want0.0.as_deref());
    assert_eq!(out.error_code.get(0), want0.1);
    assert_eq!(out.error_code.get(1), Some("plan.no_version"));
    assert_eq!(out.error_code.get(2), Some("version.malformed"));
    assert!(
        out.error_message.get(2).unwrap().contains("-3"),
        "{:?}",
        out.error_message.get(2)
    );
    assert_eq!((out.hop.get(3), out.error_code.get(3)), (None, None));

    let short = IdColumn::new(2, 0, None, &mo, OffsetWidth::I32, &md).unwrap();
    let e = next_hops(
        &catalog,
        &target,
        Cost::Hops,
        false,
        &Versions::Integers(col),
        Some(&short),
        None,
    )
    .unwrap_err();
    assert_eq!(e.code(), "sample.bad_column");
    assert_eq!(
        format!("{e}"),
        "bad column: the model column has 2 rows, the versions 4"
    );
}

#[test]
fn one_table_answers_as_the_grouped_call() {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let target = catalog.parse_version("v67000").unwrap();
    let v: Vec<Option<&str>> = vec![
        Some("v64000"),
        None,
        Some("v67000"),
        Some("bad"),
        Some("v66002"),
    ];
    let (vv, vo, vd) = text_layout(&v);
    let vc = IdColumn::new(v.len(), 0, vv.as_deref(), &vo, OffsetWidth::I32, &vd).unwrap();
    let m = vec![Some("AG-1"); v.len()];
    let (_, mo, md) = text_layout(&m);
    let mc = IdColumn::new(v.len(), 0, None, &mo, OffsetWidth::I32, &md).unwrap();
    let grouped = next_hops(
        &catalog,
        &target,
        Cost::Hops,
        false,
        &Versions::Text(vc),
        Some(&mc),
        None,
    )
    .unwrap();
    let table = CampaignTable::build(&catalog, &target, Some("AG-1"), None, Cost::Hops).unwrap();
    let single = next_hops_in(&table, catalog.scheme(), &Versions::Text(vc)).unwrap();
    assert_eq!(grouped, single);
}
