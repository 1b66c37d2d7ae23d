//! `tab` completion at the prompt, as `source <(kubectl completion bash)` gives it in the
//! exam's terminal: commands, kubectl verbs and subcommands, resource types, object names
//! from the simulated cluster (in the namespace the line names), flags and their values,
//! and file names from the workstation's home directory.

use crate::kubectl::cmds::KNOWN_VERBS;
use crate::shell::workstation::Workstation;
use crate::shell::Fs;
use crate::sim::api::discovery;
use crate::sim::Kind;

/// What `tab` found for the word at the cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// Byte offset where the word being completed starts.
    pub start: usize,
    /// Every candidate for that word, sorted.
    pub candidates: Vec<String>,
}

impl Completion {
    /// The text to put in place of the word: the only candidate (with a space after it,
    /// unless it ends in `/` or `=`), else the candidates' longest common prefix.
    pub fn replacement(&self) -> Option<String> {
        match self.candidates.as_slice() {
            [] => None,
            [one] => {
                let mut s = one.clone();
                if !s.ends_with('/') && !s.ends_with('=') {
                    s.push(' ');
                }
                Some(s)
            }
            many => Some(common_prefix(many)),
        }
    }
}

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut end = first.len();
    for w in &words[1..] {
        end = end.min(first.bytes().zip(w.bytes()).take_while(|(a, b)| a == b).count());
    }
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    first[..end].to_string()
}

/// Commands offered for the first word of a line.
const COMMANDS: &[&str] = &[
    "alias", "base64", "cat", "cd", "chaos", "clear", "cp", "cut", "date", "echo", "env", "exit", "export", "grep",
    "head", "k", "kubectl", "ls", "mkdir", "mv", "nano", "printf", "pwd", "rm", "sleep", "sort", "tail", "touch", "tr",
    "vi", "vim", "wc",
];

const GLOBAL_FLAGS: &[&str] = &["--context", "--help", "--kubeconfig", "--namespace", "-h", "-n"];

/// Flags that take a value as the next word (when not written `--flag=value`).
const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "-o",
    "--output",
    "-l",
    "--selector",
    "-f",
    "--filename",
    "-c",
    "--container",
    "--context",
    "--image",
    "--replicas",
    "--port",
    "--sort-by",
    "-L",
    "--label-columns",
    "--field-selector",
    "--tail",
    "--since",
    "--grace-period",
    "--timeout",
    "--for",
    "--schedule",
    "--from-literal",
    "--from-file",
    "--from-env-file",
    "--env",
    "-e",
    "--labels",
    "--restart",
    "--target-port",
    "--type",
    "--name",
    "--protocol",
    "--min",
    "--max",
    "--cpu-percent",
    "--to-revision",
    "--revision",
    "--limits",
    "--requests",
    "--verb",
    "--resource",
    "--role",
    "--clusterrole",
    "--user",
    "--group",
    "--serviceaccount",
    "--rule",
    "--class",
    "--hard",
    "--tcp",
    "--from",
    "--image-pull-policy",
    "--kubeconfig",
    "--cascade",
    "--overrides",
    "--annotations",
];

