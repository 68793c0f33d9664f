//! `archlint`: architecture and dependency checks for Python codebases (the command line is
//! [`archlint_cli::run`]).

use std::process::ExitCode;

// Parsing allocates many small nodes on every thread: the trees come from a per-thread arena
// (rewound after each file, never dropped node by node), everything else from mimalloc, which
// handles many threads' small allocations far better than the system allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: archlint_arena::ArenaAlloc<mimalloc::MiMalloc> =
    archlint_arena::ArenaAlloc::new(mimalloc::MiMalloc);
#[cfg(not(feature = "mimalloc"))]
#[global_allocator]
static GLOBAL: archlint_arena::ArenaAlloc<std::alloc::System> =
    archlint_arena::ArenaAlloc::new(std::alloc::System);

fn main() -> ExitCode {
    ExitCode::from(archlint_cli::run(std::env::args_os()))
}
