//! PEM (RFC 7468) as `pem_rfc7468::decode` reads it, with no heap and one base64 decoder.
//!
//! `pem-rfc7468` decodes the base64 body through base64ct's streaming `Decoder`, which decodes
//! every piece but the last with the unpadded alphabet and the last with the padded one, so a
//! module that reads PEM links both decoders (about 2 KB of WASM code each). This reader
//! accepts exactly the same documents and gives the same label and bytes: it checks the same
//! boundaries and label grammar, splits the body into lines as that decoder does (lines of
//! exactly 64 characters, each followed by CRLF, CR or LF, then a last line of at most 64),
//! and decodes the joined lines once with the padded decoder (every block before the last is a
//! full block, which both decoders read alike). `tests` and the `key` fuzz target compare it
//! with `pem_rfc7468::decode` on every input.
//!
//! Not part of the stable API (public for the fuzz target only).

use base64ct::{Base64, Encoding};

/// The pre-encapsulation boundary up to the label.
const BEGIN: &[u8] = b"-----BEGIN ";
/// The post-encapsulation boundary up to the label.
const END: &[u8] = b"-----END ";
/// The delimiter after a label.
const DASHES: &[u8] = b"-----";
/// The width of every base64 line but the last.
const WIDTH: usize = 64;
/// The most base64 characters kept: more would decode to more than [`JOINED_MAX`] * 3 / 4 - 2
/// bytes, more than any buffer given here (512 bytes).
const JOINED_MAX: usize = 1024;

/// The label and the decoded bytes of a PEM document, or `None` wherever
/// `pem_rfc7468::decode(pem, buf)` gives an error (including bytes that do not fit in `buf`;
/// at most 765 bytes are ever decoded).
///
/// ```
/// let (pem, _) = stepstone::signature::doc_example();
/// let mut buf = [0u8; 512];
/// let (label, der) = stepstone::signature::pem::decode(pem.trim_ascii(), &mut buf).unwrap();
/// assert_eq!((label, der.len()), ("PUBLIC KEY", 91));
/// assert!(stepstone::signature::pem::decode(b"-----BEGIN X-----\n-----END X-----", &mut buf).is_none());
/// ```
pub fn decode<'i, 'o>(pem: &'i [u8], buf: &'o mut [u8]) -> Option<(&'i str, &'o [u8])> {
    let (label, text) = encapsulation(pem)?;
    let mut joined = [0u8; JOINED_MAX];
    let mut len = 0usize;
    let mut rest = text;
    let mut lines = 0usize;
    while !rest.is_empty() {
        let line = match rest.get(WIDTH..) {
            None | Some([]) => {
                let last = strip_trailing_eol(rest).unwrap_or(rest);
                rest = &[];
                last
            }
            Some([b'\r', b'\n', tail @ ..] | [b'\r' | b'\n', tail @ ..]) => {
                let full = rest.get(..WIDTH)?;
                rest = tail;
                full
            }
            Some(_) => return None,
        };
        // An empty last line after full ones is never read by the streaming decoder, which
        // then reports the document unfinished.
        if line.is_empty() && lines > 0 {
            return None;
        }
        joined.get_mut(len..len + line.len())?.copy_from_slice(line);
        len += line.len();
        lines += 1;
    }
    if len == 0 {
        return None;
    }
    let der = Base64::decode(joined.get(..len)?, buf).ok()?;
    Some((label, der))
}

/// The label and the encapsulated text (`pem_rfc7468`'s `Encapsulation::parse`).
fn encapsulation(data: &[u8]) -> Option<(&str, &[u8])> {
    let data = strip_preamble(data)?.strip_prefix(BEGIN)?;
    let (label, body) = split_label(data)?;
    let mut body = strip_trailing_eol(body)
        .unwrap_or(body)
        .strip_suffix(DASHES)?;
    for suffix in [label.as_bytes(), END] {
        body = body.strip_suffix(suffix)?;
    }
    Some((label, strip_trailing_eol(body)?))
}

/// The document from its pre-encapsulation boundary: at the start, or after the first line
/// feed followed by it; text before it must hold no NUL.
fn strip_preamble(mut bytes: &[u8]) -> Option<&[u8]> {
    if bytes.starts_with(BEGIN) {
        return Some(bytes);
    }
    while let Some((&byte, rest)) = bytes.split_first() {
        match byte {
            0 => return None,
            b'\n' if rest.starts_with(BEGIN) => return Some(rest),
            _ => {}
        }
        bytes = rest;
    }
    None
}