fn verb_flags(verb: &str) -> &'static [&'static str] {
    match verb {
        "get" => &[
            "--all-namespaces",
            "--field-selector",
            "--filename",
            "--ignore-not-found",
            "--label-columns",
            "--no-headers",
            "--output",
            "--selector",
            "--show-kind",
            "--show-labels",
            "--sort-by",
            "--watch",
            "-A",
            "-L",
            "-f",
            "-l",
            "-o",
            "-w",
        ],
        "describe" => &["--all-namespaces", "--filename", "--selector", "--show-events", "-A", "-f", "-l"],
        "delete" => &[
            "--all",
            "--all-namespaces",
            "--cascade",
            "--filename",
            "--force",
            "--grace-period",
            "--ignore-not-found",
            "--now",
            "--selector",
            "--timeout",
            "--wait",
            "-A",
            "-f",
            "-l",
        ],
        "create" => &["--dry-run", "--edit", "--filename", "--output", "--save-config", "-f", "-o"],
        "apply" => &[
            "--dry-run",
            "--filename",
            "--force",
            "--output",
            "--prune",
            "--recursive",
            "--server-side",
            "-R",
            "-f",
            "-o",
        ],
        "run" => &[
            "--annotations",
            "--command",
            "--dry-run",
            "--env",
            "--expose",
            "--image",
            "--image-pull-policy",
            "--labels",
            "--output",
            "--overrides",
            "--port",
            "--restart",
            "--rm",
            "--stdin",
            "--tty",
            "-i",
            "-it",
            "-l",
            "-o",
            "-t",
        ],
        "logs" => &[
            "--all-containers",
            "--container",
            "--follow",
            "--previous",
            "--selector",
            "--since",
            "--tail",
            "--timestamps",
            "-c",
            "-f",
            "-l",
            "-p",
        ],
        "exec" => &["--container", "--stdin", "--tty", "-c", "-i", "-it", "-t"],
        "label" | "annotate" => &["--all", "--list", "--overwrite", "--selector", "-l"],
        "scale" => &["--all", "--current-replicas", "--replicas", "--selector", "-l"],
        "rollout" => &["--revision", "--timeout", "--to-revision", "--watch"],
        "set" => &[
            "--all",
            "--containers",
            "--env",
            "--from",
            "--keys",
            "--limits",
            "--list",
            "--requests",
            "--selector",
            "-c",
            "-e",
            "-l",
        ],
        "expose" => {
            &["--dry-run", "--name", "--output", "--port", "--protocol", "--selector", "--target-port", "--type", "-o"]
        }
        "autoscale" => &["--cpu-percent", "--max", "--min", "--name"],
        "wait" => &["--all", "--for", "--selector", "--timeout", "-l"],
        "drain" => &["--delete-emptydir-data", "--force", "--grace-period", "--ignore-daemonsets", "--timeout"],
        "taint" => &["--all", "--overwrite", "--selector", "-l"],
        "explain" => &["--api-version", "--recursive"],
        "top" => &["--all-namespaces", "--containers", "--no-headers", "--selector", "--sort-by", "-A", "-l"],
        "edit" => &["--output", "-o"],
        _ => &[],
    }
}

fn create_flags(sub: &str) -> &'static [&'static str] {
    match sub {
        "deployment" | "deploy" => &["--image", "--port", "--replicas"],
        "configmap" | "cm" => &["--from-env-file", "--from-file", "--from-literal"],
        "secret" => &["--from-env-file", "--from-file", "--from-literal", "--type"],
        "job" => &["--from", "--image"],
        "cronjob" | "cj" => &["--image", "--restart", "--schedule"],
        "service" | "svc" => &["--node-port", "--tcp"],
        "role" | "clusterrole" => &["--resource", "--resource-name", "--verb"],
        "rolebinding" | "clusterrolebinding" => &["--clusterrole", "--group", "--role", "--serviceaccount", "--user"],
        "ingress" | "ing" => &["--annotation", "--class", "--rule"],
        "quota" | "resourcequota" => &["--hard", "--scopes"],
        "poddisruptionbudget" | "pdb" => &["--max-unavailable", "--min-available", "--selector"],
        "priorityclass" | "pc" => &["--description", "--global-default", "--value"],
        _ => &[],
    }
}

const CREATE_SUBCOMMANDS: &[&str] = &[
    "clusterrole",
    "clusterrolebinding",
    "configmap",
    "cronjob",
    "deployment",
    "ingress",
    "job",
    "namespace",
    "poddisruptionbudget",
    "priorityclass",
    "quota",
    "role",
    "rolebinding",
    "secret",
    "service",
    "serviceaccount",
    "token",
];

