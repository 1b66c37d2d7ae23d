//! The chaos menu: the fault verbs that `chaos` (with no argument) lists, each aimed at a
//! node or pod picked from a list, then run as `chaos <verb> <target>` in the learner's shell
//! so the command and its answer land in the scrollback like anything typed.

use crate::sim::{Kind, World};

/// What a verb is aimed at, read from its usage line (`node-down NODE`, `kill pod/NAME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    None,
    Node,
    Pod,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verb {
    pub name: String,
    /// The rest of its line in the listing (usage and description).
    pub about: String,
    pub target: Target,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    Verbs,
    /// Picking the target of a verb.
    Targets { verb: Verb, targets: Vec<String> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChaosMenu {
    pub verbs: Vec<Verb>,
    /// What `chaos` printed when it lists no verbs (e.g. faults not available yet).
    pub note: Option<String>,
    pub stage: Stage,
    pub selected: usize,
}

impl ChaosMenu {
    /// Asks the simulator for its fault verbs.
    pub fn open(world: &mut World) -> ChaosMenu {
        let (text, code) = crate::sim::faults::chaos_command(world, &[]);
        let verbs = if code == 0 { parse_verbs(&text) } else { Vec::new() };
        let note = if verbs.is_empty() { Some(text.trim_end().to_string()) } else { None };
        ChaosMenu { verbs, note, stage: Stage::Verbs, selected: 0 }
    }

    pub fn len(&self) -> usize {
        match &self.stage {
            Stage::Verbs => self.verbs.len(),
            Stage::Targets { targets, .. } => targets.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn step(&mut self, delta: i32) {
        let n = self.len();
        if n == 0 {
            return;
        }
        self.selected = (self.selected as i64 + delta as i64).rem_euclid(n as i64) as usize;
    }

    /// `enter`: picks the verb (then its target). Returns the command line to run once
    /// everything is chosen.
    pub fn choose(&mut self, world: &World, namespace: &str) -> Option<String> {
        match &self.stage {
            Stage::Verbs => {
                let verb = self.verbs.get(self.selected)?.clone();
                let targets = match verb.target {
                    Target::None => return Some(format!("chaos {}", verb.name)),
                    Target::Node => world.store.list(Kind::Node, None).iter().map(|o| o.name().to_string()).collect(),
                    Target::Pod => world
                        .store
                        .list(Kind::Pod, Some(namespace))
                        .iter()
                        .map(|o| format!("pod/{}", o.name()))
                        .collect(),
                };
                self.stage = Stage::Targets { verb, targets };
                self.selected = 0;
                None
            }
            Stage::Targets { verb, targets } => {
                let t = targets.get(self.selected)?;
                let mut cmd = format!("chaos {} {t}", verb.name);
                if verb.target == Target::Pod && namespace != "default" {
                    cmd.push_str(&format!(" -n {namespace}"));
                }
                Some(cmd)
            }
        }
    }

    /// `esc`: back from the targets to the verbs; false when already at the verbs.
    pub fn back(&mut self) -> bool {
        if matches!(self.stage, Stage::Targets { .. }) {
            self.stage = Stage::Verbs;
            self.selected = 0;
            true
        } else {
            false
        }
    }
}

/// Reads a verb listing: one verb a line, its name first, its target a placeholder in the
/// usage (`NODE`, `<node>`, `POD`, `pod/NAME`, `<pod>`). Header lines (`Usage:`, `chaos:`)
/// and lines not starting with a verb-like word are skipped.
pub fn parse_verbs(text: &str) -> Vec<Verb> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let Some(first) = t.split_whitespace().next() else { continue };
        let verb_like = first.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && first.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !matches!(first, "usage" | "chaos" | "verbs" | "commands");
        if !verb_like {
            continue;
        }
        let about = t[first.len()..].trim().to_string();
        let lower = about.to_lowercase();
        let target = if about.contains("NODE") || lower.contains("<node>") {
            Target::Node
        } else if about.contains("POD") || lower.contains("pod/") || lower.contains("<pod>") {
            Target::Pod
        } else {
            Target::None
        };
        out.push(Verb { name: first.to_string(), about, target });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_and_their_targets_are_read_from_the_listing() {
        let text = "Usage: chaos VERB [TARGET]\n\nVerbs:\n  node-down NODE        stop a node's kubelet\n  kill pod/NAME [-c C]  kill a container\n  registry-down         image pulls fail\n";
        let v = parse_verbs(text);
        let names: Vec<_> = v.iter().map(|v| (v.name.as_str(), v.target)).collect();
        assert_eq!(names, [("node-down", Target::Node), ("kill", Target::Pod), ("registry-down", Target::None)]);
    }

    #[test]
    fn an_unavailable_chaos_says_so() {
        let mut w = World::new(1);
        let m = ChaosMenu::open(&mut w);
        if m.verbs.is_empty() {
            assert!(m.note.as_deref().is_some_and(|n| !n.is_empty()));
        }
    }
}
