//! A per-thread bump arena behind the global allocator, for short-lived syntax trees.
//!
//! Parsing a file allocates tens of thousands of small nodes, reads them once and frees them
//! all: with a general allocator that is about a sixth of a cold run (allocation, one free per
//! node, the drop walk, and page faults on memory handed back and fetched again). Wrapped
//! around the global allocator, [`ArenaAlloc`] serves the allocations made inside
//! [`with_arena`]'s `build` closure from a bump region owned by the calling thread; the tree is
//! then read, never dropped, and the region rewound for the next file. Everything else goes to
//! the inner allocator untouched.
//!
//! Arena memory is one address range reserved once (`PROT_NONE`, committed in steps as threads
//! need it), so telling an arena pointer from any other is a range check: no thread-local
//! lookup on `dealloc`. Linux only; elsewhere, or when the allocator is not installed,
//! [`with_arena`] simply builds, reads and drops.

/// The global allocator: `inner` for everything but allocations made in a [`with_arena`]
/// build on a thread that has an arena.
pub struct ArenaAlloc<A> {
    inner: A,
}

impl<A> ArenaAlloc<A> {
    /// Wrap `inner`.
    pub const fn new(inner: A) -> Self {
        Self { inner }
    }
}

/// Run `build` with its allocations served by this thread's arena, hand the result to `read`,
/// then discard it without dropping it and rewind the arena.
///
/// `build` must not leave anything allocated inside it reachable once `read` returns (no
/// global caches filled, nothing sent to other threads): the memory is reused. Allocations
/// made by `read` come from the inner allocator as usual. If `build` panics, the arena memory
/// it used is never reused (the panic payload may live there).
pub fn with_arena<T, R>(build: impl FnOnce() -> T, read: impl FnOnce(&T) -> R) -> R {
    imp::with_arena(build, read)
}

/// Bytes of arena memory handed out on this thread since the process started (for tests and
/// diagnostics).
pub fn arena_bytes_served() -> u64 {
    imp::served()
}

#[cfg(target_os = "linux")]
mod imp {
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::ArenaAlloc;

    /// Address space per thread: a tree bigger than this overflows into the inner allocator.
    const SLOT: usize = 1 << 30;
    /// Threads that get an arena; later ones use the inner allocator.
    const SLOTS: usize = 64;
    /// Memory is made writable in steps of this size.
    const COMMIT_STEP: usize = 4 << 20;
    /// After a rewind, pages above this much are given back to the system.
    const KEEP: usize = 64 << 20;

    /// Start of the reserved range; 0 before it is reserved, 1 if reserving failed.
    static BASE: AtomicUsize = AtomicUsize::new(0);
    static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

    struct State {
        /// Allocations are being served from the arena.
        active: Cell<bool>,
        /// This thread's slot: `start..start + SLOT`; 0 if it has none (yet).
        start: Cell<usize>,
        /// Next free byte.
        ptr: Cell<usize>,
        /// End of the writable part.
        committed: Cell<usize>,
        /// Where a rewind goes back to (raised past memory a panic may still use).
        floor: Cell<usize>,
        /// The last allocation, which `realloc` may grow in place.
        last: Cell<usize>,
        served: Cell<u64>,
        /// The slot could not be set up: never try again on this thread.
        failed: Cell<bool>,
    }

    thread_local! {
        static STATE: State = const {
            State {
                active: Cell::new(false),
                start: Cell::new(0),
                ptr: Cell::new(0),
                committed: Cell::new(0),
                floor: Cell::new(0),
                last: Cell::new(0),
                served: Cell::new(0),
                failed: Cell::new(false),
            }
        };
    }

    fn in_arena(p: *mut u8) -> bool {
        let base = BASE.load(Ordering::Relaxed);
        let p = p as usize;
        base > 1 && p >= base && p < base + SLOT * SLOTS
    }

    /// Reserve the whole range once (no memory is committed by a `PROT_NONE` mapping).
    fn base() -> Option<usize> {
        match BASE.load(Ordering::Acquire) {
            0 => {}
            1 => return None,
            b => return Some(b),
        }
        // SAFETY: an anonymous private mapping with no address hint; the result is checked.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                SLOT * SLOTS,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        let mine = if p == libc::MAP_FAILED { 1 } else { p as usize };
        match BASE.compare_exchange(0, mine, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => (mine > 1).then_some(mine),
            Err(theirs) => {
                if mine > 1 {
                    // Another thread reserved first.
                    // SAFETY: unmapping our own, unused mapping.
                    unsafe { libc::munmap(p, SLOT * SLOTS) };
                }
                (theirs > 1).then_some(theirs)
            }
        }
    }

    /// Give this thread a slot if it has none; false if it cannot have one.
    fn ensure_slot(s: &State) -> bool {
        if s.start.get() != 0 {
            return true;
        }
        if s.failed.get() {
            return false;
        }
        let Some(base) = base() else {
            s.failed.set(true);
            return false;
        };
        let slot = NEXT_SLOT.fetch_add(1, Ordering::Relaxed);
        if slot >= SLOTS {
            s.failed.set(true);
            return false;
        }
        let start = base + slot * SLOT;
        s.start.set(start);
        s.ptr.set(start);
        s.floor.set(start);
        s.committed.set(start);
        true
    }

