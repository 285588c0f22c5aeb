//! The signed compact catalog envelope (`signed_catalog::compact`, what `stepstone_catalog_open`
//! reads): `parse` and `open` over arbitrary bytes, and over envelopes sealed from fuzzed fields
//! (then edited, cut or extended), with arbitrary last states and clocks near the edges.
//!
//! Asserts: no panic; `parse` gives exactly the documented layout; `open` accepts only what
//! every rule allows and gives the documented state; an unedited envelope sealed with the pinned
//! key answers as a model of the rules predicts (clock, floor, expiry, sequence, equal sequence
//! with other bytes, in that order); any changed byte is refused; and the C entry point
//! `stepstone_catalog_open` answers as core does (same code; same payload, sequence, times and
//! state; a payload that is not a compact catalog refused with a `compact.*` status).
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use stepstone::catalog::Catalog;
use stepstone::compact::{CompactCatalog, PackOptions, pack};
use stepstone::error::ErrorCode;
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{PublicKey, sha256};
use stepstone::signed_catalog::compact::{
    CatalogState, FORMAT, HEADER_LEN, MAGIC, SIGNATURE_LEN, open, parse, seal,
};
use stepstone_device::{StepstoneCatalogOpened, StepstoneCatalogState, StepstoneStatus};

struct Fixed {
    key: SigningKey,
    public: PublicKey,
    other: SigningKey,
    payload: Vec<u8>,
}

fn fixed() -> &'static Fixed {
    static F: OnceLock<Fixed> = OnceLock::new();
    F.get_or_init(|| {
        let catalog = Catalog::from_json(
            r#"{"releases": [{"version": "v66000"},
              {"version": "v66003", "min_sw_version": "v66000"},
              {"version": "v66004", "min_sw_version": "v66000", "yanked": true},
              {"version": "v67000", "min_sw_version": "v66003"}]}"#,
        )
        .unwrap();
        let opts = PackOptions {
            target: Some("v67000".into()),
            model: Some("AG-1".into()),
            environment: Some("production".into()),
        };
        let key = SigningKey::from_bytes(&[4u8; 32]).unwrap();
        Fixed {
            public: key.public_key(),
            key,
            other: SigningKey::from_bytes(&[5u8; 32]).unwrap(),
            payload: pack(&catalog, &opts).unwrap(),
        }
    })
}

