use super::*;
use crate::catalog::Catalog;
use alloc::string::{String, ToString};

fn figure1() -> Catalog {
    Catalog::from_json(
        r#"{"releases": [
      {"version": "v64000", "models": ["AG-1"]},
      {"version": "v65000", "min_sw_version": "v64000", "models": ["AG-1", "AG-2"]},
      {"version": "v66000", "min_sw_version": "v65000", "models": ["AG-1", "AG-2"]},
      {"version": "v66001", "min_sw_version": "v66000", "models": ["AG-1", "AG-2"]},
      {"version": "v66002", "min_sw_version": "v66000", "models": ["AG-1", "AG-2"]},
      {"version": "v66003", "min_sw_version": "v66000", "models": ["AG-1", "AG-2"]},
      {"version": "v67000", "min_sw_version": "v66003", "models": ["AG-1", "AG-2"]}]}"#,
    )
    .unwrap()
}

/// Packed for AG-1, which every release is for.
fn ag1() -> PackOptions {
    PackOptions {
        model: Some("AG-1".into()),
        ..PackOptions::default()
    }
}

#[test]
fn figure1_paths() {
    let bytes = pack(&figure1(), &ag1()).unwrap();
    let c = CompactCatalog::parse(&bytes).unwrap();
    assert_eq!(c.release_count(), 7);
    assert_eq!(c.next_hop("v64000", Some("v66002")), Ok(Some("v65000")));
    assert_eq!(c.next_hop("v66000", Some("v66002")), Ok(Some("v66002")));
    assert_eq!(c.next_hop("v66000", Some("v67000")), Ok(Some("v66003")));
    assert_eq!(c.next_hop("66003", Some("67000")), Ok(Some("v67000")));
    assert_eq!(
        c.next_hop("v67000", Some("v66000")),
        Err(HopError::Downgrade)
    );
    assert_eq!(c.next_hop("v1", Some("v65000")), Ok(Some("v64000")));
    assert_eq!(
        c.next_hop("v1", Some("v65001")),
        Err(HopError::UnknownTarget)
    );
    assert_eq!(c.next_hop("v1", None), Err(HopError::NoTarget));
    assert_eq!(
        c.next_hop("x", Some("v65000")).map_err(|e| e.code()),
        Err("version.malformed")
    );
}

#[test]
fn packed_model_and_target() {
    let opts = PackOptions {
        target: Some("v67000".into()),
        model: Some("AG-2".into()),
        environment: Some("prod".into()),
    };
    let bytes = pack(&figure1(), &opts).unwrap();
    let c = CompactCatalog::parse(&bytes).unwrap();
    assert_eq!(c.model(), Some("AG-2"));
    assert_eq!(c.environment(), Some("prod"));
    assert_eq!(c.target(), Some("v67000"));
    assert_eq!(c.next_hop("v65500", None), Ok(Some("v66000")));
    assert_eq!(
        c.next_hop("v1", Some("v64000")),
        Err(HopError::TargetNotForModel)
    );
    let bad = PackOptions {
        target: Some("v1".into()),
        ..ag1()
    };
    assert_eq!(
        pack(&figure1(), &bad),
        Err(PackError::Compact(CompactError::UnknownTarget))
    );
    assert_eq!(
        pack(&figure1(), &bad).unwrap_err().code(),
        "plan.unknown_target"
    );
}

