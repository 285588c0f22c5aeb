use super::*;
use crate::ErrorCode;
use crate::sample::{SamplingPlan, is_below, position};
use std::vec::Vec;
use std::{format, vec};

/// An Arrow string/binary array built by hand: (validity, offsets, data).
fn layout(ids: &[Option<&[u8]>], width: OffsetWidth) -> (Option<Vec<u8>>, Vec<u8>, Vec<u8>) {
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    let mut validity = vec![0u8; ids.len().div_ceil(8)];
    let push = |offsets: &mut Vec<u8>, o: usize| match width {
        OffsetWidth::I32 => offsets.extend_from_slice(&(o as i32).to_le_bytes()),
        OffsetWidth::I64 => offsets.extend_from_slice(&(o as i64).to_le_bytes()),
    };
    push(&mut offsets, 0);
    for (i, id) in ids.iter().enumerate() {
        if let Some(id) = id {
            data.extend_from_slice(id);
            validity[i / 8] |= 1 << (i % 8);
        }
        push(&mut offsets, data.len());
    }
    let any_null = ids.iter().any(Option::is_none);
    (any_null.then_some(validity), offsets, data)
}

fn ints(values: &[Option<i64>]) -> (Option<Vec<u8>>, Vec<u8>) {
    let mut bytes = Vec::new();
    let mut validity = vec![0u8; values.len().div_ceil(8)];
    for (i, v) in values.iter().enumerate() {
        bytes.extend_from_slice(&v.unwrap_or(0).to_le_bytes());
        if v.is_some() {
            validity[i / 8] |= 1 << (i % 8);
        }
    }
    let any_null = values.iter().any(Option::is_none);
    (any_null.then_some(validity), bytes)
}

/// Ids of every kind: ASCII serials, empty, long (two blocks), arbitrary bytes; nulls every
/// 7th row.
fn fleet(n: usize) -> Vec<Option<Vec<u8>>> {
    (0..n)
        .map(|i| match i % 7 {
            0 => None,
            1 => Some(Vec::new()),
            2 => Some(vec![b'x'; 60 + i % 50]),
            3 => Some((0..(i % 13) as u8).map(|b| b.wrapping_mul(37)).collect()),
            _ => Some(format!("dev-{i:08}").into_bytes()),
        })
        .collect()
}

#[test]
fn every_row_equals_the_sampler_for_both_widths_and_slices() {
    // Large enough to be split over threads.
    let ids = fleet(200_003);
    let refs: Vec<Option<&[u8]>> = ids.iter().map(|i| i.as_deref()).collect();
    for width in [OffsetWidth::I32, OffsetWidth::I64] {
        let (validity, offsets, data) = layout(&refs, width);
        for (offset, len) in [(0, refs.len()), (5, 70_001), (13, 0)] {
            let col =
                IdColumn::new(len, offset, validity.as_deref(), &offsets, width, &data).unwrap();
            let rate = 300_000;
            let got = sampled(b"acme", "metrics", rate, &col, &Periods::One(9)).unwrap();
            let pos = positions(b"acme", "metrics", &col, &Periods::One(9)).unwrap();
            let s = Sampler::new(b"acme", "metrics", 9);
            let mut nulls = 0;
            for row in 0..len {
                match refs[offset + row] {
                    None => {
                        nulls += 1;
                        assert_eq!(got.get(row), None);
                        assert!(!bit(pos.validity.as_deref(), row));
                    }
                    Some(id) => {
                        assert_eq!(got.get(row), Some(s.is_sampled(id, rate)), "row {row}");
                        assert_eq!(pos.values[row], s.position(id));
                        assert!(bit(pos.validity.as_deref(), row));
                    }
                }
            }
            assert_eq!(got.null_count, nulls);
            assert_eq!(pos.null_count, nulls);
            let want = (0..len).filter(|&r| got.get(r) == Some(true)).count();
            assert_eq!(got.count_true(), want);
        }
    }
}

#[test]
fn the_dense_path_equals_the_sampler_for_both_widths_and_slices() {
    // No null id and one period: the loops walk the offsets in order (`each_dense`). Ids of
    // every kind and length (empty, two blocks, arbitrary bytes), slices that start and end
    // inside a bitmap byte, enough rows to be split over threads.
    let ids: Vec<Vec<u8>> = fleet(140_011)
        .into_iter()
        .enumerate()
        .map(|(i, id)| id.unwrap_or_else(|| vec![0xff; i % 120]))
        .collect();
    let refs: Vec<Option<&[u8]>> = ids.iter().map(|i| Some(i.as_slice())).collect();
    let s = Sampler::new(b"acme", "metrics", 11);
    for width in [OffsetWidth::I32, OffsetWidth::I64] {
        let (validity, offsets, data) = layout(&refs, width);
        assert!(validity.is_none());
        for (offset, len) in [(0, ids.len()), (3, 99_997), (13, 1), (7, 0)] {
            let col = IdColumn::new(len, offset, None, &offsets, width, &data).unwrap();
            let got = s.sampled_column(&col, 250_000);
            let pos = s.positions_column(&col);
            assert_eq!((got.validity.as_deref(), got.len), (None, len));
            for row in 0..len {
                let id = &ids[offset + row];
                assert_eq!(got.get(row), Some(s.is_sampled(id, 250_000)), "row {row}");
                assert_eq!(pos.values[row], s.position(id), "row {row}");
            }
            // Bits past the last row stay clear.
            if len % 8 != 0 {
                assert_eq!(got.values[len / 8] >> (len % 8), 0);
            }
        }
    }
}

