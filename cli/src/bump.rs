//! The CLI's allocator: allocations come from one static arena by bumping a counter while it
//! has room, and from the system allocator after that.
//!
//! A `stepstone plan` run at 10k releases makes about 25,000 small allocations while it reads
//! the catalog (a version list, a kind, a list of deltas per release) and frees almost none of
//! them before it exits. glibc's `malloc` spends about 190 instructions on each; a bump costs a
//! few. Freeing gives memory back only for the block handed out last (so a vector that grows,
//! or a buffer dropped right after use, is reused at once); any other freed arena block stays
//! unused until the process exits. The arena is [`ARENA_BYTES`] of zeroed static memory, which
//! costs nothing until touched, so at most that much memory is ever held back.
//!
//! Before a large catalog is read, [`huge_pages_from_here`] moves the offset to the next 2 MiB
//! boundary and asks the kernel for transparent huge pages over the rest of the arena: the
//! catalog and the planner's arrays (about 7 MB at 10k releases) then cost four page faults,
//! each zeroing one 2 MiB page, instead of about 1,800 faults of 4 KiB.
//!
//! ```text
//! alloc 24 B -> arena [0, 24)      alloc 100 B -> arena [24, 124)
//! free [24, 124) -> taken back     alloc 9 MiB -> the system allocator
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The arena's size: what the process allocates before a catalog is read, up to 2 MiB skipped
/// to reach a huge page boundary ([`huge_pages_from_here`]), then a 10k-release catalog, its
/// planner arrays and the prefaulted block (`output::prefault_heap`, at most 7.5 MiB).
pub const ARENA_BYTES: usize = 12 << 20;

/// The size of a transparent huge page on x86_64 and (with 4 KiB base pages) aarch64.
const HUGE_PAGE: usize = 2 << 20;

// The alignment is `HUGE_PAGE`, so that the arena's 2 MiB blocks are the ones the kernel can
// back with huge pages.
#[repr(C, align(2097152))]
struct Arena(UnsafeCell<[u8; ARENA_BYTES]>);

// SAFETY: the arena's bytes are only reached through the disjoint blocks that `Bump` hands
// out, each range claimed by one atomic update of `USED`.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena(UnsafeCell::new([0; ARENA_BYTES]));

/// How many of the arena's bytes are handed out (the end of the last block).
static USED: AtomicUsize = AtomicUsize::new(0);

/// The global allocator of the `stepstone` binary (see the module docs).
pub struct Bump;

fn base() -> usize {
    ARENA.0.get() as usize
}

/// The offset of `ptr` in the arena, when it points into it.
fn offset_of(ptr: *mut u8) -> Option<usize> {
    (ptr as usize)
        .checked_sub(base())
        .filter(|&at| at < ARENA_BYTES)
}

/// Claims `layout` in the arena; `None` when it does not fit.
fn claim(layout: Layout) -> Option<*mut u8> {
    let base = base();
    let mut used = USED.load(Ordering::Relaxed);
    loop {
        // The arena's base is page aligned, so aligning the offset aligns the address.
        let start = used.checked_next_multiple_of(layout.align())?;
        let end = start
            .checked_add(layout.size())
            .filter(|&end| end <= ARENA_BYTES)?;
        match USED.compare_exchange_weak(used, end, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return Some((base + start) as *mut u8),
            Err(now) => used = now,
        }
    }
}

/// Moves the arena's offset up to the next 2 MiB boundary and advises the kernel
/// (`madvise(MADV_HUGEPAGE)`) to back the arena from there on with transparent huge pages.
///
/// Called once, before a catalog of some megabytes is read. The bytes skipped are never
/// touched, so they cost no memory. Where transparent huge pages are off (`never` in
/// `/sys/kernel/mm/transparent_hugepage/enabled`), not Linux, or the arena is nearly full,
/// nothing changes but the skipped offset.
pub fn huge_pages_from_here() {
    let used = USED.load(Ordering::Relaxed);
    // The boundary as an address: the loader may place the arena less aligned than asked.
    let Some(from) = (base() + used)
        .checked_next_multiple_of(HUGE_PAGE)
        .map(|at| at - base())
        .filter(|&from| from < ARENA_BYTES)
    else {
        return;
    };
    // Another thread may have allocated meanwhile; then the advice still holds for the rest.
    let _ = USED.compare_exchange(used, from, Ordering::Relaxed, Ordering::Relaxed);
    #[cfg(target_os = "linux")]
    // SAFETY: the range lies inside the arena; the advice changes how its pages are backed,
    // never their contents.
    unsafe {
        libc::madvise(
            (base() + from) as *mut libc::c_void,
            ARENA_BYTES - from,
            libc::MADV_HUGEPAGE,
        );
    }
}

