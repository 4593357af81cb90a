//! A private, guard-paged stack for lowering calls, reused across calls on
//! the same thread.
//!
//! swc recurses once per nesting level of the input without bounding it, so
//! lowering must run on a stack sized from the input (see `lib.rs`). Mapping
//! a fresh stack per call costs tens of microseconds in syscalls and page
//! faults; instead each thread keeps one mapping of `KEEP_BYTES` and reuses
//! it for every request that fits. After each call the deep part of the
//! cached stack is returned to the kernel (`MADV_DONTNEED`), so a deeply
//! nested input cannot leave a large resident stack behind. Requests larger
//! than `KEEP_BYTES` get a one-off mapping.

use std::{cell::RefCell, ptr};

/// Size of the per-thread cached stack (address space; mostly untouched).
pub const KEEP_BYTES: usize = 128 << 20;
/// Top part of the cached stack kept resident between calls.
const WARM_BYTES: usize = 2 << 20;

struct Mapped {
    base: *mut u8, // start of the mapping; the lowest page is the guard
    len: usize,    // whole mapping, guard included
    page: usize,
}

impl Mapped {
    fn new(usable: usize) -> Option<Mapped> {
        // SAFETY: plain libc calls; results are checked.
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE) as usize;
            let usable = usable.div_ceil(page) * page;
            let len = usable + page;
            let p = libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            );
            if p == libc::MAP_FAILED {
                return None;
            }
            // Stacks grow down: an inaccessible lowest page turns an overflow
            // into a fault instead of silent corruption of other memory.
            if libc::mprotect(p, page, libc::PROT_NONE) != 0 {
                libc::munmap(p, len);
                return None;
            }
            Some(Mapped { base: p as *mut u8, len, page })
        }
    }

    fn usable(&self) -> usize {
        self.len - self.page
    }

    /// Drops the pages below the warm top part (they read as zero later).
    fn trim(&self) {
        let usable = self.usable();
        if usable > WARM_BYTES {
            // SAFETY: the range lies inside our own mapping.
            unsafe {
                libc::madvise(self.base.add(self.page) as *mut libc::c_void, usable - WARM_BYTES, libc::MADV_DONTNEED);
            }
        }
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly what `new` mapped.
        unsafe {
            libc::munmap(self.base as *mut libc::c_void, self.len);
        }
    }
}

thread_local! {
    static CACHED: RefCell<Option<Mapped>> = const { RefCell::new(None) };
}

/// Runs `f` on a private stack of at least `size` bytes. Returns `None` if
/// the stack cannot be mapped. `f` must not unwind (wrap it in
/// `catch_unwind`): unwinding cannot cross the stack switch.
pub fn run<R>(size: usize, f: impl FnOnce() -> R) -> Option<R> {
    let stack = if size > KEEP_BYTES {
        Mapped::new(size)?
    } else {
        match CACHED.with(|c| c.borrow_mut().take()) {
            Some(s) => s,
            None => Mapped::new(KEEP_BYTES)?,
        }
    };
    let mut f = Some(f);
    let mut out = None;
    // SAFETY: the region is page-aligned, its size a multiple of the page
    // size, exclusively ours for the duration of the call, and the callback
    // does not unwind (documented requirement of this function).
    unsafe {
        psm::on_stack(stack.base.add(stack.page), stack.usable(), || {
            out = Some((f.take().expect("called once"))());
        });
    }
    if size <= KEEP_BYTES {
        stack.trim();
        CACHED.with(|c| *c.borrow_mut() = Some(stack));
    }
    out
}
