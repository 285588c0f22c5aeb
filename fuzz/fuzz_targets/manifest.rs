//! Manifest parsing and device checks never panic; whatever parses and passes the writer's
//! model rules renders back to the same bytes (the format has exactly one spelling of each
//! manifest). The writer is stricter than the reader on models (`manifest::check_models`: no
//! name twice, `*` alone): a parsed manifest that breaks them is refused by `render` with
//! the same error, never written.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::manifest::{Device, Manifest, ManifestFields, check_models};

fuzz_target!(|data: &[u8]| {
    let Ok(m) = Manifest::parse(data) else { return };
    let fields = ManifestFields::from(&m);
    match check_models(&fields.models) {
        Ok(()) => assert_eq!(fields.render().unwrap().as_bytes(), data),
        Err(e) => assert_eq!(fields.render().unwrap_err(), e),
    }
    for (model, version) in [("AG-1", "v1"), ("x", "1.2.3"), ("*", "4.2")] {
        let device = Device { model, environment: "production", current_version: version, counter: version, now: 1_800_000_000 };
        let _ = m.check_device(&device);
    }
    let mut image = m.image_check();
    let _ = image.update(data);
    let _ = image.finish();
});