fn subcommands(verb: &str) -> &'static [&'static str] {
    match verb {
        "create" => CREATE_SUBCOMMANDS,
        "rollout" => &["history", "pause", "restart", "resume", "status", "undo"],
        "set" => &["env", "image", "resources", "selector", "serviceaccount", "subject"],
        "config" => {
            &["current-context", "get-contexts", "set-context", "use-context", "view", "get-clusters", "get-users"]
        }
        "auth" => &["can-i", "whoami"],
        "top" => &["node", "pod"],
        _ => &[],
    }
}

const OUTPUTS: &[&str] = &["custom-columns=", "json", "jsonpath-as-json=", "jsonpath=", "name", "wide", "yaml"];

/// Resource type words offered after `get`, `describe`...: the plural names and short names
/// the API serves.
fn resource_words(with_all: bool) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for r in discovery::resources() {
        v.push(r.plural.to_string());
        v.extend(r.short_names.iter().map(|s| s.to_string()));
    }
    if with_all {
        v.push("all".into());
    }
    v
}

/// How a line's words were understood.
struct Line<'a> {
    /// Words before the one being completed.
    before: Vec<&'a str>,
    /// The word being completed (may be empty).
    word: &'a str,
    start: usize,
}

fn split(line: &str, cursor: usize) -> Line<'_> {
    let head = &line[..cursor.min(line.len())];
    // Only the last command of a pipeline or list is completed.
    let cmd_start = head.rfind(['|', ';', '&']).map_or(0, |i| i + 1);
    let cmd = &head[cmd_start..];
    let start_in_cmd = cmd.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &cmd[start_in_cmd..];
    let before = cmd[..start_in_cmd].split_whitespace().collect();
    Line { before, word, start: cmd_start + start_in_cmd }
}

/// Completes the word at `cursor` in `line`.
pub fn complete(ws: &Workstation, line: &str, cursor: usize) -> Completion {
    let l = split(line, cursor);
    let mut cands = candidates(ws, &l);
    cands.retain(|c| c.starts_with(l.word));
    cands.sort();
    cands.dedup();
    Completion { start: l.start, candidates: cands }
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn candidates(ws: &Workstation, l: &Line) -> Vec<String> {
    let Some(cmd) = l.before.first() else {
        return strs(COMMANDS);
    };
    match *cmd {
        "kubectl" | "k" => kubectl_candidates(ws, &l.before[1..], l.word),
        "cat" | "vim" | "vi" | "nano" | "rm" | "head" | "tail" | "cp" | "mv" | "ls" | "wc" | "grep" | "cd" | "less"
        | "more" => files(ws, l.word),
        "chaos" => Vec::new(),
        _ => files(ws, l.word),
    }
}

/// Files and directories of the workstation matching the path typed so far.
fn files(ws: &Workstation, word: &str) -> Vec<String> {
    let (dir_part, _) = match word.rfind('/') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    };
    let dir = crate::shell::vfs::resolve_path(ws.cwd(), if dir_part.is_empty() { "." } else { dir_part });
    let mut out = Vec::new();
    for name in ws.fs.list(&dir).unwrap_or_default() {
        let full = format!("{}/{}", dir.trim_end_matches('/'), name);
        let mut c = format!("{dir_part}{name}");
        if ws.fs.is_dir(&full) {
            c.push('/');
        }
        out.push(c);
    }
    out
}

/// Understands a kubectl argument list enough for completion: positional words, the `-n`
/// namespace, and whether the word before the cursor is a flag waiting for its value.
struct Args<'a> {
    positional: Vec<&'a str>,
    namespace: Option<&'a str>,
    /// The flag whose value is being typed (`-n <tab>`).
    pending_flag: Option<&'a str>,
    all_namespaces: bool,
}

fn parse_args<'a>(words: &[&'a str]) -> Args<'a> {
    let mut a = Args { positional: Vec::new(), namespace: None, pending_flag: None, all_namespaces: false };
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w == "--" {
            break;
        }
        if w.starts_with('-') && w.len() > 1 {
            if w == "-A" || w == "--all-namespaces" {
                a.all_namespaces = true;
            }
            if let Some(ns) = w.strip_prefix("--namespace=").or_else(|| w.strip_prefix("-n=")) {
                a.namespace = Some(ns);
            } else if VALUE_FLAGS.contains(&w) {
                match words.get(i + 1) {
                    Some(v) => {
                        if w == "-n" || w == "--namespace" {
                            a.namespace = Some(v);
                        }
                        i += 1;
                    }
                    None => a.pending_flag = Some(w),
                }
            }
        } else {
            a.positional.push(w);
        }
        i += 1;
    }
    a
}

