//! Building a scenario's world: its cluster, its kubeconfig contexts, then its setup run in
//! order as an administrator would have done before the learner sat down (manifests applied
//! with `kubectl apply`, commands run in the workstation's shell, files left in the home
//! directory). Setup must succeed; a failing step is reported at its file:line:column.

use super::diag::Loc;
use super::model::{Scenario, SetupAction};
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

/// The cluster of a scenario, with no setup run yet.
pub fn world(s: &Scenario, seed: u64) -> World {
    let mut w = World::bare(seed);
    match &s.nodes {
        None => cluster::install(&mut w, &cluster::default_nodes(), &s.namespaces, true),
        Some(nodes) => cluster::install(&mut w, nodes, &s.namespaces, false),
    }
    w
}

/// The learner's kubeconfig on a scenario: its contexts (all reaching the one simulated
/// cluster, as the kubeadm admin), the first one current. Like the exam's kubeconfig, it
/// holds only the scenario's contexts, so `kubectl config use-context` switches between them.
pub fn kubeconfig(s: &Scenario) -> Client {
    let mut client = Client::default();
    let user = client.user.clone();
    if s.contexts.is_empty() {
        return client;
    }
    client.contexts.clear();
    client.clusters.clear();
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

/// The learner's workstation on a scenario's cluster, set up and ready.
pub fn build(s: &Scenario, seed: u64) -> Result<Workstation, SetupFailure> {
    let mut ws = Workstation::new(world(s, seed));
    ws.client = kubeconfig(s);
    for item in &s.setup {
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
    Ok(ws)
}
