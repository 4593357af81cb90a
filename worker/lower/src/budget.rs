//! The time and memory bound of one lowering call.
//!
//! Why this exists: swc's parser and transforms never look at a clock or a
//! byte count, and some inputs make them do far more work than their size
//! suggests (a few hundred bytes of nested classes or loops used to take
//! seconds and gigabytes). The executor runs lowering inside a job, so it
//! must stop at the job's deadline and at a memory budget of its own.
//!
//! Where a bound can act. Rust aborts the process when an allocation fails,
//! and a global allocator must not unwind, so the allocator cannot stop
//! work: it only *counts*. Every allocation and free made by Rust code on a
//! thread moves that thread's counter (the executor runs lowering on its
//! one thread), and a call compares the counter with the bytes it had at
//! its start. The work itself is stopped at check points the pipeline owns:
//! between the parser, the nesting/complexity pre-pass, every compat pass,
//! the helper scan, hygiene, the fixer and the printer, and inside the
//! printer on every write (`CappedWriter`), which is where output-size
//! blow-ups would otherwise allocate without bound. Inside one swc pass
//! nothing can stop the work; the complexity pre-pass (pipeline.rs) keeps
//! each pass's super-linear part small enough that one pass cannot run far
//! past the bound.
//!
//! The counters are thread-locals with constant initialisers and no
//! destructor, so touching them from the allocator never allocates.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
};

/// Why a call was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Time,
    Memory,
}

/// Counting allocator over the system allocator.
pub struct Counting;

thread_local! {
    /// Bytes allocated minus bytes freed by this thread (wraps harmlessly
    /// when memory allocated elsewhere is freed here).
    static LIVE: Cell<usize> = const { Cell::new(0) };
    /// Highest LIVE seen since the last `reset_peak`.
    static PEAK: Cell<usize> = const { Cell::new(0) };
    /// Nonzero while this thread is inside the system allocator, which a
    /// signal handler must not jump out of (worker/cw_interrupt.c).
    static BUSY: Cell<u32> = const { Cell::new(0) };
}

#[inline]
fn busy(d: i32) {
    let _ = BUSY.try_with(|b| b.set(b.get().wrapping_add(d as u32)));
}

/// 1 while the calling thread is inside the system allocator (an
/// allocation, free or reallocation made by Rust code), else 0.  Reads one
/// constant-initialised thread-local, so it is safe to call from a signal
/// handler.
#[no_mangle]
pub extern "C" fn cw_lower_alloc_busy() -> libc::c_int {
    BUSY.try_with(|b| (b.get() != 0) as libc::c_int).unwrap_or(1)
}

#[inline]
fn add(n: usize) {
    let _ = LIVE.try_with(|l| {
        let v = l.get().wrapping_add(n);
        l.set(v);
        let _ = PEAK.try_with(|p| {
            if v > p.get() && (v as isize) >= 0 {
                p.set(v)
            }
        });
    });
}

#[inline]
fn sub(n: usize) {
    let _ = LIVE.try_with(|l| l.set(l.get().wrapping_sub(n)));
}

// SAFETY: every method forwards to `System` unchanged and only updates
// counters afterwards; sizes come from the layouts the caller passes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        busy(1);
        let p = System.alloc(l);
        busy(-1);
        if !p.is_null() {
            add(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        busy(1);
        let p = System.alloc_zeroed(l);
        busy(-1);
        if !p.is_null() {
            add(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        busy(1);
        System.dealloc(p, l);
        busy(-1);
        sub(l.size());
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        busy(1);
        let q = System.realloc(p, l, new);
        busy(-1);
        if !q.is_null() {
            sub(l.size());
            add(new);
        }
        q
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> usize {
    LIVE.try_with(|l| l.get()).unwrap_or(0)
}

/// CLOCK_MONOTONIC in nanoseconds (the clock the executor's deadlines use).
pub fn mono_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: valid out-pointer; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64)
}

/// The bound of one call: an absolute CLOCK_MONOTONIC deadline (0: none)
/// and a number of bytes the call may have allocated at any one time
/// (0: none), counted from its start.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    deadline_ns: u64,
    max_bytes: usize,
    base: usize,
}

impl Budget {
    pub fn unlimited() -> Budget {
        Budget { deadline_ns: 0, max_bytes: 0, base: live() }
    }

    /// Starts counting now.
    pub fn new(deadline_ns: u64, max_bytes: usize) -> Budget {
        let base = live();
        let _ = PEAK.try_with(|p| p.set(base));
        Budget { deadline_ns, max_bytes, base }
    }

    /// Bytes this call holds now.
    pub fn used(&self) -> usize {
        let l = live();
        if l > self.base {
            l - self.base
        } else {
            0
        }
    }

    /// Most bytes this call held at once so far.
    pub fn peak(&self) -> usize {
        let p = PEAK.try_with(|p| p.get()).unwrap_or(0);
        p.saturating_sub(self.base)
    }

    /// Bytes still available (usize::MAX without a memory bound).
    pub fn room(&self) -> usize {
        if self.max_bytes == 0 {
            usize::MAX
        } else {
            self.max_bytes.saturating_sub(self.used())
        }
    }

    /// Err once the deadline has passed or the call holds more than its
    /// bytes.
    pub fn check(&self) -> Result<(), Limit> {
        if self.max_bytes != 0 && self.used() > self.max_bytes {
            return Err(Limit::Memory);
        }
        if self.deadline_ns != 0 && mono_ns() >= self.deadline_ns {
            return Err(Limit::Time);
        }
        Ok(())
    }
}

/// An `io::Write` into a Vec that fails (stopping the printer) once the
/// call is past its budget; checks the clock every 64 KiB written.
pub struct CappedWriter<'a> {
    pub buf: Vec<u8>,
    pub budget: &'a Budget,
    pub hit: Option<Limit>,
    since_check: usize,
}

impl<'a> CappedWriter<'a> {
    pub fn new(budget: &'a Budget, cap: usize) -> Self {
        CappedWriter { buf: Vec::with_capacity(cap), budget, hit: None, since_check: 0 }
    }
}

impl std::io::Write for CappedWriter<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.since_check += b.len();
        if self.since_check >= 64 << 10 || b.len() > self.buf.capacity() - self.buf.len() {
            self.since_check = 0;
            if let Err(l) = self.budget.check() {
                self.hit = Some(l);
                return Err(std::io::Error::other("lowering budget exhausted"));
            }
            // The Vec doubles when it grows: refuse a growth the budget
            // cannot hold instead of making it.
            let need = self.buf.len() + b.len();
            if need > self.buf.capacity() && self.buf.capacity().max(need) > self.budget.room() {
                self.hit = Some(Limit::Memory);
                return Err(std::io::Error::other("lowering budget exhausted"));
            }
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
