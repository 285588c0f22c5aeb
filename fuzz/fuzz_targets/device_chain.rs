//! The closed chain through the device port's C entry points, as a state machine:
//! `stepstone_catalog_open` (sealed catalogs built from fuzzed choices, or arbitrary bytes) ->
//! `stepstone_verify_init_manifest` (manifests signed from fuzzed fields, or arbitrary bytes;
//! device structs with NULLs, non-UTF-8 text and bad clocks; contexts at every offset of an
//! aligned buffer and of every size) -> a fuzzed sequence of `_update` (any chunking, NULL
//! chunks), `_finish_checked` (NULL and unaligned outputs), `_finish_key`,
//! `_finish_manifest_checked`, re-inits and key-only inits.
//!
//! Each call's status is held to a model: the argument rules (a misaligned context is
//! `STEPSTONE_ERR_BAD_ARGUMENT` and not one byte of the buffer changes; a short context too;
//! nothing is written outside the context), core's own answer for the manifest
//! (`PublicKey::parse_uncompressed`, `manifest::verify_binary`, `check_device`,
//! `check_catalog`), the sticky size check (a chunk past the declared size and every call after
//! it refused), argument errors before the context is consumed, a failed finish keeping the
//! hashed image, and the verified facts on success. No status is ever `STEPSTONE_ERR_PANIC` or
//! `STEPSTONE_ERR_UNKNOWN`.
#![no_main]

use core::ptr::{null, null_mut};
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use stepstone::catalog::Catalog;
use stepstone::compact::{CompactCatalog, PackOptions, pack};
use stepstone::error::ErrorCode;
use stepstone::manifest::{self, Device, Manifest, ManifestFields};
use stepstone::signature::sign::SigningKey;
use stepstone::signature::{PublicKey, Signature, SignatureFormat, sha256};
use stepstone::signed_catalog::compact::seal;
use stepstone::version::Scheme;
use stepstone_device::*;

const NOW: u64 = 1_800_000_000;
const CTX: usize = STEPSTONE_VERIFY_CTX_SIZE;
const SLACK: usize = 32;
const PATTERN: u8 = 0xEE;

type S = StepstoneStatus;

struct Keys {
    manifest: SigningKey,
    catalog: SigningKey,
}

fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| Keys {
        manifest: SigningKey::from_bytes(&[3u8; 32]).unwrap(),
        catalog: SigningKey::from_bytes(&[4u8; 32]).unwrap(),
    })
}

/// DER SubjectPublicKeyInfo of a P-256 key.
fn spki(k: &PublicKey) -> Vec<u8> {
    let mut d = hex_bytes("3059301306072a8648ce3d020106082a8648ce3d030107034200");
    d.extend_from_slice(&k.to_sec1_uncompressed());
    d
}

