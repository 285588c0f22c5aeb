//! An output buffer for many short rows: `next-hop` writes two or three pieces of a few bytes
//! per row, a million times.
//!
//! A piece of at most 32 bytes is copied as two fixed-size blocks that overlap (the first and
//! the last 4, 8 or 16 bytes of it), which the compiler turns into a few moves, where a copy of
//! a length known only at run time is a call to `memcpy` (about a tenth of `next-hop`'s time
//! when it went through `BufWriter`). Longer pieces are copied as usual. The buffer goes to the
//! inner writer whole when the next piece would not fit, and on [`RowOut::flush`].
//!
//! ```text
//! let mut out = RowOut::new(std::io::stdout().lock());
//! out.put(b"dev-1,v5");
//! out.put(b",v6\n");
//! out.flush()?;
//! ```

use std::io::Write;

/// Bytes held before they go to the inner writer.
const CAPACITY: usize = 1 << 16;

/// A buffered writer that copies short pieces without calling `memcpy`.
pub struct RowOut<W: Write> {
    buf: Vec<u8>,
    /// Bytes of `buf` in use.
    len: usize,
    inner: W,
}

impl<W: Write> RowOut<W> {
    pub fn new(inner: W) -> RowOut<W> {
        RowOut {
            buf: vec![0; CAPACITY],
            len: 0,
            inner,
        }
    }

    /// Appends `piece`, first writing out what is held when it would not fit.
    #[inline(always)]
    pub fn put(&mut self, piece: &[u8]) -> std::io::Result<()> {
        let end = self.len + piece.len();
        match self.buf.get_mut(self.len..end) {
            Some(room) => {
                copy_short(room, piece);
                self.len = end;
                Ok(())
            }
            None => self.put_long(piece),
        }
    }

    /// Appends `first`, `piece` and `last` (a field between its separators).
    #[inline(always)]
    pub fn put_between(&mut self, first: u8, piece: &[u8], last: u8) -> std::io::Result<()> {
        let end = self.len + piece.len() + 2;
        match self.buf.get_mut(self.len..end) {
            Some([head, room @ .., tail]) => {
                *head = first;
                copy_short(room, piece);
                *tail = last;
                self.len = end;
                Ok(())
            }
            _ => {
                self.put(&[first])?;
                self.put(piece)?;
                self.put(&[last])
            }
        }
    }

    /// [`RowOut::put`] when `piece` does not fit in what is left of the buffer.
    #[cold]
    fn put_long(&mut self, piece: &[u8]) -> std::io::Result<()> {
        self.write_held()?;
        if piece.len() > CAPACITY {
            return self.inner.write_all(piece);
        }
        if let Some(room) = self.buf.get_mut(..piece.len()) {
            room.copy_from_slice(piece);
            self.len = piece.len();
        }
        Ok(())
    }

    /// Writes what is held to the inner writer.
    fn write_held(&mut self) -> std::io::Result<()> {
        let held = self.buf.get(..self.len).unwrap_or_default();
        // Emptied first: after an error (a closed pipe) nothing is written twice.
        self.len = 0;
        self.inner.write_all(held)
    }
}

/// `dst.copy_from_slice(src)` in fixed-size blocks up to 32 bytes. Every caller passes two
/// slices of the same length; were they not, the shorter one's length is copied.
#[inline(always)]
pub fn copy_short(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    debug_assert_eq!(n, dst.len());
    if n != dst.len() {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = *s;
        }
        return;
    }
    match n {
        16..=32 => overlapping::<16>(dst, src),
        8..=15 => overlapping::<8>(dst, src),
        4..=7 => overlapping::<4>(dst, src),
        0..=3 => {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = *s;
            }
        }
        _ => dst.copy_from_slice(src),
    }
}

/// Copies `src` (of length `N..=2N`) as its first and its last `N` bytes.
#[inline(always)]
fn overlapping<const N: usize>(dst: &mut [u8], src: &[u8]) {
    if let (Some(d), Some(s)) = (dst.first_chunk_mut::<N>(), src.first_chunk::<N>()) {
        *d = *s;
    }
    if let (Some(d), Some(s)) = (dst.last_chunk_mut::<N>(), src.last_chunk::<N>()) {
        *d = *s;
    }
}

impl<W: Write> Write for RowOut<W> {
    fn write(&mut self, piece: &[u8]) -> std::io::Result<usize> {
        self.put(piece)?;
        Ok(piece.len())
    }

    #[inline]
    fn write_all(&mut self, piece: &[u8]) -> std::io::Result<()> {
        self.put(piece)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.write_held()?;
        self.inner.flush()
    }
}

/// What is held goes out when the buffer is dropped, as with `BufWriter`: a job that stops on
/// an error (an unreadable input halfway) still prints the rows it answered before it.
/// An error here has nowhere to go and is dropped, as `BufWriter` drops it.
impl<W: Write> Drop for RowOut<W> {
    fn drop(&mut self) {
        let _ = self.write_held();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dropped without a flush, it still writes what it holds (rows before an error are kept).
    #[test]
    fn dropping_writes_what_is_held() {
        let mut sink = Vec::new();
        {
            let mut out = RowOut::new(&mut sink);
            out.put(b"d1,v1,v2\n").unwrap();
            out.put_between(b'd', b"2,v1,v", b'\n').unwrap();
        }
        assert_eq!(sink, b"d1,v1,v2\nd2,v1,v\n");
    }

    /// Every piece length from 0 to past the buffer, in any order, comes out as written.
    #[test]
    fn writes_every_piece_as_given() {
        let mut out = RowOut::new(Vec::new());
        let mut want = Vec::new();
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut lengths: Vec<usize> = (0..=70).collect();
        lengths.extend([CAPACITY - 1, CAPACITY, CAPACITY + 1, 3 * CAPACITY]);
        for _ in 0..3 {
            for &n in &lengths {
                let piece: Vec<u8> = (0..n)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state as u8
                    })
                    .collect();
                out.put(&piece).unwrap();
                want.extend_from_slice(&piece);
            }
        }
        out.flush().unwrap();
        assert_eq!(out.inner, want);
    }

    #[test]
    fn puts_a_piece_between_two_bytes() {
        let mut out = RowOut::new(Vec::new());
        let mut want = Vec::new();
        for n in [0, 1, 5, 17, 40, CAPACITY - 3, CAPACITY, 2 * CAPACITY] {
            let piece = vec![b'x'; n];
            out.put_between(b',', &piece, b'\n').unwrap();
            want.push(b',');
            want.extend_from_slice(&piece);
            want.push(b'\n');
        }
        out.flush().unwrap();
        assert_eq!(out.inner, want);
    }

    #[test]
    fn copy_short_copies_each_length() {
        for n in 0..=40 {
            let src: Vec<u8> = (1..=n as u8).collect();
            let mut dst = vec![0u8; n];
            copy_short(&mut dst, &src);
            assert_eq!(dst, src, "{n}");
        }
    }

    /// A writer that fails: the error comes back, and nothing is written twice after it.
    #[test]
    fn an_inner_error_is_returned() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut out = RowOut::new(Closed);
        out.put(b"row\n").unwrap();
        let e = out.flush().unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe);
        assert_eq!(out.len, 0);
    }
}