#[test]
fn ids_without_nulls_give_answers_without_a_validity_bitmap() {
    let ids: Vec<Vec<u8>> = (0..50_000)
        .map(|i| format!("dev-{i:08}").into_bytes())
        .collect();
    let refs: Vec<Option<&[u8]>> = ids.iter().map(|i| Some(i.as_slice())).collect();
    let (validity, offsets, data) = layout(&refs, OffsetWidth::I32);
    assert!(validity.is_none());
    let col = IdColumn::new(refs.len() - 3, 3, None, &offsets, OffsetWidth::I32, &data).unwrap();
    let got = sampled(b"acme", "metrics", 50_000, &col, &Periods::One(4)).unwrap();
    assert_eq!((got.validity.as_deref(), got.null_count), (None, 0));
    let s = Sampler::new(b"acme", "metrics", 4);
    for row in 0..col.len() {
        assert_eq!(
            got.get(row),
            Some(s.is_sampled(&ids[row + 3], 50_000)),
            "row {row}"
        );
    }
    // A null period still gives a null answer (and so a bitmap).
    let (pv, pb) = ints(&[Some(4), None, Some(5)]);
    let per = IntColumn::new(3, 0, pv.as_deref(), &pb, true).unwrap();
    let small = IdColumn::new(3, 0, None, &offsets, OffsetWidth::I32, &data).unwrap();
    let got = sampled(b"acme", "metrics", 50_000, &small, &Periods::Each(per)).unwrap();
    assert_eq!(got.null_count, 1);
    assert_eq!(got.get(1), None);
}

#[test]
fn each_row_uses_its_own_period() {
    let ids = fleet(100_000);
    let refs: Vec<Option<&[u8]>> = ids.iter().map(|i| i.as_deref()).collect();
    let (validity, offsets, data) = layout(&refs, OffsetWidth::I32);
    let col = IdColumn::new(
        refs.len(),
        0,
        validity.as_deref(),
        &offsets,
        OffsetWidth::I32,
        &data,
    )
    .unwrap();
    // Several periods, unsorted, with nulls every 11th row.
    let per: Vec<Option<i64>> = (0..refs.len())
        .map(|i| (i % 11 != 0).then_some(((i * 7919) % 5) as i64 + 20_000))
        .collect();
    let (pv, pb) = ints(&per);
    let pc = IntColumn::new(per.len(), 0, pv.as_deref(), &pb, true).unwrap();
    let got = sampled(b"salt", "logs", 500_000, &col, &Periods::Each(pc)).unwrap();
    let pos = positions(b"salt", "logs", &col, &Periods::Each(pc)).unwrap();
    for row in 0..refs.len() {
        match (refs[row], per[row]) {
            (Some(id), Some(p)) => {
                let want = position(b"salt", id, p as u64, "logs");
                assert_eq!(pos.values[row], want);
                assert_eq!(got.get(row), Some(is_below(want, 500_000)));
            }
            _ => assert_eq!(got.get(row), None, "row {row}"),
        }
    }
}

#[test]
fn timestamps_become_the_plan_s_periods_in_every_unit() {
    let plan = SamplingPlan::from_json(
        r#"{"salt": "acme-2026", "period_seconds": 3600, "period_offset_seconds": 600,
            "classes": {"metrics": 50000, "uptime": 1000000}}"#,
    )
    .unwrap();
    let ids: Vec<Option<&[u8]>> = (0..4000)
        .map(|i| {
            if i % 9 == 0 {
                None
            } else {
                Some(&b"DA143532"[..(i % 8) + 1])
            }
        })
        .collect();
    let (validity, offsets, data) = layout(&ids, OffsetWidth::I64);
    let col = IdColumn::new(
        ids.len(),
        0,
        validity.as_deref(),
        &offsets,
        OffsetWidth::I64,
        &data,
    )
    .unwrap();
    let seconds: Vec<i64> = (0..4000).map(|i| 1_763_899_200 + i * 977).collect();
    for (unit, scale) in [
        (TimeUnit::Seconds, 1i64),
        (TimeUnit::Millis, 1_000),
        (TimeUnit::Micros, 1_000_000),
        (TimeUnit::Nanos, 1_000_000_000),
    ] {
        // A fraction of a second below each whole second: floored to the second before.
        let ts: Vec<Option<i64>> = seconds
            .iter()
            .enumerate()
            .map(|(i, s)| (i % 13 != 0).then_some(s * scale + (scale - 1)))
            .collect();
        let (tv, tb) = ints(&ts);
        let tc = IntColumn::new(ts.len(), 0, tv.as_deref(), &tb, true).unwrap();
        let got = plan
            .sampled_column("metrics", &col, &Periods::Timestamps(tc, unit))
            .unwrap();
        for row in 0..ids.len() {
            match (ids[row], ts[row]) {
                (Some(id), Some(_)) => {
                    let p = plan.period_at(seconds[row] as u64).unwrap();
                    assert_eq!(got.get(row), plan.is_sampled(id, "metrics", p).ok());
                }
                _ => assert_eq!(got.get(row), None),
            }
        }
    }
}

