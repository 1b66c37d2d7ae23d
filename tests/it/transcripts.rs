//! Transcript tests: a script in `tests/transcripts/NAME.sh`, its exact transcript out,
//! snapshotted with insta (`tests/it/snapshots/`). Each snapshot was read against what a real
//! v1.32 cluster prints before it was accepted.

use super::run_script;

fn check(name: &str) {
    let path = format!("{}/tests/transcripts/{name}.sh", env!("CARGO_MANIFEST_DIR"));
    let script = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let out = run_script(&script, 1);
    insta::assert_snapshot!(name, out);
}

macro_rules! transcripts {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*
    };
}

transcripts! {
    pod_lifecycle,
    run_to_completion,
    crashloop,
    bad_image,
    liveness_exec,
    readiness,
    init_containers,
    sidecar_emptydir,
    configmap,
    missing_configmap,
    oomkilled,
    unschedulable,
    errors,
    deployment_create,
    deployment_scale,
    rollout_history_undo,
    rollout_recreate,
    rollout_pause_resume,
    rollout_status,
    set_commands,
    job_parallel,
    job_backoff_limit,
    job_deadline,
    job_indexed,
    cronjob_schedule,
    cronjob_forbid,
    statefulset_ordered,
    daemonset,
    get_tables_pods,
    get_tables_cluster,
    get_tables_flags,
    get_tables_workloads,
}