    /// Make the slot writable up to `end`; false if `end` is past the slot or the system
    /// refuses.
    fn commit(s: &State, end: usize) -> bool {
        if end > s.start.get() + SLOT {
            return false;
        }
        if end <= s.committed.get() {
            return true;
        }
        let from = s.committed.get();
        let to = (end.div_ceil(COMMIT_STEP) * COMMIT_STEP).min(s.start.get() + SLOT);
        // SAFETY: `from..to` lies inside this thread's slot of our own reservation.
        let rc = unsafe {
            libc::mprotect(
                from as *mut libc::c_void,
                to - from,
                libc::PROT_READ | libc::PROT_WRITE,
            )
        };
        if rc != 0 {
            return false;
        }
        s.committed.set(to);
        true
    }

    /// Serve `layout` from the arena, or `None` when it does not fit in the slot.
    fn bump(s: &State, layout: Layout) -> Option<*mut u8> {
        let at = s.ptr.get().checked_add(layout.align() - 1)? & !(layout.align() - 1);
        let end = at.checked_add(layout.size().max(1))?;
        if !commit(s, end) {
            return None;
        }
        s.ptr.set(end);
        s.last.set(at);
        s.served.set(s.served.get() + layout.size() as u64);
        Some(at as *mut u8)
    }

    fn try_bump(layout: Layout) -> Option<*mut u8> {
        STATE
            .try_with(|s| {
                if s.active.get() {
                    bump(s, layout)
                } else {
                    None
                }
            })
            .ok()
            .flatten()
    }

    // SAFETY: every pointer handed out is either the inner allocator's (and goes back to it)
    // or lies in this thread's arena slot, aligned and sized as asked, and is never given to
    // the inner allocator.
    unsafe impl<A: GlobalAlloc> GlobalAlloc for ArenaAlloc<A> {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            match try_bump(layout) {
                Some(p) => p,
                // SAFETY: forwarded as is.
                None => unsafe { self.inner.alloc(layout) },
            }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            match try_bump(layout) {
                Some(p) => {
                    // SAFETY: `p` has room for `layout.size()` bytes (arena memory is reused,
                    // so it is not known to be zero).
                    unsafe { std::ptr::write_bytes(p, 0, layout.size()) };
                    p
                }
                // SAFETY: forwarded as is.
                None => unsafe { self.inner.alloc_zeroed(layout) },
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if !in_arena(ptr) {
                // SAFETY: not an arena pointer, so the inner allocator's.
                unsafe { self.inner.dealloc(ptr, layout) }
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if !in_arena(ptr) {
                // SAFETY: the inner allocator's pointer.
                return unsafe { self.inner.realloc(ptr, layout, new_size) };
            }
            if new_size <= layout.size() {
                // Arena blocks are never freed one by one: shrinking is free.
                return ptr;
            }
            // Growing the latest allocation in place: the common case of a vector filled
            // while the tree is built.
            let grown = STATE
                .try_with(|s| {
                    let end = ptr as usize + new_size;
                    if s.active.get() && s.last.get() == ptr as usize && commit(s, end) {
                        s.served
                            .set(s.served.get() + (end - s.ptr.get().min(end)) as u64);
                        s.ptr.set(end);
                        return true;
                    }
                    false
                })
                .unwrap_or(false);
            if grown {
                return ptr;
            }
            let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                return std::ptr::null_mut();
            };
            // SAFETY: `alloc` of a valid layout; the old block stays valid (arena memory is
            // never freed while in use), so copying the smaller size is sound.
            unsafe {
                let p = self.alloc(new_layout);
                if !p.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
                }
                p
            }
        }
    }

    /// Restores the state when `build` returns or unwinds.
    struct Active<'a>(&'a State);

    impl Drop for Active<'_> {
        fn drop(&mut self) {
            self.0.active.set(false);
            if std::thread::panicking() {
                // The panic payload may be arena memory: never reuse what was handed out.
                self.0.floor.set(self.0.ptr.get());
            }
        }
    }

    pub(super) fn with_arena<T, R>(build: impl FnOnce() -> T, read: impl FnOnce(&T) -> R) -> R {
        let usable = STATE
            .try_with(|s| !s.active.get() && ensure_slot(s))
            .unwrap_or(false);
        if !usable {
            let value = build();
            return read(&value);
        }
        STATE.with(|s| {
            let mark = s.ptr.get();
            let value = {
                s.active.set(true);
                let _active = Active(s);
                build()
            };
            if s.ptr.get() == mark {
                // Nothing came from the arena (the allocator is not installed, or `build`
                // allocated nothing): an ordinary value.
                return read(&value);
            }
            let result = read(&value);
            std::mem::forget(value);
            let used = s.ptr.get();
            s.ptr.set(s.floor.get());
            s.last.set(0);
            let keep = s.floor.get() + KEEP;
            if used > keep && s.committed.get() > keep {
                // A huge tree: hand the pages above the kept part back.
                // SAFETY: `keep..committed` is writable memory of this slot with nothing live.
                unsafe {
                    libc::madvise(
                        keep as *mut libc::c_void,
                        s.committed.get() - keep,
                        libc::MADV_DONTNEED,
                    );
                }
            }
            result
        })
    }

    pub(super) fn served() -> u64 {
        STATE.try_with(|s| s.served.get()).unwrap_or(0)
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::alloc::{GlobalAlloc, Layout};

    use super::ArenaAlloc;

    // SAFETY: forwards everything to the inner allocator.
    unsafe impl<A: GlobalAlloc> GlobalAlloc for ArenaAlloc<A> {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { self.inner.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            unsafe { self.inner.alloc_zeroed(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { self.inner.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            unsafe { self.inner.realloc(ptr, layout, new_size) }
        }
    }

    pub(super) fn with_arena<T, R>(build: impl FnOnce() -> T, read: impl FnOnce(&T) -> R) -> R {
        let value = build();
        read(&value)
    }

    pub(super) fn served() -> u64 {
        0
    }
}