fn hex_bytes(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A pointer argument: bytes, or NULL with a length.
#[derive(Clone, Debug)]
struct Arg {
    data: Vec<u8>,
    null: bool,
    len: usize,
}

impl Arg {
    fn of(data: Vec<u8>) -> Arg {
        Arg {
            len: data.len(),
            data,
            null: false,
        }
    }
    fn null(len: usize) -> Arg {
        Arg {
            data: Vec::new(),
            null: true,
            len,
        }
    }
    fn ptr(&self) -> *const u8 {
        if self.null {
            null()
        } else {
            self.data.as_ptr()
        }
    }
    /// What the device reads: `device.null_pointer` for NULL with a length.
    fn bytes(&self) -> Result<&[u8], S> {
        if self.len == 0 {
            Ok(&[])
        } else if self.null {
            Err(S::StepstoneErrNullPointer)
        } else {
            Ok(&self.data[..self.len])
        }
    }
    fn text(&self) -> Result<&str, S> {
        std::str::from_utf8(self.bytes()?).map_err(|_| S::StepstoneErrNotUtf8)
    }
}

#[derive(Arbitrary, Debug)]
enum Blob {
    Good,
    Flip(u16, u8),
    Cut(u16),
    Bytes(Vec<u8>),
    NullLen(u8),
}

impl Blob {
    fn apply(&self, good: Vec<u8>) -> Arg {
        match self {
            Blob::Good => Arg::of(good),
            Blob::Flip(at, x) => {
                let mut g = good;
                if !g.is_empty() {
                    let i = *at as usize % g.len();
                    g[i] ^= x;
                }
                Arg::of(g)
            }
            Blob::Cut(n) => {
                let mut g = good;
                g.truncate(*n as usize % (g.len() + 1));
                Arg::of(g)
            }
            Blob::Bytes(b) => Arg::of(b.clone()),
            Blob::NullLen(n) => Arg::null(*n as usize),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Text {
    Good,
    Other(String),
    Bytes(Vec<u8>),
    NullLen(u8),
}

impl Text {
    fn apply(&self, good: &str) -> Arg {
        match self {
            Text::Good => Arg::of(good.as_bytes().to_vec()),
            Text::Other(s) => Arg::of(s.as_bytes().to_vec()),
            Text::Bytes(b) => Arg::of(b.clone()),
            Text::NullLen(n) => Arg::null(*n as usize),
        }
    }
}

const VERSIONS: [&str; 6] = ["v66003", "v66000", "v65000", "v67000", "v66004", "v66005"];
const MODELS: [&[&str]; 4] = [&["AG-1"], &["*"], &["AG-2"], &["AG-2", "AG-1"]];

#[derive(Arbitrary, Debug)]
struct ManifestIn {
    version: u8,
    min_sw: Option<u8>,
    /// The declared size is the image's plus this.
    size_delta: i8,
    /// Declares another digest than the image's.
    digest_wrong: bool,
    models: u8,
    staging: bool,
    /// Expiry: an hour after now, moved by this.
    expires_delta: i32,
    /// Signed with the catalog key (role separation: refused).
    catalog_key: bool,
    /// 0 DER, 1 raw, 2 hex text (the device reads binary only).
    form: u8,
}

#[derive(Arbitrary, Debug)]
enum CatalogIn {
    None,
    Sealed {
        /// 0: the image's SHA-256, 1: none, 2: another.
        digest: u8,
        yanked: bool,
        /// v66003 left out of the catalog.
        unlisted: bool,
        for_ag2: bool,
        edit: Option<(u16, u8)>,
        now_delta: i32,
    },
    Raw(Vec<u8>),
    NullLen(u8),
}

#[derive(Arbitrary, Debug)]
enum Clock {
    Good,
    Zero,
    Abs(u64),
    Delta(i32),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Update(u16),
    UpdateNull(u16),
    Finish,
    FinishNullOut,
    FinishOddOut(u8),
    FinishKey {
        right_image: bool,
        form: u8,
        other_key: bool,
    },
    FinishManifest {
        null_out: bool,
    },
    InitManifest,
    InitKeyOnly,
}

#[derive(Arbitrary, Debug)]
struct Input {
    image: Vec<u8>,
    tail: Vec<u8>,
    manifest: ManifestIn,
    manifest_blob: Blob,
    sig_blob: Blob,
    key_blob: Blob,
    key_sec1: bool,
    catalog: CatalogIn,
    null_device: bool,
    model: Text,
    environment: Text,
    current: Text,
    counter: Text,
    now: Clock,
    ctx_offset: u8,
    ctx_size_delta: i16,
    ops: Vec<Op>,
}

/// The manifest text for these choices, signed (None when the fields do not render).
fn manifest_for(m: &ManifestIn, image: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let k = keys();
    let signer = if m.catalog_key {
        &k.catalog
    } else {
        &k.manifest
    };
    let mut sha = sha256(image);
    if m.digest_wrong {
        sha[0] ^= 1;
    }
    let fields = ManifestFields {
        scheme: Scheme::Integer,
        version: VERSIONS[m.version as usize % VERSIONS.len()].into(),
        min_sw_version: m
            .min_sw
            .map(|v| VERSIONS[v as usize % VERSIONS.len()].into()),
        size: (image.len() as i64 + i64::from(m.size_delta)).max(0) as u64,
        sha256: sha,
        models: MODELS[m.models as usize % MODELS.len()]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        environment: if m.staging { "staging" } else { "production" }.into(),
        expires: (NOW + 3_600).wrapping_add_signed(m.expires_delta.into()),
        key_id: k.manifest.public_key().key_id(),
    };
    let Ok(text) = fields.render() else {
        return (
            b"stepstone-manifest 1\nnot one\n".to_vec(),
            vec![0x30, 0x00],
        );
    };
    let sig = signer.sign(text.as_bytes()).unwrap();
    let enc = match m.form % 3 {
        0 => sig.encode(SignatureFormat::Der).as_bytes().to_vec(),
        1 => sig.encode(SignatureFormat::Raw).as_bytes().to_vec(),
        _ => sig.encode(SignatureFormat::Hex).as_bytes().to_vec(),
    };
    (text.into_bytes(), enc)
}

/// A signed catalog for these choices, opened through C; gives the catalog argument for the
/// device (the payload inside the envelope) and keeps the envelope alive.
fn catalog_for(c: &CatalogIn, image: &[u8]) -> (Vec<u8>, Option<(usize, usize)>, Arg) {
    let k = keys();
    match c {
        CatalogIn::None => (Vec::new(), None, Arg::of(Vec::new())),
        CatalogIn::Raw(b) => (Vec::new(), None, Arg::of(b.clone())),
        CatalogIn::NullLen(n) => (Vec::new(), None, Arg::null(*n as usize)),
        CatalogIn::Sealed {
            digest,
            yanked,
            unlisted,
            for_ag2,
            edit,
            now_delta,
        } => {
            let sha = match digest % 3 {
                0 => format!(r#", "sha256": "{}""#, hex(&sha256(image))),
                1 => String::new(),
                _ => format!(r#", "sha256": "{}""#, hex(&[7u8; 32])),
            };
            let v66003 = if !*unlisted {
                format!(
                    r#"{{"version": "v66003", "min_sw_version": "v66000", "yanked": {yanked}{sha}}},"#
                )
            } else {
                String::new()
            };
            let json = format!(
                r#"{{"releases": [{{"version": "v66000", "models": ["AG-1", "AG-2"]}}, {v66003}
                  {{"version": "v66004", "min_sw_version": "v66000", "models": ["AG-2"]{sha}}},
                  {{"version": "v67000", "min_sw_version": "v66000"{sha}}}]}}"#
            );
            let catalog = Catalog::from_json(&json).unwrap();
            let opts = PackOptions {
                target: Some("v67000".into()),
                model: Some(if *for_ag2 { "AG-2" } else { "AG-1" }.into()),
                environment: Some("production".into()),
            };
            let compact = pack(&catalog, &opts).unwrap();
            let mut env = seal(&compact, 9, NOW - 100, NOW + 86_400, &k.catalog).unwrap();
            if let Some((at, x)) = edit {
                let i = *at as usize % env.len();
                env[i] ^= x;
            }
            let key = spki(&k.catalog.public_key());
            let mut out = core::mem::MaybeUninit::<StepstoneCatalogOpened>::zeroed();
            // SAFETY: valid pointers and lengths.
            let st = unsafe {
                stepstone_catalog_open(
                    env.as_ptr(),
                    env.len(),
                    key.as_ptr(),
                    key.len(),
                    null(),
                    NOW.wrapping_add_signed((*now_delta).into()),
                    out.as_mut_ptr(),
                )
            };
            known(st);
            if st != 0 {
                // Refused: the device would stop here; give it the raw envelope (not a
                // compact catalog) to refuse once more.
                return (Vec::new(), None, Arg::of(env));
            }
            // SAFETY: written by the call.
            let o = unsafe { out.assume_init() };
            assert!(o.payload_offset + o.payload_len <= env.len());
            let range = (o.payload_offset, o.payload_len);
            (env, Some(range), Arg::of(Vec::new()))
        }
    }
}

/// `DEVICE_CHAIN_STATS=1`: one line per input (the first init's status and the statuses of
/// the calls), to see which paths a corpus reaches: `cargo fuzz run device_chain CORPUS --
/// -runs=0 2>&1 | grep ^chain | sort | uniq -c`.
fn stats() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("DEVICE_CHAIN_STATS").is_some())
}

fn known(st: i32) -> S {
    let s = S::from_i32(st).unwrap_or_else(|| panic!("status {st} not in the header"));
    assert!(
        s != S::StepstoneErrPanic && s != S::StepstoneErrUnknown,
        "status {s:?}"
    );
    s
}

fn code(e: &impl ErrorCode) -> S {
    let s = S::from_code(e.code());
    assert_ne!(
        s,
        S::StepstoneErrUnknown,
        "core code {} has no status",
        e.code()
    );
    s
}

/// The device's arguments for a manifest check.
struct Call {
    key: Arg,
    manifest: Arg,
    sig: Arg,
    null_device: bool,
    model: Arg,
    environment: Arg,
    current: Arg,
    counter: Arg,
    now: u64,
    catalog: Arg,
}

impl Call {
    fn device(&self) -> StepstoneDevice {
        StepstoneDevice {
            model: self.model.ptr().cast(),
            model_len: self.model.len,
            environment: self.environment.ptr().cast(),
            environment_len: self.environment.len,
            current_version: self.current.ptr().cast(),
            current_version_len: self.current.len,
            counter: self.counter.ptr().cast(),
            counter_len: self.counter.len,
            now: self.now,
            catalog: self.catalog.ptr(),
            catalog_len: self.catalog.len,
        }
    }

    /// What the device must answer, from core, in the device's order.
    fn expect(&self) -> Result<Manifest<'_>, S> {
        let key = self.key.bytes()?;
        let text = self.manifest.bytes()?;
        let sig = self.sig.bytes()?;
        if self.null_device {
            return Err(S::StepstoneErrNullPointer);
        }
        let dev = Device {
            model: self.model.text()?,
            environment: self.environment.text()?,
            current_version: self.current.text()?,
            counter: self.counter.text()?,
            now: self.now,
        };
        let catalog = match self.catalog.bytes()? {
            [] => None,
            c => Some(CompactCatalog::parse(c).map_err(|e| code(&e))?),
        };
        let key = PublicKey::parse_uncompressed(key).map_err(|e| code(&e))?;
        let m = manifest::verify_binary(text, sig, &key).map_err(|e| code(&e))?;
        m.check_device(&dev).map_err(|e| code(&e))?;
        if let Some(c) = &catalog {
            m.check_catalog(c, &dev).map_err(|e| code(&e))?;
        }
        Ok(m)
    }
}

