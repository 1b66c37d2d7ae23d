//! The `kubedojo` binary: see `kubedojo --help` and DESIGN §10 for the command line.

/// mimalloc rather than the system allocator. A large cluster is millions of small objects,
/// allocated while it converges and freed long after (a pod's events and change-log keys, its
/// old statuses): glibc's malloc pays for those cold frees again when it consolidates its
/// free lists, in whichever tick next asks for a large block. mimalloc frees into per-page
/// lists and reuses them without that sweep (see the README's Performance section for what
/// it changed).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_eager_commit`, `mi_option_purge_delay` and `mi_option_allow_thp` in the
/// mimalloc `libmimalloc-sys` 0.1.49 builds (its v3 `mimalloc.h`, `mi_option_e`; the binding
/// names none of them).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const MI_OPTION_ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// mimalloc's options, set before anything is allocated: the first arena is reserved (and,
/// by default, committed) at the first allocation, which the Rust runtime makes before
/// `main`.
// SAFETY: only calls mimalloc's option setter, which needs nothing of Rust's runtime.
// (Not in the unit tests, which read the options' defaults.)
#[cfg(not(test))]
#[ctor::ctor(unsafe)]
fn allocator_options() {
    // Memory committed as it is first touched, not an arena (a gigabyte) at once: committing
    // eagerly made the kernel populate it in one go, at a cost that varied from 0.3 to 2.5 s
    // of system time for the same run at 30,000 pods (0.8 to 1.3 s this way, as with the
    // system allocator).
    // Freed memory kept instead of handed back to the OS a second later: the simulation frees
    // and allocates in waves, tick after tick, and a purged page would be faulted in again by
    // the next wave; when purges happen also depends on the wall clock. (The system allocator
    // keeps most freed memory too.)
    // No transparent huge pages: where the kernel compacts physical memory to fault one in
    // (`defrag` set to `madvise`, a common default), the system time of a run depended on how
    // fragmented the machine's memory happened to be (at 150,000 pods, 5 s or 16 s).
    // SAFETY: sets process-wide options before any thread but this one exists.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(MI_OPTION_ALLOW_THP, 0);
    }
}

fn main() {
    std::process::exit(kubedojo::cli::main());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_numbers_name_the_options_set() {
        // Their defaults (arena_eager_commit 2, purge_delay 1000 ms, allow_thp 1), which the
        // options around them do not have: a check that the numbers still name them in the
        // mimalloc this builds.
        // SAFETY: reads process-wide options.
        let get = |o| unsafe { libmimalloc_sys::mi_option_get(o) };
        assert_eq!(get(MI_OPTION_ARENA_EAGER_COMMIT), 2);
        assert_ne!(get(MI_OPTION_ARENA_EAGER_COMMIT - 1), 2);
        assert_ne!(get(MI_OPTION_ARENA_EAGER_COMMIT + 1), 2);
        assert_eq!(get(MI_OPTION_PURGE_DELAY), 1000);
        assert_ne!(get(MI_OPTION_PURGE_DELAY - 1), 1000);
        assert_ne!(get(MI_OPTION_PURGE_DELAY + 1), 1000);
        assert_eq!(get(MI_OPTION_ALLOW_THP), 1);
        assert_ne!(get(MI_OPTION_ALLOW_THP - 1), 1);
        assert_ne!(get(MI_OPTION_ALLOW_THP + 1), 1);
    }
}
