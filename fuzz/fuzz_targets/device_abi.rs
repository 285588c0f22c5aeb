//! The device port's C entry points, through their Rust side, with arbitrary bytes and lengths
//! (including NULL pointers with non-zero lengths and undersized outputs): no panic, no crash,
//! and every status is one the header names. The chain's entry points as a state machine:
//! `device_chain`; the signed catalog envelope: `compact_envelope`.
#![no_main]
use core::ptr::{null, null_mut};
use libfuzzer_sys::fuzz_target;
use stepstone_device::*;

fn known(code: i32) -> bool {
    StepstoneStatus::from_i32(code).is_some()
}

fuzz_target!(|data: &[u8]| {
    let (sel, rest) = match data.split_first() {
        Some((s, r)) => (*s, r),
        None => return,
    };
    let cut = rest.len() / 3;
    let (a, tail) = rest.split_at(cut);
    let (b, c) = tail.split_at(tail.len() / 2);
    // NULL with a non-zero length when the selector says so.
    let p = |s: &[u8], bit: u8| if sel & bit != 0 { null() } else { s.as_ptr() };
    let mut out = [0u8; 64];
    let mut n = 0usize;
    // SAFETY: every non-NULL pointer is valid for its length.
    unsafe {
        let st = stepstone_next_hop(
            p(a, 1),
            a.len(),
            p(b, 2).cast(),
            b.len(),
            p(c, 4).cast(),
            c.len(),
            out.as_mut_ptr(),
            (sel as usize) % 65,
            &mut n,
        );
        assert!(known(st));
        let mut pos = 0u64;
        let st = stepstone_sample_position(
            p(a, 8),
            a.len(),
            p(b, 16),
            b.len(),
            sel.into(),
            p(c, 32).cast(),
            c.len(),
            &mut pos,
        );
        assert!(known(st));
        let mut ctx = StepstoneVerifyCtx {
            opaque: [0; STEPSTONE_VERIFY_CTX_WORDS],
        };
        assert!(known(stepstone_verify_update(&mut ctx, p(a, 1), a.len())));
        assert_eq!(
            stepstone_verify_init(&mut ctx, core::mem::size_of_val(&ctx)),
            0
        );
        assert!(known(stepstone_verify_update(&mut ctx, p(a, 64), a.len())));
        let st = if sel & 128 != 0 {
            stepstone_verify_finish_key(&mut ctx, p(b, 2), b.len(), p(c, 4), c.len())
        } else {
            let dev = StepstoneDevice {
                model: b.as_ptr().cast(),
                model_len: b.len().min(4),
                environment: null(),
                environment_len: 0,
                current_version: c.as_ptr().cast(),
                current_version_len: c.len().min(8),
                counter: null(),
                counter_len: 0,
                now: u64::from(sel),
                // The catalog: bytes, or NULL with a length.
                catalog: p(a, 16),
                catalog_len: a.len(),
            };
            stepstone_verify_finish_manifest(
                &mut ctx,
                p(b, 2),
                b.len(),
                p(c, 4),
                c.len(),
                p(a, 8),
                a.len(),
                &dev,
            )
        };
        assert!(known(st));
        assert!(known(stepstone_verify_update(&mut ctx, null(), 0)));
        let mut d = 0u64;
        assert!(known(stepstone_retry_backoff(
            null(),
            sel.into(),
            1,
            null(),
            0,
            null(),
            0,
            1,
            &mut d
        )));
        assert!(known(stepstone_sample_is_below(
            pos,
            sel.into(),
            null_mut()
        )));
    }
});
