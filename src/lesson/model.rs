//! The validated course: what phase two of loading produces and everything else consumes.
//! Every reference is resolved (a lesson holds its scenario, includes are read, regexes are
//! compiled), so nothing downstream can meet a dangling id.

use std::sync::Arc;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::diag::Loc;
use crate::sim::cluster::NodeConfig;

/// The five domains of the CKAD curriculum (v1.32), in the curriculum's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Domain {
    ApplicationDesignAndBuild,
    ApplicationDeployment,
    ApplicationObservabilityAndMaintenance,
    ApplicationEnvironmentConfigurationAndSecurity,
    ServicesAndNetworking,
}

impl Domain {
    pub const ALL: [Domain; 5] = [
        Domain::ApplicationDesignAndBuild,
        Domain::ApplicationDeployment,
        Domain::ApplicationObservabilityAndMaintenance,
        Domain::ApplicationEnvironmentConfigurationAndSecurity,
        Domain::ServicesAndNetworking,
    ];

    /// The curriculum's name of the domain.
    pub fn title(self) -> &'static str {
        match self {
            Domain::ApplicationDesignAndBuild => "Application Design and Build",
            Domain::ApplicationDeployment => "Application Deployment",
            Domain::ApplicationObservabilityAndMaintenance => "Application Observability and Maintenance",
            Domain::ApplicationEnvironmentConfigurationAndSecurity => {
                "Application Environment, Configuration and Security"
            }
            Domain::ServicesAndNetworking => "Services and Networking",
        }
    }

    /// The domain's share of the exam, in percent.
    pub fn weight_percent(self) -> u32 {
        match self {
            Domain::ApplicationDesignAndBuild => 20,
            Domain::ApplicationDeployment => 20,
            Domain::ApplicationObservabilityAndMaintenance => 15,
            Domain::ApplicationEnvironmentConfigurationAndSecurity => 25,
            Domain::ServicesAndNetworking => 20,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Difficulty {
    Beginner,
    Intermediate,
    Advanced,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Beginner => "beginner",
            Difficulty::Intermediate => "intermediate",
            Difficulty::Advanced => "advanced",
        }
    }
}

/// The kubeconfig context every cluster starts with (kubeadm's name for it).
pub const DEFAULT_CONTEXT: &str = "kubernetes-admin@kubernetes";

/// The cluster of a scenario that declares no `clusters:` (kubeadm's default name).
pub const DEFAULT_CLUSTER: &str = "kubernetes";

/// One or more clusters and what has happened to them before the learner arrives.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub description: String,
    pub seed: u64,
    /// At least one. A scenario without `clusters:` has the one cluster `kubernetes`.
    pub clusters: Vec<ClusterSpec>,
    /// Whether the file declared `clusters:`: then each cluster's seed is derived from the
    /// run's seed and its name ([`cluster_seed`]); otherwise the one cluster takes the run's
    /// seed as it is.
    pub declares_clusters: bool,
    /// kubeconfig contexts; the first is the current one. Each reaches one of `clusters`.
    pub contexts: Vec<ContextSpec>,
    /// Run after every cluster's own setup, in the first context.
    pub setup: Vec<SetupItem>,
    /// Faults, ordered by tick.
    pub faults: Vec<Fault>,
    /// Images the setup uses on purpose although no registry has them.
    pub broken_images: Vec<String>,
    pub loc: Loc,
}

/// A cluster of a scenario: its nodes, extra namespaces and its own setup.
#[derive(Clone, Debug)]
pub struct ClusterSpec {
    /// The cluster's name in the kubeconfig.
    pub name: String,
    /// `None`: the default cluster (controlplane, node01, node02).
    pub nodes: Option<Vec<NodeConfig>>,
    /// Namespaces created with the cluster, besides the four standard ones.
    pub namespaces: Vec<String>,
    /// Run in this cluster (before the scenario's `setup`).
    pub setup: Vec<SetupItem>,
}

