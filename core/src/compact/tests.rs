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
    b[4] = 2;
    assert_eq!(
        CompactCatalog::parse(&b).unwrap_err(),
        CompactError::Format(2)
    );
}
