//! The `kubedojo` binary: see `kubedojo --help` and DESIGN §10 for the command line.

/// mimalloc rather than the system allocator. A large cluster is millions of small objects,
/// allocated while it converges and freed long after (a pod's events and change-log keys, its
/// old statuses): glibc's malloc pays for those cold frees again when it consolidates its
/// free lists, in whichever tick next asks for a large block. mimalloc frees into per-page
/// lists and reuses them without that sweep (see the README's Performance section for what
/// it changed).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` and `mi_option_allow_thp` in the mimalloc `libmimalloc-sys` 0.1.49
/// builds (its v3 `mimalloc.h`, `mi_option_e`; the binding names neither).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const MI_OPTION_ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

fn main() {
    // Keep freed memory instead of handing it back to the OS a second later: the simulation
    // frees and allocates in waves, tick after tick, and a purged page would be faulted in
    // again by the next wave; when purges happen also depends on the wall clock, which made
    // the cost of a run vary. (The system allocator keeps most freed memory too.)
    // And no transparent huge pages: where the kernel compacts physical memory to fault one in
    // (`defrag` set to `madvise`, a common default), the system time of a run depended on how
    // fragmented the machine's memory happened to be: the controllers converged 150,000 pods
    // in 4.5 s or in 12 s, the same run. Without them, 5 to 6.5 s every time.
    // SAFETY: sets process-wide options before any thread but this one exists.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(MI_OPTION_ALLOW_THP, 0);
    }
    std::process::exit(kubedojo::cli::main());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_numbers_name_the_options_set() {
        // Their defaults (purge_delay 1000 ms, allow_thp 1), which the options around them do
        // not have: a check that the numbers still name them in the mimalloc this builds.
        // SAFETY: reads process-wide options.
        let get = |o| unsafe { libmimalloc_sys::mi_option_get(o) };
        assert_eq!(get(MI_OPTION_PURGE_DELAY), 1000);
        assert_ne!(get(MI_OPTION_PURGE_DELAY - 1), 1000);
        assert_ne!(get(MI_OPTION_PURGE_DELAY + 1), 1000);
        assert_eq!(get(MI_OPTION_ALLOW_THP), 1);
        assert_ne!(get(MI_OPTION_ALLOW_THP - 1), 1);
        assert_ne!(get(MI_OPTION_ALLOW_THP + 1), 1);
    }
}