/// What the model knows of the context.
#[derive(Default)]
struct Model {
    live: bool,
    /// Manifest first: the declared facts.
    expected: Option<(u64, [u8; 32], String, u64, [u8; 32])>,
    hashed: Vec<u8>,
    overflowed: bool,
    closed: bool,
}

impl Model {
    fn reset(&mut self) {
        *self = Model::default();
    }
}

fn same_facts(v: &StepstoneVerified, m: &Manifest<'_>) -> bool {
    let n = v.version_len;
    n == m.version.len()
        && v.version[..n]
            .iter()
            .zip(m.version.bytes())
            .all(|(a, b)| *a as u8 == b)
        && v.version[n] == 0
        && v.size == m.size
        && v.sha256 == m.sha256
        && v.expires == m.expires
        && v.key_id == m.key_id.0
}

#[repr(C, align(8))]
struct CtxBuf([u8; CTX + SLACK]);

fuzz_target!(|input: Input| {
    if input.image.len() > 8192 || input.ops.len() > 64 {
        return;
    }
    let k = keys();
    let stream: Vec<u8> = input.image.iter().chain(&input.tail).copied().collect();
    let (text, sig) = manifest_for(&input.manifest, &input.image);
    let mk = k.manifest.public_key();
    let good_key = if input.key_sec1 {
        mk.to_sec1_uncompressed().to_vec()
    } else {
        spki(&mk)
    };
    let (envelope, payload, raw_catalog) = catalog_for(&input.catalog, &input.image);
    let catalog = match payload {
        Some((at, n)) => Arg::of(envelope[at..at + n].to_vec()),
        None => raw_catalog,
    };
    let call = Call {
        key: input.key_blob.apply(good_key.clone()),
        manifest: input.manifest_blob.apply(text),
        sig: input.sig_blob.apply(sig),
        null_device: input.null_device,
        model: input.model.apply("AG-1"),
        environment: input.environment.apply("production"),
        current: input.current.apply("v66000"),
        counter: input.counter.apply("v66000"),
        now: match input.now {
            Clock::Good => NOW,
            Clock::Zero => 0,
            Clock::Abs(n) => n,
            Clock::Delta(d) => NOW.wrapping_add_signed(d.into()),
        },
        catalog,
    };
    let device = call.device();
    let dev_ptr: *const StepstoneDevice = if call.null_device { null() } else { &device };
    let expected = call.expect();

    let mut buf = CtxBuf([PATTERN; CTX + SLACK]);
    let off = input.ctx_offset as usize % SLACK;
    let ctx_size = (CTX as i64 + i64::from(input.ctx_size_delta))
        .clamp(0, (CTX + SLACK - off) as i64) as usize;
    // SAFETY: in bounds of `buf`.
    let ctx = unsafe { buf.0.as_mut_ptr().add(off) }.cast::<StepstoneVerifyCtx>();
    let aligned = off % STEPSTONE_VERIFY_CTX_ALIGN == 0;
    let usable = aligned && ctx_size >= CTX;
    let mut m = Model::default();
    let mut log: Vec<(&str, S)> = Vec::new();
    let mut at = 0usize;

    let init = |m: &mut Model| {
        // SAFETY: `ctx` is valid for `ctx_size` bytes of `buf`; the other pointers are NULL
        // with their length or valid for it.
        let st = known(unsafe {
            stepstone_verify_init_manifest(
                ctx,
                ctx_size,
                call.key.ptr(),
                call.key.len,
                call.manifest.ptr(),
                call.manifest.len,
                call.sig.ptr(),
                call.sig.len,
                dev_ptr,
            )
        });
        if !usable {
            assert_eq!(st, S::StepstoneErrBadArgument);
            return st;
        }
        m.reset();
        match &expected {
            Ok(man) => {
                assert_eq!(st, S::StepstoneOk);
                m.live = true;
                m.expected = Some((
                    man.size,
                    man.sha256,
                    man.version.into(),
                    man.expires,
                    man.key_id.0,
                ));
            }
            Err(e) => assert_eq!(st, *e, "init_manifest"),
        }
        st
    };
    let st = init(&mut m);
    log.push(("init_manifest", st));

    for op in &input.ops {
        // The status every call gets on a context that is not usable or not live.
        let dead = if !aligned {
            Some(S::StepstoneErrBadArgument)
        } else if !m.live {
            Some(S::StepstoneErrBadContext)
        } else {
            None
        };
        match op {
            Op::Update(n) | Op::UpdateNull(n) => {
                let n = *n as usize % 700;
                let null_chunk = matches!(op, Op::UpdateNull(_)) && n > 0;
                let end = (at + n).min(stream.len());
                let chunk = &stream[at..end];
                let len = if null_chunk { n } else { chunk.len() };
                // SAFETY: as above; `chunk` is valid for `len` bytes unless NULL.
                let st = known(unsafe {
                    stepstone_verify_update(
                        ctx,
                        if null_chunk { null() } else { chunk.as_ptr() },
                        len,
                    )
                });
                let want = if let Some(d) = dead {
                    d
                } else if null_chunk {
                    S::StepstoneErrNullPointer
                } else if m.overflowed {
                    S::StepstoneErrManifestSizeMismatch
                } else if m.closed {
                    S::StepstoneErrBadContext
                } else if m
                    .expected
                    .as_ref()
                    .is_some_and(|e| (m.hashed.len() + len) as u64 > e.0)
                {
                    m.overflowed = true;
                    S::StepstoneErrManifestSizeMismatch
                } else {
                    m.hashed.extend_from_slice(chunk);
                    at = end;
                    S::StepstoneOk
                };
                assert_eq!(st, want, "update");
                log.push(("update", st));
            }
            Op::Finish | Op::FinishNullOut | Op::FinishOddOut(_) => {
                let mut odd = [0u8; 1 + core::mem::size_of::<StepstoneVerified>() + 8];
                let o = match op {
                    Op::FinishOddOut(d) => 1 + (*d as usize % 8),
                    _ => 0,
                };
                let out: *mut StepstoneVerified = match op {
                    Op::FinishNullOut => null_mut(),
                    // SAFETY: in bounds of `odd`.
                    _ => unsafe { odd.as_mut_ptr().add(o) }.cast(),
                };
                // SAFETY: as above; `out` NULL or valid for a (byte) write.
                let st = known(unsafe { stepstone_verify_finish_checked(ctx, out) });
                let want = if let Some(d) = dead {
                    d
                } else if out.is_null() {
                    S::StepstoneErrNullPointer
                } else if let Some(e) = m.expected.clone() {
                    if m.overflowed {
                        S::StepstoneErrManifestSizeMismatch
                    } else {
                        m.closed = true;
                        if m.hashed.len() as u64 != e.0 {
                            S::StepstoneErrManifestSizeMismatch
                        } else if sha256(&m.hashed) != e.1 {
                            S::StepstoneErrManifestDigestMismatch
                        } else {
                            m.live = false;
                            S::StepstoneOk
                        }
                    }
                } else {
                    S::StepstoneErrBadContext
                };
                assert_eq!(st, want, "finish_checked");
                log.push(("finish_checked", st));
                if st == S::StepstoneOk {
                    // SAFETY: written by the call (bytewise).
                    let v: StepstoneVerified = unsafe { core::ptr::read_unaligned(out) };
                    assert!(same_facts(&v, expected.as_ref().unwrap()), "facts");
                }
            }
            Op::FinishKey {
                right_image,
                form,
                other_key,
            } => {
                let signer = if *other_key { &k.catalog } else { &k.manifest };
                let digest = if *right_image {
                    sha256(&input.image)
                } else {
                    sha256(&stream)
                };
                let s = signer.sign_digest(&digest).unwrap();
                let enc = match form % 3 {
                    0 => s.encode(SignatureFormat::Der).as_bytes().to_vec(),
                    1 => s.encode(SignatureFormat::Raw).as_bytes().to_vec(),
                    _ => s.encode(SignatureFormat::Base64).as_bytes().to_vec(),
                };
                // SAFETY: as above.
                let st = known(unsafe {
                    stepstone_verify_finish_key(
                        ctx,
                        call.key.ptr(),
                        call.key.len,
                        enc.as_ptr(),
                        enc.len(),
                    )
                });
                let want = if let Some(d) = dead {
                    d
                } else if let Err(e) = call.key.bytes() {
                    e
                } else if m.expected.is_some() {
                    S::StepstoneErrBadContext
                } else {
                    match (
                        PublicKey::parse_uncompressed(call.key.bytes().unwrap()),
                        Signature::parse_binary(&enc),
                    ) {
                        (Err(e), _) => code(&e),
                        (_, Err(e)) => code(&e),
                        (Ok(key), Ok(sig)) => {
                            m.closed = true;
                            match key.verify_digest(&sha256(&m.hashed), &sig) {
                                Ok(()) => {
                                    m.live = false;
                                    S::StepstoneOk
                                }
                                Err(e) => code(&e),
                            }
                        }
                    }
                };
                assert_eq!(st, want, "finish_key");
                log.push(("finish_key", st));
            }
            Op::FinishManifest { null_out } => {
                let mut v = core::mem::MaybeUninit::<StepstoneVerified>::zeroed();
                let out = if *null_out {
                    null_mut()
                } else {
                    v.as_mut_ptr()
                };
                // SAFETY: as above.
                let st = known(unsafe {
                    stepstone_verify_finish_manifest_checked(
                        ctx,
                        call.key.ptr(),
                        call.key.len,
                        call.manifest.ptr(),
                        call.manifest.len,
                        call.sig.ptr(),
                        call.sig.len,
                        dev_ptr,
                        out,
                    )
                });
                let want = if let Some(d) = dead {
                    d
                } else if m.expected.is_some() {
                    S::StepstoneErrBadContext
                } else {
                    match &expected {
                        Err(e) => *e,
                        Ok(man) => {
                            m.closed = true;
                            match man.check_digest(m.hashed.len() as u64, &sha256(&m.hashed)) {
                                Err(e) => code(&e),
                                Ok(()) => {
                                    m.live = false;
                                    S::StepstoneOk
                                }
                            }
                        }
                    }
                };
                assert_eq!(st, want, "finish_manifest_checked");
                log.push(("finish_manifest_checked", st));
                if st == S::StepstoneOk && !null_out {
                    // SAFETY: written by the call.
                    let v = unsafe { v.assume_init() };
                    assert!(same_facts(&v, expected.as_ref().unwrap()), "facts");
                }
            }
            Op::InitManifest => {
                at = 0;
                let st = init(&mut m);
                log.push(("init_manifest", st));
            }
            Op::InitKeyOnly => {
                at = 0;
                // SAFETY: as above.
                let st = known(unsafe { stepstone_verify_init(ctx, ctx_size) });
                if usable {
                    assert_eq!(st, S::StepstoneOk);
                    m.reset();
                    m.live = true;
                } else {
                    assert_eq!(st, S::StepstoneErrBadArgument);
                }
            }
        }
    }

    // Nothing written outside the context; nothing at all when it was refused as an argument.
    let inside = if usable { off..off + CTX } else { 0..0 };
    for (i, b) in buf.0.iter().enumerate() {
        if !inside.contains(&i) {
            assert_eq!(
                *b, PATTERN,
                "byte {i} of the buffer written (context at {off}, {ctx_size} bytes)"
            );
        }
    }
    drop(envelope);
    if stats() {
        let calls: Vec<String> = log
            .iter()
            .map(|(n, s)| format!("{n}={}", *s as i32))
            .collect();
        eprintln!("chain {}", calls.join(" "));
    }
});