// SAFETY: every block handed out is `layout.size()` bytes at `layout.align()`, either a range
// of the arena that no other live block overlaps (claimed by a compare-exchange of `USED`) or
// one from `System`; each block is returned to where it came from.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match claim(layout) {
            Some(ptr) => ptr,
            // SAFETY: the caller's layout, as `GlobalAlloc::alloc` requires.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match offset_of(ptr) {
            // The last block handed out is taken back; any other stays used until exit.
            Some(start) => {
                let end = start + layout.size();
                let _ = USED.compare_exchange(end, start, Ordering::Relaxed, Ordering::Relaxed);
            }
            // SAFETY: `ptr` came from `System.alloc` with this layout.
            None => unsafe { System.dealloc(ptr, layout) },
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Some(start) = offset_of(ptr) else {
            // SAFETY: `ptr` came from `System` with this layout; a system block stays there.
            return unsafe { System.realloc(ptr, layout, new_size) };
        };
        // The last block grows or shrinks in place when the arena has room.
        let end = start + layout.size();
        if let Some(new_end) = start.checked_add(new_size).filter(|&e| e <= ARENA_BYTES)
            && USED
                .compare_exchange(end, new_end, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            return ptr;
        }
        // SAFETY: the caller guarantees that `new_size`, rounded up to the alignment, does not
        // overflow `isize`, which is what a layout needs.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `new_layout` has a non-zero size, as `realloc`'s contract requires.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live, distinct and at least this long.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_disjoint_and_keep_their_bytes_when_grown() {
        let a = Layout::from_size_align(24, 8).unwrap();
        let b = Layout::from_size_align(100, 64).unwrap();
        // SAFETY: layouts of non-zero size; every block is freed with its own layout.
        unsafe {
            let x = Bump.alloc(a);
            let y = Bump.alloc(b);
            assert_eq!(y as usize % 64, 0);
            assert!(y as usize >= x as usize + 24);
            x.write_bytes(1, 24);
            y.write_bytes(2, 100);
            // Grown (in place while it is the last block), it keeps its bytes.
            let y2 = Bump.realloc(y, b, 4000);
            assert_eq!(y2 as usize % 64, 0);
            assert_eq!(*y2.add(99), 2);
            // Another block that grows moves, its bytes copied.
            let x2 = Bump.realloc(x, a, 48);
            assert_ne!(x2, x);
            assert_eq!(*x2.add(23), 1);
            let big = Layout::from_size_align(4000, 64).unwrap();
            Bump.dealloc(x2, Layout::from_size_align(48, 8).unwrap());
            Bump.dealloc(y2, big);
        }
    }

    #[test]
    fn after_the_huge_page_advice_blocks_start_at_a_2_mib_boundary() {
        let before = base() + USED.load(Ordering::Relaxed);
        huge_pages_from_here();
        let boundary = before.next_multiple_of(HUGE_PAGE);
        let layout = Layout::from_size_align(4096, 8).unwrap();
        // SAFETY: a non-zero layout, freed with itself.
        unsafe {
            let p = Bump.alloc(layout);
            assert!(!p.is_null());
            // Other tests' threads may allocate meanwhile, but never below the boundary again,
            // unless the arena was too full to skip (then the block comes from the system).
            let arena_full = boundary - base() >= ARENA_BYTES;
            assert!(p as usize >= boundary || offset_of(p).is_none() || arena_full);
            p.write_bytes(3, 4096);
            Bump.dealloc(p, layout);
        }
    }

    #[test]
    fn what_does_not_fit_comes_from_the_system() {
        let huge = Layout::from_size_align(ARENA_BYTES + 1, 8).unwrap();
        // SAFETY: a non-zero layout, freed with itself.
        unsafe {
            let p = Bump.alloc(huge);
            assert!(!p.is_null());
            assert!(offset_of(p).is_none());
            p.write_bytes(7, ARENA_BYTES + 1);
            Bump.dealloc(p, huge);
        }
    }
}
