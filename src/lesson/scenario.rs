//! Building a scenario's world: its cluster, its kubeconfig contexts, then its setup run in
//! order as an administrator would have done before the learner sat down (manifests applied
//! with `kubectl apply`, commands run in the workstation's shell, files left in the home
//! directory). Setup must succeed; a failing step is reported at its file:line:column.

use super::diag::Loc;
use super::model::{ClusterSpec, Scenario, SetupAction, SetupItem};
use crate::kubectl::{self, Client, KubeContext};
use crate::shell::workstation::Workstation;
use crate::shell::Fs;
use crate::sim::{cluster, World};

/// A setup step that did not work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupFailure {
    pub loc: Loc,
    pub message: String,
}

impl std::fmt::Display for SetupFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.loc, self.message)
    }
}

/// A cluster of a scenario, with no setup run yet.
pub fn world(c: &ClusterSpec, seed: u64) -> World {
    let mut w = World::bare(seed);
    match &c.nodes {
        None => cluster::install(&mut w, &cluster::default_nodes(), &c.namespaces, true),
        Some(nodes) => cluster::install(&mut w, nodes, &c.namespaces, false),
    }
    w
}

/// The API server's URL of every cluster: each simulated cluster is built the kubeadm way
/// on the same addresses (its control plane at 192.168.1.10), so the kubeconfig says what
/// `kubectl cluster-info` and the `kubernetes` Service's endpoints say.
const SERVER: &str = "https://192.168.1.10:6443";

/// The learner's kubeconfig on a scenario: its clusters, its contexts (as the kubeadm
/// admin), the first one current. Like the exam's kubeconfig, it holds only the scenario's
/// contexts, so `kubectl config use-context` switches between them.
pub fn kubeconfig(s: &Scenario) -> Client {
    let mut client = Client::default();
    let user = client.user.clone();
    if s.contexts.is_empty() {
        return client;
    }
    client.contexts.clear();
    client.clusters.clear();
    for c in &s.clusters {
        client.add_cluster(&c.name, SERVER);
    }
    for c in &s.contexts {
        client.set_context(KubeContext {
            name: c.name.clone(),
            cluster: c.cluster.clone(),
            user: user.clone(),
            namespace: c.namespace.clone(),
        });
    }
    client.use_context(&s.contexts[0].name);
    client
}

/// A kubeconfig whose current context reaches `cluster` (for that cluster's own setup).
fn admin_of(cluster: &str) -> Client {
    let mut client = Client::default();
    client.contexts.clear();
    client.set_context(KubeContext {
        name: format!("kubernetes-admin@{cluster}"),
        cluster: cluster.to_string(),
        user: client.user.clone(),
        namespace: None,
    });
    client.use_context(&format!("kubernetes-admin@{cluster}"));
    client
}

/// The learner's workstation on a scenario's clusters, set up and ready: each cluster's
/// own setup in that cluster, in the order the clusters are listed, then the scenario's
/// setup in the first context.
pub fn build(s: &Scenario, seed: u64) -> Result<Workstation, SetupFailure> {
    let mut worlds = s.clusters.iter().map(|c| (c.name.clone(), world(c, s.seed_of(seed, &c.name))));
    let Some((first, w)) = worlds.next() else {
        return Err(SetupFailure { loc: s.loc.clone(), message: "a scenario needs a cluster".into() });
    };
    let mut ws = Workstation::with_clusters(w, &first, worlds.collect());
    for c in &s.clusters {
        if c.setup.is_empty() {
            continue;
        }
        ws.client = admin_of(&c.name);
        ws.follow_context();
        run_setup(&mut ws, &c.setup)?;
    }
    ws.client = kubeconfig(s);
    ws.follow_context();
    run_setup(&mut ws, &s.setup)?;
    Ok(ws)
}

fn run_setup(ws: &mut Workstation, items: &[SetupItem]) -> Result<(), SetupFailure> {
    for item in items {
        match &item.action {
            SetupAction::Apply { manifest } => {
                let args: Vec<String> = ["apply", "-f", "-"].iter().map(|s| s.to_string()).collect();
                let o = kubectl::run(&mut ws.world, &mut ws.client, &mut ws.fs, "/root", &args, manifest.as_bytes());
                if o.code != 0 {
                    return Err(SetupFailure {
                        loc: item.loc.clone(),
                        message: format!("setup: kubectl apply failed: {}", String::from_utf8_lossy(&o.stderr).trim()),
                    });
                }
            }
            SetupAction::Run { command } => {
                let mut text = command.clone();
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                let out = ws.execute(&text);
                let status = String::from_utf8_lossy(&ws.execute("echo $?\n")).trim().to_string();
                if status != "0" {
                    return Err(SetupFailure {
                        loc: item.loc.clone(),
                        message: format!(
                            "setup: `{}` exited with status {status}: {}",
                            command.trim(),
                            String::from_utf8_lossy(&out).trim()
                        ),
                    });
                }
            }
            SetupAction::WriteFile { path, content } => {
                let now = ws.world.now.unix_s().max(0) as u64;
                let mut dir = String::new();
                let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
                for part in parts.iter().take(parts.len().saturating_sub(1)) {
                    dir.push('/');
                    dir.push_str(part);
                    if !ws.fs.exists(&dir) {
                        let _ = ws.fs.mkdir(&dir, now);
                    }
                }
                if let Err(e) = ws.fs.write(path, content.as_bytes(), false, now) {
                    return Err(SetupFailure {
                        loc: item.loc.clone(),
                        message: format!("setup: cannot write {path}: {e:?}"),
                    });
                }
            }
        }
    }
    Ok(())
}