#[test]
fn packed_for_a_device_the_catalog_can_place() {
    // The releases differ by model: a pack for no model would let the device route through
    // AG-1's v64000 whatever it is, so it is refused, as a plan is.
    let none = pack(&figure1(), &PackOptions::default()).unwrap_err();
    assert!(matches!(none, PackError::Device(_)), "{none:?}");
    assert_eq!(none.code(), "plan.model_required");
    assert_eq!(
        none.to_string(),
        "this catalog's releases differ by model (AG-1, AG-2): state the device's model"
    );
    let unknown = PackOptions {
        model: Some("AG-3".into()),
        target: Some("v1".into()),
        ..PackOptions::default()
    };
    // The device is checked before the target.
    assert_eq!(
        pack(&figure1(), &unknown).unwrap_err().code(),
        "plan.unknown_model"
    );
    // Environments: one release names one, so the others differ from it.
    let envs = Catalog::from_json(
        r#"{"releases": [{"version": "1"}, {"version": "2", "environments": ["beta"]}]}"#,
    )
    .unwrap();
    let code = |model: Option<&str>, environment: Option<&str>| {
        let o = PackOptions {
            model: model.map(String::from),
            environment: environment.map(String::from),
            ..PackOptions::default()
        };
        pack(&envs, &o).map(|_| ()).map_err(|e| e.code())
    };
    assert_eq!(code(None, None), Err("plan.environment_required"));
    assert_eq!(code(None, Some("prod")), Err("plan.unknown_environment"));
    // The catalog names no model: any model is packed for, and none is needed.
    assert_eq!(code(Some("any-model"), Some("beta")), Ok(()));
    assert_eq!(code(None, Some("beta")), Ok(()));
}

#[test]
fn every_truncation_and_bit_flip_is_an_error_or_consistent() {
    let bytes = pack(&figure1(), &ag1()).unwrap();
    for n in 0..bytes.len() {
        assert!(CompactCatalog::parse(&bytes[..n]).is_err(), "prefix {n}");
    }
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            if let Ok(c) = CompactCatalog::parse(&b) {
                let _ = c.next_hop("v64000", Some("v67000"));
                let _ = c.next_hop("v66000", None);
            }
        }
    }
    assert_eq!(
        CompactCatalog::parse(b"XXXX").unwrap_err().code(),
        "compact.truncated"
    );
    let mut b = bytes.clone();
    b[0] = b'X';
    assert_eq!(
        CompactCatalog::parse(&b).unwrap_err(),
        CompactError::BadMagic
    );
    b[0] = b'S';
    b[4] = 3;
    assert_eq!(
        CompactCatalog::parse(&b).unwrap_err(),
        CompactError::Format(3)
    );
}

#[test]
fn digests_are_packed_and_format_1_is_still_read() {
    let catalog = Catalog::from_json(
        r#"{"releases": [
      {"version": "v1", "models": ["A", "B"],
       "sha256": "1111111111111111111111111111111111111111111111111111111111111111"},
      {"version": "v2", "min_sw_version": "v1", "yanked": true},
      {"version": "v3", "min_sw_version": "v1", "models": ["A"],
       "sha256": "3333333333333333333333333333333333333333333333333333333333333333"}]}"#,
    )
    .unwrap();
    let opts = PackOptions {
        model: Some("B".into()),
        ..Default::default()
    };
    let bytes = pack(&catalog, &opts).unwrap();
    assert_eq!((bytes[4], bytes[6] & 4), (FORMAT, 4));
    let c = CompactCatalog::parse(&bytes).unwrap();
    let v1 = c.release("v1").unwrap();
    assert_eq!(v1.sha256, Some(&[0x11; 32]));
    assert!(!v1.yanked && !v1.not_for_model);
    let v2 = c.release("v2").unwrap();
    assert_eq!((v2.yanked, v2.sha256), (true, None));
    let v3 = c.release("v3").unwrap();
    assert_eq!((v3.not_for_model, v3.sha256), (true, Some(&[0x33; 32])));
    assert_eq!(c.release("v4"), None);
    assert_eq!(c.release("x"), None);
    // No digest anywhere: no table, and the flag is off.
    let plain = Catalog::from_json(r#"{"releases": [{"version": "v1"}]}"#).unwrap();
    let bytes = pack(&plain, &PackOptions::default()).unwrap();
    assert_eq!(bytes[6] & 4, 0);
    // Format 1 (no digests) still parses; the digest flag is refused there.
    let mut old = bytes.clone();
    old[4] = 1;
    let c = CompactCatalog::parse(&old).unwrap();
    assert_eq!(c.release("v1").unwrap().sha256, None);
    old[6] |= 4;
    assert_eq!(
        CompactCatalog::parse(&old).unwrap_err(),
        CompactError::Corrupt { at: 6 }
    );
}
