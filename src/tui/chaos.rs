//! The chaos menu: the fault verbs of `sim::faults`, each with its arguments picked from
//! lists (a node, a pod, `on`/`off`), then run as `chaos <verb> <args>` in the learner's
//! shell, so that the command and its answer land in the scrollback like anything typed. A
//! verb that needs a number (`slow-pulls FACTOR`) is left at the prompt for the learner to
//! finish.

use crate::sim::faults;
use crate::sim::{Kind, World};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verb {
    pub name: String,
    /// Its arguments as the usage writes them (`NODE`, `pod/NAME [-c CONTAINER]`, `on|off`).
    pub usage: String,
    pub about: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    Verbs,
    /// Picking the next argument of a verb.
    Args {
        verb: Verb,
        chosen: Vec<String>,
        what: String,
        options: Vec<String>,
    },
}

/// What choosing led to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Pick the next argument.
    More,
    /// Run this command line.
    Run(String),
    /// Put this on the prompt for the learner to finish (a value to type).
    Prompt(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChaosMenu {
    pub verbs: Vec<Verb>,
    pub stage: Stage,
    pub selected: usize,
}

/// One argument of a usage: what to pick it from.
enum Arg {
    Node,
    Pod,
    OneOf(Vec<String>),
    /// A value to type (`FACTOR`, `RATE`).
    Value,
}

fn args_of(usage: &str) -> Vec<Arg> {
    let mut v = Vec::new();
    for tok in usage.split_whitespace() {
        if tok.starts_with('[') {
            // Optional arguments are left out.
            break;
        }
        v.push(match tok {
            "NODE" => Arg::Node,
            t if t.starts_with("pod/") => Arg::Pod,
            t if t.contains('|') => Arg::OneOf(t.split('|').map(String::from).collect()),
            _ => Arg::Value,
        });
    }
    v
}

impl ChaosMenu {
    /// The simulator's fault verbs.
    pub fn open() -> ChaosMenu {
        let verbs = faults::VERBS
            .iter()
            .map(|(v, a, h)| Verb { name: v.to_string(), usage: a.to_string(), about: h.to_string() })
            .collect();
        ChaosMenu { verbs, stage: Stage::Verbs, selected: 0 }
    }

    pub fn len(&self) -> usize {
        match &self.stage {
            Stage::Verbs => self.verbs.len(),
            Stage::Args { options, .. } => options.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn step(&mut self, delta: i32) {
        let n = self.len();
        if n > 0 {
            self.selected = (self.selected as i64 + delta as i64).rem_euclid(n as i64) as usize;
        }
    }

    /// `enter` on the selection.
    pub fn choose(&mut self, world: &World, namespace: &str) -> Choice {
        let (verb, chosen) = match &self.stage {
            Stage::Verbs => match self.verbs.get(self.selected) {
                Some(v) => (v.clone(), Vec::new()),
                None => return Choice::More,
            },
            Stage::Args { verb, chosen, options, .. } => match options.get(self.selected) {
                Some(o) => {
                    let mut c = chosen.clone();
                    c.push(o.clone());
                    (verb.clone(), c)
                }
                None => return Choice::More,
            },
        };
        let args = args_of(&verb.usage);
        let line = |chosen: &[String]| {
            let mut l = format!("chaos {}", verb.name);
            for c in chosen {
                l.push(' ');
                l.push_str(c);
            }
            l
        };
        match args.get(chosen.len()) {
            None => {
                let mut l = line(&chosen);
                if args.iter().any(|a| matches!(a, Arg::Pod)) && namespace != "default" {
                    l.push_str(&format!(" -n {namespace}"));
                }
                Choice::Run(l)
            }
            Some(Arg::Value) => Choice::Prompt(format!("{} ", line(&chosen))),
            Some(next) => {
                let (what, options) = match next {
                    Arg::Node => {
                        ("node", world.store.list(Kind::Node, None).iter().map(|o| o.name().to_string()).collect())
                    }
                    Arg::Pod => (
                        "pod",
                        world
                            .store
                            .list(Kind::Pod, Some(namespace))
                            .iter()
                            .map(|o| format!("pod/{}", o.name()))
                            .collect(),
                    ),
                    Arg::OneOf(v) => ("one", v.clone()),
                    Arg::Value => unreachable!("handled above"),
                };
                if options.is_empty() {
                    // Nothing to pick from (no pods): let the learner see and type.
                    return Choice::Prompt(format!("{} ", line(&chosen)));
                }
                self.stage = Stage::Args { verb, chosen, what: what.to_string(), options };
                self.selected = 0;
                Choice::More
            }
        }
    }

    /// `esc`: back to the verbs; false when already there.
    pub fn back(&mut self) -> bool {
        if matches!(self.stage, Stage::Args { .. }) {
            self.stage = Stage::Verbs;
            self.selected = 0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(m: &mut ChaosMenu, w: &World, name: &str) -> Choice {
        let i = match &m.stage {
            Stage::Verbs => m.verbs.iter().position(|v| v.name == name),
            Stage::Args { options, .. } => options.iter().position(|o| o == name),
        };
        m.selected = i.unwrap_or_else(|| panic!("{name} is not offered"));
        m.choose(w, "default")
    }

    #[test]
    fn arguments_are_picked_from_lists() {
        let w = World::new(1);
        let mut m = ChaosMenu::open();
        assert_eq!(pick(&mut m, &w, "node-down"), Choice::More);
        assert_eq!(pick(&mut m, &w, "node01"), Choice::Run("chaos node-down node01".into()));
        let mut m = ChaosMenu::open();
        assert_eq!(pick(&mut m, &w, "registry-down"), Choice::Run("chaos registry-down".into()));
        let mut m = ChaosMenu::open();
        pick(&mut m, &w, "memory-pressure");
        pick(&mut m, &w, "node02");
        assert_eq!(pick(&mut m, &w, "off"), Choice::Run("chaos memory-pressure node02 off".into()));
        let mut m = ChaosMenu::open();
        assert_eq!(pick(&mut m, &w, "slow-pulls"), Choice::Prompt("chaos slow-pulls ".into()));
        let mut m = ChaosMenu::open();
        assert_eq!(pick(&mut m, &w, "kill"), Choice::Prompt("chaos kill ".into()), "no pods to pick");
        assert!(!m.back());
    }
}