#[derive(Arbitrary, Debug)]
enum Payload {
    /// A real compact catalog.
    Packed,
    /// The packed one with a byte changed.
    PackedEdited(u16, u8),
    /// Anything.
    Bytes(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Source {
    Raw(Vec<u8>),
    Sealed {
        payload: Payload,
        sequence: u64,
        issued: u64,
        /// Expiry after `issued` (wrapping), so both orders happen.
        lifetime: u32,
        other_key: bool,
        edits: Vec<(u16, u8)>,
        cut: Option<u16>,
        append: Vec<u8>,
    },
}

#[derive(Arbitrary, Debug)]
enum Clock {
    Abs(u64),
    Zero,
    NearIssued(i16),
    NearExpires(i16),
}

#[derive(Arbitrary, Debug)]
enum Last {
    None,
    Abs {
        sequence: u64,
        sha256: [u8; 32],
        issued: u64,
    },
    /// Near this envelope's own header: the sequence moved by `seq`, its own digest or another,
    /// the floor moved by `floor`.
    Near {
        seq: i8,
        own_digest: bool,
        floor: i16,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    source: Source,
    last: Last,
    now: Clock,
}

/// `COMPACT_ENVELOPE_STATS=1`: one line per input (core's answer and C's status), to see which
/// rules a corpus reaches: `cargo fuzz run compact_envelope CORPUS -- -runs=0 2>&1 | grep
/// ^envelope | sort | uniq -c`.
fn stats() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("COMPACT_ENVELOPE_STATS").is_some())
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

fn add(base: u64, d: i64) -> u64 {
    base.wrapping_add_signed(d)
}

fuzz_target!(|input: Input| {
    let f = fixed();
    // The envelope, and whether it is exactly what the pinned key sealed.
    let (envelope, pristine) = match &input.source {
        Source::Raw(b) => (b.clone(), false),
        Source::Sealed {
            payload,
            sequence,
            issued,
            lifetime,
            other_key,
            edits,
            cut,
            append,
        } => {
            let p = match payload {
                Payload::Packed => f.payload.clone(),
                Payload::PackedEdited(at, x) => {
                    let mut p = f.payload.clone();
                    let i = *at as usize % p.len();
                    p[i] ^= x | 1;
                    p
                }
                Payload::Bytes(b) => b.clone(),
            };
            let key = if *other_key { &f.other } else { &f.key };
            let expires = issued.wrapping_add(u64::from(*lifetime));
            let sealed = match seal(&p, *sequence, *issued, expires, key) {
                Ok(sealed) => sealed,
                Err(e) => {
                    // Only an envelope born expired is refused.
                    assert!(expires <= *issued, "seal refused {e}");
                    assert_eq!(e.code(), "signed_catalog.expired");
                    return;
                }
            };
            let mut e = sealed.clone();
            for (at, x) in edits {
                if !e.is_empty() {
                    let i = *at as usize % e.len();
                    e[i] ^= x;
                }
            }
            if let Some(n) = cut {
                e.truncate(*n as usize % (e.len() + 1));
            }
            e.extend_from_slice(append);
            let same = e == sealed;
            (e, same && !*other_key)
        }
    };

    // The layout, read without a signature check.
    let parsed = parse(&envelope);
    if let Ok((h, signed, sig)) = &parsed {
        assert_eq!(envelope.len(), HEADER_LEN + h.payload_len + SIGNATURE_LEN);
        assert_eq!(&envelope[..4], &MAGIC);
        assert_eq!(envelope[4], FORMAT);
        assert_eq!(*signed, &envelope[..HEADER_LEN + h.payload_len]);
        assert_eq!(*sig, &envelope[HEADER_LEN + h.payload_len..]);
        assert_eq!(h.sequence, u64_at(&envelope, 8));
        assert_eq!(h.issued, u64_at(&envelope, 16));
        assert_eq!(h.expires, u64_at(&envelope, 24));
        assert_eq!(&h.key_id.0[..], &envelope[32..64]);
        assert_eq!(
            h.payload_len as u64,
            u64::from(u32::from_le_bytes(envelope[64..68].try_into().unwrap()))
        );
    }
    let header = parsed.as_ref().ok().map(|p| p.0);
    let own_digest = parsed.as_ref().ok().map(|p| sha256(p.1));

    let last = match input.last {
        Last::None => None,
        Last::Abs {
            sequence,
            sha256,
            issued,
        } => Some(CatalogState {
            sequence,
            digest: sha256,
            issued,
        }),
        Last::Near {
            seq,
            own_digest: own,
            floor,
        } => header.map(|h| CatalogState {
            sequence: add(h.sequence, seq.into()),
            digest: if own { own_digest.unwrap() } else { [0x5a; 32] },
            issued: add(h.issued, floor.into()),
        }),
    };
    let now = match input.now {
        Clock::Abs(n) => n,
        Clock::Zero => 0,
        Clock::NearIssued(d) => header.map_or(1, |h| add(h.issued, d.into())),
        Clock::NearExpires(d) => header.map_or(1, |h| add(h.expires, d.into())),
    };

    let opened = open(&envelope, &f.public, last.as_ref(), now);
    if let Ok(o) = &opened {
        let (h, signed, _) = parsed.expect("open accepted what parse refused");
        assert_eq!(o.header, h);
        assert_eq!(h.key_id, f.public.key_id());
        let floor = last.map_or(0, |l| l.issued);
        assert!(
            now != 0 && now >= floor && now < h.expires,
            "a clock outside the rules"
        );
        if let Some(l) = &last {
            assert!(h.sequence >= l.sequence, "a lower sequence accepted");
            if h.sequence == l.sequence {
                assert_eq!(
                    sha256(signed),
                    l.digest,
                    "an equal sequence with other bytes"
                );
            }
        }
        assert_eq!(
            o.state,
            CatalogState {
                sequence: h.sequence,
                digest: sha256(signed),
                issued: h.issued.max(floor)
            }
        );
        assert_eq!(o.payload_offset, HEADER_LEN);
        assert_eq!(o.payload, &envelope[HEADER_LEN..HEADER_LEN + h.payload_len]);
    }
    // A sealed envelope with any byte changed, cut or extended is refused; an unedited one
    // answers as the rules say, in their order.
    if let Source::Sealed {
        other_key: false, ..
    } = input.source
    {
        if !pristine {
            assert!(opened.is_err(), "an edited envelope was accepted");
        } else {
            let h = header.unwrap();
            let floor = last.map_or(0, |l| l.issued);
            let want = if now == 0 {
                Some("signed_catalog.clock_unset")
            } else if now < floor {
                Some("signed_catalog.clock_behind")
            } else if now >= h.expires {
                Some("signed_catalog.expired")
            } else {
                match &last {
                    Some(l) if h.sequence < l.sequence => Some("signed_catalog.rollback"),
                    Some(l) if h.sequence == l.sequence && own_digest != Some(l.digest) => {
                        Some("signed_catalog.sequence_reused")
                    }
                    _ => None,
                }
            };
            assert_eq!(
                opened.as_ref().err().map(|e| e.code()),
                want,
                "the rules' answer"
            );
        }
    }

    // The C entry point answers as core does.
    let key = f.public.to_sec1_uncompressed();
    let c_last = last.map(|l| StepstoneCatalogState {
        sequence: l.sequence,
        sha256: l.digest,
        issued: l.issued,
    });
    let mut out = core::mem::MaybeUninit::<StepstoneCatalogOpened>::zeroed();
    // SAFETY: valid pointers and lengths.
    let st = unsafe {
        stepstone_device::stepstone_catalog_open(
            envelope.as_ptr(),
            envelope.len(),
            key.as_ptr(),
            key.len(),
            c_last.as_ref().map_or(core::ptr::null(), |l| l as *const _),
            now,
            out.as_mut_ptr(),
        )
    };
    let want = match &opened {
        Err(e) => StepstoneStatus::from_code(e.code()),
        Ok(o) => match CompactCatalog::parse(o.payload) {
            Ok(_) => StepstoneStatus::StepstoneOk,
            Err(e) => StepstoneStatus::from_code(e.code()),
        },
    };
    assert_ne!(
        want,
        StepstoneStatus::StepstoneErrUnknown,
        "a core code without a status"
    );
    if stats() {
        let core = opened.as_ref().map_or_else(|e| e.code(), |_| "ok");
        let kind = if pristine { "sealed" } else { "other" };
        eprintln!("envelope {kind} {core} c={st}");
    }
    assert_eq!(
        st,
        want as i32,
        "C status {st}, core {:?}",
        opened.map(|o| o.header)
    );
    if st == 0 {
        // SAFETY: zeroed plain data, written by the call.
        let c = unsafe { out.assume_init() };
        let o = opened.unwrap();
        assert_eq!(
            (c.payload_offset, c.payload_len),
            (o.payload_offset, o.payload.len())
        );
        assert_eq!(
            (c.sequence, c.issued, c.expires),
            (o.header.sequence, o.header.issued, o.header.expires)
        );
        assert_eq!(
            (c.state.sequence, c.state.sha256, c.state.issued),
            (o.state.sequence, o.state.digest, o.state.issued)
        );
        // Plan over the opened payload, as a device does next.
        let mut hop = [0u8; 128];
        let mut n = 0usize;
        // SAFETY: valid pointers and lengths.
        let st = unsafe {
            stepstone_device::stepstone_next_hop(
                envelope.as_ptr().add(c.payload_offset),
                c.payload_len,
                b"v66000".as_ptr().cast(),
                6,
                core::ptr::null(),
                0,
                hop.as_mut_ptr(),
                hop.len(),
                &mut n,
            )
        };
        assert!(
            StepstoneStatus::from_i32(st).is_some_and(|s| s != StepstoneStatus::StepstoneErrPanic)
        );
    }
});