/// The RNG seed of the cluster `name` in a run with `seed`: stable across runs and machines
/// (FNV-1a of the name, mixed into the seed with SplitMix64's finaliser), and different for
/// every cluster, so that two clusters do not draw the same pod names.
pub fn cluster_seed(seed: u64, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = seed ^ h;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Scenario {
    /// The default cluster and nothing else (target `empty`).
    pub fn empty() -> Scenario {
        Scenario {
            id: "empty".into(),
            title: "An empty cluster".into(),
            description: "controlplane, node01 and node02, each 4 CPU and 8Gi".into(),
            seed: 1,
            clusters: vec![ClusterSpec {
                name: DEFAULT_CLUSTER.into(),
                nodes: None,
                namespaces: vec![],
                setup: vec![],
            }],
            declares_clusters: false,
            contexts: vec![ContextSpec {
                name: DEFAULT_CONTEXT.into(),
                cluster: DEFAULT_CLUSTER.into(),
                namespace: None,
            }],
            setup: vec![],
            faults: vec![],
            broken_images: vec![],
            loc: Loc::new("<builtin>", 1, 1),
        }
    }

    /// The seed of `cluster`'s world in a run with `seed` (see [`Scenario::declares_clusters`]).
    pub fn seed_of(&self, seed: u64, cluster: &str) -> u64 {
        if self.declares_clusters {
            cluster_seed(seed, cluster)
        } else {
            seed
        }
    }

    /// The cluster the learner starts in: the first context's.
    pub fn first_cluster(&self) -> &str {
        self.contexts.first().map(|c| c.cluster.as_str()).unwrap_or(DEFAULT_CLUSTER)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextSpec {
    pub name: String,
    pub cluster: String,
    /// The context's namespace (`None`: kubectl's `default`, shown blank by `get-contexts`).
    pub namespace: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SetupItem {
    pub action: SetupAction,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub enum SetupAction {
    /// `kubectl apply -f -` with this manifest text.
    Apply { manifest: String },
    /// A command line in the learner's shell; it must succeed.
    Run { command: String },
    /// A file left in the learner's workstation.
    WriteFile { path: String, content: String },
}

/// A fault injected at a tick after the learner arrives, as a `chaos` command line.
#[derive(Clone, Debug)]
pub struct Fault {
    /// Ticks after the attempt starts.
    pub at: u64,
    pub argv: Vec<String>,
    /// The cluster it strikes (default: the first context's).
    pub cluster: String,
    pub loc: Loc,
}

/// The verbs of `chaos` (issue 3). The fault injector (`sim::faults`) applies them; until it
/// lands, a scenario that uses one loads but fails to run, saying so.
pub const FAULT_VERBS: &[&str] = &[
    "node-down",
    "node-up",
    "kubelet-stop",
    "kubelet-start",
    "partition",
    "heal",
    "kill",
    "registry-down",
    "registry-up",
    "slow-pulls",
    "memory-pressure",
    "disk-pressure",
];

/// A lesson or an exam. An exam is a lesson whose steps are independent weighted tasks
/// with a time limit and a pass mark (DESIGN §8).
#[derive(Clone, Debug)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    /// `None` for exams, which span every domain.
    pub domain: Option<Domain>,
    pub difficulty: Difficulty,
    pub minutes: u32,
    pub prerequisites: Vec<String>,
    pub scenario: Arc<Scenario>,
    /// Markdown.
    pub intro: String,
    pub steps: Vec<Step>,
    /// Markdown, shown when the lesson is done.
    pub debrief: String,
    pub exam: Option<ExamRules>,
    pub loc: Loc,
}

impl Lesson {
    pub fn is_exam(&self) -> bool {
        self.exam.is_some()
    }

    /// "Lesson" or "Exam", as in the file's `kind`.
    pub fn kind(&self) -> &'static str {
        if self.is_exam() {
            "Exam"
        } else {
            "Lesson"
        }
    }

    /// The reference solution of the whole lesson: every step's, in order.
    pub fn solution_script(&self) -> String {
        let mut s = String::new();
        for step in &self.steps {
            s.push_str(&step.solution);
            if !s.ends_with('\n') {
                s.push('\n');
            }
        }
        s
    }

    pub fn check_count(&self) -> usize {
        self.steps.iter().map(|s| s.checks.len()).sum()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExamRules {
    pub time_limit_minutes: u32,
    /// Percent of the total weight needed to pass.
    pub pass_mark: u32,
}

/// A lesson's step or an exam's task.
#[derive(Clone, Debug)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// Markdown.
    pub prompt: String,
    /// From a nudge to the command.
    pub hints: Vec<String>,
    /// The reference solution: a shell script for the learner's terminal.
    pub solution: String,
    pub checks: Vec<Check>,
    pub debrief: String,
    /// Exam tasks: share of the score (1 for lesson steps).
    pub weight: u32,
    /// Exam tasks: the context and namespace the task is set in; checks run there.
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub loc: Loc,
    pub solution_loc: Loc,
}

/// A command run against the cluster and what its result must be.
#[derive(Clone, Debug)]
pub struct Check {
    pub name: String,
    /// A command line in a fresh shell of the learner's workstation (read-only kubectl).
    pub run: String,
    /// Standard output must equal this, compared as [`super::check::normalize`] says.
    pub expect: Option<String>,
    /// Standard output (normalised) must contain a match of this regex.
    pub matches: Option<Regex>,
    /// Standard output must have this many non-empty lines.
    pub lines: Option<u32>,
    pub exit_code: Option<i32>,
    /// Must also hold at every tick of this window.
    pub during: Option<Window>,
    /// The learner-facing reason when the check fails, with `{{placeholders}}`.
    pub explain: Option<String>,
    pub loc: Loc,
}

/// When a `during` check is watched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// From the moment the step starts until it is done (or graded).
    Step,
    /// Ticks since the attempt started, both ends included (`to` open when `None`).
    Ticks { from: u64, to: Option<u64> },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cluster's seed must not change between versions: saved sessions replay on it.
    #[test]
    fn cluster_seeds_are_stable_and_distinct() {
        // Values checked against an independent implementation (FNV-1a 64, SplitMix64).
        let seeds: Vec<u64> = ["dev", "stage", "prod"].iter().map(|n| cluster_seed(7, n)).collect();
        assert_eq!(seeds, vec![2673286231469991201, 12012975582399024718, 9083323787096049201]);
        assert_eq!(cluster_seed(1, "kubernetes"), 15798511537504172299);
        assert_ne!(cluster_seed(7, "dev"), cluster_seed(8, "dev"));
    }
}