fn names(ws: &Workstation, kind: Kind, ns: &str) -> Vec<String> {
    let ns = if kind.namespaced() { Some(ns) } else { None };
    ws.world.store.list(kind, ns).iter().map(|o| o.name().to_string()).collect()
}

/// Kinds a verb works on in `TYPE NAME` or `TYPE/NAME` form.
fn takes_type_and_name(verb: &str) -> bool {
    matches!(
        verb,
        "get"
            | "describe"
            | "delete"
            | "edit"
            | "label"
            | "annotate"
            | "patch"
            | "scale"
            | "expose"
            | "wait"
            | "autoscale"
            | "explain"
            | "replace"
    )
}

fn kubectl_candidates(ws: &Workstation, words: &[&str], word: &str) -> Vec<String> {
    let a = parse_args(words);
    let ns = a.namespace.unwrap_or(&ws.client.namespace).to_string();
    // A flag's value.
    if let Some(flag) = a.pending_flag {
        return flag_values(ws, flag, "");
    }
    if let Some((flag, value)) = word.split_once('=').filter(|(f, _)| f.starts_with('-')) {
        return flag_values(ws, flag, value).into_iter().map(|v| format!("{flag}={v}")).collect();
    }
    let verb = a.positional.first().copied();
    if word.starts_with('-') {
        let mut f = strs(GLOBAL_FLAGS);
        if let Some(v) = verb {
            f.extend(strs(verb_flags(v)));
            if v == "create" {
                if let Some(sub) = a.positional.get(1) {
                    f.extend(strs(create_flags(sub)));
                    f.extend(strs(&["--dry-run=client", "--output"]));
                }
            }
        }
        return f;
    }
    let Some(verb) = verb else {
        return strs(KNOWN_VERBS);
    };
    let p = a.positional.len();
    // `TYPE/NAME` form.
    if let Some((t, _)) = word.split_once('/') {
        if let Some(kind) = discovery::resolve(t) {
            return names(ws, kind, &ns).into_iter().map(|n| format!("{t}/{n}")).collect();
        }
        return Vec::new();
    }
    let subs = subcommands(verb);
    match verb {
        v if takes_type_and_name(v) => {
            if p == 1 {
                resource_words(v == "get")
            } else {
                let t = a.positional[1];
                match discovery::resolve(t).filter(|_| !t.contains(',')) {
                    Some(kind) => names(ws, kind, &ns),
                    None => Vec::new(),
                }
            }
        }
        "logs" | "exec" | "attach" | "port-forward" | "cp" if p == 1 => names(ws, Kind::Pod, &ns),
        "cordon" | "uncordon" | "drain" if p == 1 => names(ws, Kind::Node, ""),
        "taint" if p == 1 => strs(&["nodes"]),
        "taint" if p == 2 => names(ws, Kind::Node, ""),
        "rollout" | "set" if p == 1 => strs(subs),
        "rollout" if p == 2 => strs(&["daemonset", "deployment", "statefulset"]),
        "set" if p == 2 => resource_words(false),
        "rollout" | "set" if p == 3 => match discovery::resolve(a.positional[2]) {
            Some(kind) => names(ws, kind, &ns),
            None => Vec::new(),
        },
        "top" if p == 1 => strs(subs),
        "top" if p == 2 => match a.positional[1] {
            "node" | "nodes" | "no" => names(ws, Kind::Node, ""),
            _ => names(ws, Kind::Pod, &ns),
        },
        "create" | "config" | "auth" if p == 1 => strs(subs),
        "config" if p == 2 && matches!(a.positional[1], "use-context" | "set-context") => context_names(ws),
        _ => Vec::new(),
    }
}