#[test]
fn refusals_name_the_row_and_value() {
    let refs: Vec<Option<&[u8]>> = vec![Some(b"a"), Some(b"b"), Some(b"c")];
    let (_, offsets, data) = layout(&refs, OffsetWidth::I32);
    let col = IdColumn::new(3, 0, None, &offsets, OffsetWidth::I32, &data).unwrap();

    let (v, b) = ints(&[Some(1), Some(-4), Some(2)]);
    let pc = IntColumn::new(3, 0, v.as_deref(), &b, true).unwrap();
    let e = sampled(b"s", "c", 1, &col, &Periods::Each(pc)).unwrap_err();
    assert_eq!(e.code(), "sample.negative_period");
    assert_eq!(
        e.to_string(),
        "row 1: period -4 is negative; periods are 0 to 2^64 - 1"
    );

    let plan = SamplingPlan::from_json(
        r#"{"salt": "s", "period_seconds": 60, "period_offset_seconds": 100, "classes": {"c": 1}}"#,
    )
    .unwrap();
    for (ts, text) in [(99_999i64, "99"), (-1, "-1")] {
        let (v, b) = ints(&[Some(200_000), Some(200_000), Some(ts)]);
        let tc = IntColumn::new(3, 0, v.as_deref(), &b, true).unwrap();
        let e = plan
            .sampled_column("c", &col, &Periods::Timestamps(tc, TimeUnit::Millis))
            .unwrap_err();
        assert_eq!(e.code(), "sample.before_offset");
        assert!(
            e.to_string().starts_with(&format!("row 2: time {text} ")),
            "{e}"
        );
    }
    let e = plan
        .sampled_column("traces", &col, &Periods::One(1))
        .unwrap_err();
    assert_eq!(e.code(), "sample.unknown_class");

    // Timestamps without a plan, and lengths that differ.
    let (v, b) = ints(&[Some(1), Some(2)]);
    let short = IntColumn::new(2, 0, v.as_deref(), &b, true).unwrap();
    let e = sampled(
        b"s",
        "c",
        1,
        &col,
        &Periods::Timestamps(short, TimeUnit::Seconds),
    )
    .unwrap_err();
    assert_eq!(e.code(), "sample.bad_column");
    let e = sampled(b"s", "c", 1, &col, &Periods::Each(short)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "bad column: the periods have 2 rows, the ids 3"
    );
}

#[test]
fn malformed_buffers_are_refused() {
    let o = |v: &[i32]| -> Vec<u8> { v.iter().flat_map(|x| x.to_le_bytes()).collect() };
    let cases: [(Vec<u8>, &[u8], usize); 4] = [
        (o(&[0, 2, 1]), b"abc", 2),  // decreasing
        (o(&[0, 2, 9]), b"abc", 2),  // beyond the data
        (o(&[0, -1, 2]), b"abc", 2), // negative
        (o(&[0, 1]), b"abc", 2),     // too short for 2 rows
    ];
    for (offsets, data, len) in cases {
        let e = IdColumn::new(len, 0, None, &offsets, OffsetWidth::I32, data).unwrap_err();
        assert_eq!(e.code(), "sample.bad_column", "{e}");
    }
    let e = IdColumn::new(9, 0, Some(&[0xff]), &o(&[0; 10]), OffsetWidth::I32, b"").unwrap_err();
    assert!(
        e.to_string()
            .contains("validity bitmap of 1 bytes is too short for 9 rows"),
        "{e}"
    );
    let e = IntColumn::new(2, 1, None, &[0; 16], false).unwrap_err();
    assert_eq!(e.code(), "sample.bad_column");
    // u64 periods above i64::MAX are periods, not negatives.
    let big = u64::MAX.to_le_bytes();
    let pc = IntColumn::new(1, 0, None, &big, false).unwrap();
    assert_eq!(pc.get(0), Some(i128::from(u64::MAX)));
}
