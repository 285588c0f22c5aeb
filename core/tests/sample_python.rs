//! The hashlib re-implementation written from docs/sampling.md
//! (core/tests/python/sample_reference.py) agrees with the library on 10,000 ids, and on the
//! conformance vectors. Needs `python3` on PATH (CI machines have it); set
//! STEPSTONE_SKIP_PYTHON=1 to skip where it is missing.

use std::io::Write;
use std::process::{Command, Stdio};

use stepstone::sample::{is_below, position};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/python/sample_reference.py"
);

fn skip() -> bool {
    std::env::var_os("STEPSTONE_SKIP_PYTHON").is_some_and(|v| v == "1")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fixed-seed xorshift64*: the same ids on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn python_hashlib_agrees_on_10000_ids() {
    if skip() {
        eprintln!("skipped: STEPSTONE_SKIP_PYTHON=1");
        return;
    }
    let salts: [&[u8]; 4] = [b"acme-2026", b"", b"\x00\x01salt", &[0xaa; 64]];
    let classes = [
        "uptime",
        "metrics",
        "coredumps",
        "rollout",
        "m\u{e9}triques",
        "",
    ];
    let rates = [0u32, 1, 1_000, 10_000, 50_000, 500_000, 999_999, 1_000_000];
    let mut rng = Rng(0x5eed_0006);
    let mut input = String::new();
    let mut expected = Vec::new();
    for i in 0..10_000u64 {
        // Half serial-like ASCII ids, half arbitrary bytes of length 0..=80.
        let id: Vec<u8> = if i % 2 == 0 {
            format!("DA{:06}", rng.next() % 1_000_000).into_bytes()
        } else {
            let len = (rng.next() % 81) as usize;
            (0..len).map(|_| rng.next() as u8).collect()
        };
        let salt = salts[(rng.next() % 4) as usize];
        let class = classes[(rng.next() % 6) as usize];
        let period = match i % 3 {
            0 => 20_000 + rng.next() % 1_000,
            1 => 0,
            _ => rng.next(),
        };
        let rate = rates[(rng.next() % 8) as usize];
        input.push_str(&format!(
            "{}\t{}\t{period}\t{}\t{rate}\n",
            hex(salt),
            hex(&id),
            hex(class.as_bytes())
        ));
        let p = position(salt, &id, period, class);
        expected.push(format!("{p:016x}\t{}", u8::from(is_below(p, rate))));
    }
    let mut child = Command::new("python3")
        .arg(SCRIPT)
        .arg("batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs (set STEPSTONE_SKIP_PYTHON=1 where it is missing)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python3 failed");
    let got: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(got.len(), 10_000);
    let inputs: Vec<&str> = input.lines().collect();
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "id #{i} disagrees; input line: {}", inputs[i]);
    }
}

#[test]
fn python_hashlib_passes_the_vectors() {
    if skip() {
        return;
    }
    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/sample.json");
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg("check")
        .arg(vectors)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