/// The kubeconfig's contexts, sorted as `kubectl config get-contexts` lists them.
fn context_names(ws: &Workstation) -> Vec<String> {
    let mut v: Vec<String> = ws.client.contexts.iter().map(|c| c.name.clone()).collect();
    v.sort();
    v
}

fn flag_values(ws: &Workstation, flag: &str, _typed: &str) -> Vec<String> {
    match flag {
        "-n" | "--namespace" => names(ws, Kind::Namespace, ""),
        "-o" | "--output" => strs(OUTPUTS),
        "--dry-run" => strs(&["client", "none", "server"]),
        "-f" | "--filename" => files(ws, _typed),
        "--restart" => strs(&["Always", "Never", "OnFailure"]),
        "--type" => strs(&["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]),
        "--image-pull-policy" => strs(&["Always", "IfNotPresent", "Never"]),
        "--cascade" => strs(&["background", "foreground", "orphan"]),
        "--for" => strs(&["condition=", "delete", "jsonpath="]),
        "--context" => context_names(ws),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::World;

    fn ws() -> Workstation {
        let mut ws = Workstation::new(World::new(1));
        ws.execute(&crate::tui::testing::pod_manifest_cmd("web", "nginx"));
        ws.execute(&crate::tui::testing::pod_manifest_cmd("db", "redis").replace("-f -", "-n kube-system -f -"));
        ws
    }

    fn cands(ws: &Workstation, line: &str) -> Vec<String> {
        complete(ws, line, line.len()).candidates
    }

    #[test]
    fn verbs_types_names_and_flags() {
        let ws = ws();
        assert_eq!(cands(&ws, "kub"), ["kubectl"]);
        assert_eq!(cands(&ws, "k desc"), ["describe"]);
        assert!(cands(&ws, "kubectl get de").contains(&"deployments".to_string()));
        assert!(cands(&ws, "kubectl get de").contains(&"deploy".to_string()));
        assert_eq!(cands(&ws, "kubectl get pods w"), ["web"]);
        let system = cands(&ws, "kubectl get pods -n kube-system ");
        assert!(system.contains(&"db".to_string()) && system.contains(&"etcd-controlplane".to_string()), "{system:?}");
        assert!(!system.contains(&"web".to_string()), "{system:?}");
        assert_eq!(cands(&ws, "kubectl logs "), ["web"]);
        assert_eq!(cands(&ws, "kubectl describe po/"), ["po/web"]);
        assert_eq!(cands(&ws, "kubectl get nodes node0"), ["node01", "node02"]);
        assert_eq!(cands(&ws, "kubectl get pods -o y"), ["yaml"]);
        assert_eq!(cands(&ws, "kubectl create deployment web --dry-run=c"), ["--dry-run=client"]);
        assert!(cands(&ws, "kubectl get pods --show").contains(&"--show-labels".to_string()));
        assert_eq!(cands(&ws, "kubectl -n kube-p"), ["kube-public"], "a flag value, not a verb");
        assert_eq!(cands(&ws, "kubectl get pods -n kube-s"), ["kube-system"]);
        assert_eq!(cands(&ws, "kubectl rollout st"), ["status"]);
    }

    #[test]
    fn replacement_is_the_common_prefix_or_the_word() {
        let ws = ws();
        let c = complete(&ws, "kubectl get nodes node", 22);
        assert_eq!(c.start, 18);
        assert_eq!(c.replacement().as_deref(), Some("node0"));
        let c = complete(&ws, "kubectl lo", 10);
        assert_eq!(c.replacement().as_deref(), Some("logs "));
    }

    #[test]
    fn files_complete_from_the_home_directory() {
        let mut ws = ws();
        ws.execute("mkdir manifests\necho x > pod.yaml\n");
        assert_eq!(cands(&ws, "kubectl apply -f p"), ["pod.yaml"]);
        assert_eq!(cands(&ws, "vim m"), ["manifests/"]);
    }
}
