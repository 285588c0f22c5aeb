use super::*;
use crate::catalog::Catalog;

fn figure1() -> Catalog {
    Catalog::from_json(
        r#"{"releases": [
      {"version": "v64000", "models": ["AG-1"]},
      {"version": "v65000", "min_sw_version": "v64000"},
      {"version": "v66000", "min_sw_version": "v65000"},
      {"version": "v66001", "min_sw_version": "v66000"},
      {"version": "v66002", "min_sw_version": "v66000"},
      {"version": "v66003", "min_sw_version": "v66000"},
      {"version": "v67000", "min_sw_version": "v66003"}]}"#,
    )
    .unwrap()
}

#[test]
fn figure1_paths() {
    let bytes = pack(&figure1(), &PackOptions::default()).unwrap();
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
        ..PackOptions::default()
    };
    assert_eq!(pack(&figure1(), &bad), Err(CompactError::UnknownTarget));
}

#[test]
fn every_truncation_and_bit_flip_is_an_error_or_consistent() {
    let bytes = pack(&figure1(), &PackOptions::default()).unwrap();
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
      {"version": "v1", "sha256": "1111111111111111111111111111111111111111111111111111111111111111"},
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