/// The label (printable ASCII but `-`, single spaces or tabs between its characters) and what
/// follows its `-----` and one line ending.
fn split_label(bytes: &[u8]) -> Option<(&str, &[u8])> {
    let mut n = 0usize;
    let mut last_was_wsp = false;
    for &c in bytes {
        if matches!(c, 0x21..=0x2c | 0x2e..=0x7e) {
            last_was_wsp = false;
        } else if c == b'-' {
            break;
        } else if n != 0 && matches!(c, b'\t' | b' ') {
            if last_was_wsp {
                return None;
            }
            last_was_wsp = true;
        } else {
            return None;
        }
        n += 1;
    }
    let (label, rest) = bytes.split_at(n);
    let label = core::str::from_utf8(label).ok()?;
    let body = rest.strip_prefix(DASHES)?;
    let body = match body {
        [b'\n', rest @ ..] | [b'\r', b'\n', rest @ ..] | [b'\r', rest @ ..] => rest,
        _ => return None,
    };
    Some((label, body))
}

/// `bytes` without one trailing CRLF, LF or CR; `None` if it ends with none.
fn strip_trailing_eol(bytes: &[u8]) -> Option<&[u8]> {
    match bytes {
        [head @ .., b'\r', b'\n'] | [head @ .., b'\n'] | [head @ .., b'\r'] => Some(head),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::decode;
    use alloc::vec::Vec;

    /// Both readers on one document: the same label and bytes, or both refusing.
    fn same(pem: &[u8]) {
        let (mut a, mut b) = ([0u8; 512], [0u8; 512]);
        let ours = decode(pem, &mut a);
        let theirs = pem_rfc7468::decode(pem, &mut b).ok();
        assert_eq!(
            ours,
            theirs,
            "{:?}",
            alloc::string::String::from_utf8_lossy(pem)
        );
    }

    fn documents() -> Vec<Vec<u8>> {
        let (pem, _) = super::super::doc_example();
        let pem = pem.trim_ascii();
        let mut docs = alloc::vec![pem.to_vec()];
        // The same key with CRLF and CR line endings, wrapped differently, with preambles,
        // other labels, headers, and short bodies.
        let text = core::str::from_utf8(pem).unwrap();
        docs.push(text.replace('\n', "\r\n").into_bytes());
        docs.push(text.replace('\n', "\r").into_bytes());
        docs.push(alloc::format!("preamble\n{text}").into_bytes());
        docs.push(alloc::format!("pre\0amble\n{text}").into_bytes());
        docs.push(text.replace("PUBLIC KEY", "PUBLIC  KEY").into_bytes());
        docs.push(text.replace("PUBLIC KEY", "PUBLIC\tKEY").into_bytes());
        docs.push(
            text.replace("-----END PUBLIC KEY", "-----END PRIVATE KEY")
                .into_bytes(),
        );
        docs.push(
            text.replace("\nMFkw", "\nProc-Type: 4,ENCRYPTED\n\nMFkw")
                .into_bytes(),
        );
        docs.push(text.replace("Q==\n", "Q==\n\n").into_bytes());
        docs.push(text.replace("Q==\n", "Q=\n").into_bytes());
        docs.push(text.replace("qn\nxrf", "qnx\nrf").into_bytes());
        docs.push(text.replace("qn\n", "qn\n\n").into_bytes());
        let body: alloc::string::String =
            text.lines().filter(|l| !l.starts_with("-----")).collect();
        for width in [4, 60, 63, 64, 65, 76, 200] {
            let wrapped: Vec<&str> = body
                .as_bytes()
                .chunks(width)
                .map(|c| core::str::from_utf8(c).unwrap())
                .collect();
            docs.push(
                alloc::format!(
                    "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----",
                    wrapped.join("\n")
                )
                .into_bytes(),
            );
        }
        for short in [
            "", "\n", "\r\n", "QQ==", "QQ", "QUE=", "QUFB", "QR==", "====", "QQ==\n",
        ] {
            docs.push(alloc::format!("-----BEGIN X-----\n{short}\n-----END X-----").into_bytes());
            docs.push(alloc::format!("-----BEGIN X-----\n{short}-----END X-----").into_bytes());
        }
        let long = "QUFB".repeat(16);
        for lines in [1, 2, 10, 11, 12, 20] {
            let mut d = alloc::string::String::from("-----BEGIN Y-----\n");
            for _ in 0..lines {
                d.push_str(&long);
                d.push('\n');
            }
            d.push_str("QQ==\n-----END Y-----");
            docs.push(d.into_bytes());
            docs.push(
                alloc::format!(
                    "-----BEGIN Y-----\n{}\n\n-----END Y-----",
                    long.repeat(lines)
                )
                .into_bytes(),
            );
        }
        docs
    }

    #[test]
    fn reads_what_pem_rfc7468_reads() {
        for doc in documents() {
            same(&doc);
            // Every truncation, every one-byte deletion, and each byte replaced by a few
            // characters that matter to the grammar.
            for cut in 0..doc.len() {
                same(&doc[..cut]);
                let mut deleted = doc.clone();
                deleted.remove(cut);
                same(&deleted);
                for c in [b'\n', b'\r', b'-', b' ', b'=', b'A', b':', 0] {
                    let mut changed = doc.clone();
                    changed[cut] = c;
                    same(&changed);
                }
            }
        }
    }
}
