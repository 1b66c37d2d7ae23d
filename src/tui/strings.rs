//! The TUI's own words: the welcome text, key hints, the help overlay. (kubectl's texts live
//! with kubectl; these are kubedojo's.)

/// Shown in the terminal pane when the TUI opens.
pub const WELCOME: &str = "kubedojo — a simulated Kubernetes v1.32 cluster. Type kubectl commands here (k is an alias).
Esc moves to the panes (single-key commands), i comes back, ? lists every key, ctrl-c quits.";

pub const NOTHING_SELECTED: &str = "nothing selected";

/// Hints in the bottom line, by where the keys go.
pub const HINTS_PROMPT: &[(&str, &str)] = &[
    ("esc", "panes"),
    ("tab", "complete"),
    ("↑↓", "history"),
    ("^r", "search"),
    ("pgup/pgdn", "scroll"),
    ("F1", "help"),
    ("^c", "quit"),
];

pub const HINTS_PANES: &[(&str, &str)] = &[
    ("i", "prompt"),
    (":", "view"),
    ("/", "filter"),
    ("d", "describe"),
    ("y", "yaml"),
    ("l", "logs"),
    ("e", "edit"),
    ("^d", "delete"),
    ("x", "xray"),
    ("space", "pause"),
    (".", "step"),
    ("+/-", "speed"),
    ("c", "chaos"),
    ("?", "help"),
];

pub const HINTS_LESSON: &[(&str, &str)] = &[
    ("i", "prompt"),
    ("h", "hint"),
    ("n/p", "next/previous step"),
    ("f", "flag task"),
    ("↑↓", "scroll"),
    ("tab", "panes"),
    (":grade", "grade"),
    ("?", "help"),
];

/// Every key, by section, for the help overlay: (key, what it does); a key of "" starts a
/// section named by the text.
pub const HELP: &[(&str, &str)] = &[
    ("", "Anywhere"),
    ("ctrl-c", "quit kubedojo (the terminal is restored)"),
    ("F1", "this help"),
    ("", "At the prompt (the learner's shell: kubectl, k, sleep, heredocs, vim FILE)"),
    ("enter", "run the line (an unfinished heredoc or quote asks for more with >)"),
    ("tab", "complete commands, verbs, resource types, names, flags, files"),
    ("↑ ↓  ctrl-p ctrl-n", "previous / next command in the history"),
    ("ctrl-r", "search the history backwards (again: older; enter runs; esc keeps it)"),
    ("ctrl-g", "cancel the search"),
    ("← → home end", "move in the line (also ctrl-b ctrl-f ctrl-a ctrl-e)"),
    ("alt-b alt-f", "a word back / forward (also ctrl-← ctrl-→)"),
    ("ctrl-u ctrl-k ctrl-w", "delete to the start / to the end / the word before"),
    ("backspace delete", "delete a character (also ctrl-h)"),
    ("pgup pgdn", "scroll the terminal (ctrl-↑ ctrl-↓: a line)"),
    ("ctrl-l", "clear the terminal (or type clear)"),
    ("esc", "go to the panes"),
    ("", "In the panes"),
    ("i", "back to the prompt"),
    ("tab", "next pane (cluster, resources)"),
    ("↑ ↓  k j", "move the selection"),
    ("pgup pgdn", "a page up / down (also ctrl-b ctrl-f)"),
    ("g G", "first / last (also home end)"),
    ("enter", "open: a namespace's pods, a workload's xray, a description"),
    ("esc q", "back: close a view, clear the filter, unzoom"),
    (":pods :deploy :svc", "show a kind (:ep :nodes :events :jobs :cj :rs :cm :secrets :ns :ing ...)"),
    (":pods NS  :pods all", "in namespace NS, or in all of them"),
    (":ns NS", "make NS the namespace of the views"),
    (":xray [TYPE [NAME]]", "relationships: Deployment→ReplicaSet→Pods→Node, Service→Endpoints→Pods"),
    (":q", "quit"),
    ("/", "filter the view by name (/-l app=web: by labels); esc clears it"),
    ("d", "describe the selection (kubectl describe)"),
    ("y", "its YAML (kubectl get -o yaml)"),
    ("l", "its logs (kubectl logs), following new lines"),
    ("e", "edit it in $EDITOR (kubectl edit)"),
    ("ctrl-d", "delete it (y confirms; n, esc or enter cancel)"),
    ("x", "xray the selection"),
    ("z", "zoom the resource pane"),
    ("0", "all namespaces / back to one"),
    ("", "Lessons and exams"),
    ("h  F2", "reveal the next hint of the step"),
    ("n p", "show the next / previous step (esc: back to the current one)"),
    ("f", "exams: flag the task shown for review"),
    (":grade", "grade the attempt now (an exam ends)"),
    (":lessons", "back to the course (progress is saved)"),
    ("", "The course (kubedojo with no arguments)"),
    ("↑ ↓  enter", "choose a lesson, start it"),
    ("r", "reset the selected lesson's progress (y confirms)"),
    ("q", "quit"),
    ("", "The simulation (one tick is one simulated second)"),
    ("space", "pause / resume"),
    (".", "step one tick"),
    ("+ -", "faster / slower: 1×, 2×, 5×, 10×, 60×"),
    ("c", "chaos menu: power off a node, kill a container, break the registry..."),
    ("", "Pop-ups"),
    ("↑ ↓  k j  enter", "choose"),
    ("esc q ?", "close"),
    ("", "Mouse"),
    ("click", "select a pane, a row, a node"),
    ("wheel", "scroll"),
];

/// The help overlay's lines.
pub fn help_lines() -> Vec<(&'static str, &'static str)> {
    HELP.to_vec()
}

/// Simulated time since the learner arrived as `HH:MM:SS` (days as `Nd HH:MM:SS`).
pub fn clock(s: u64) -> String {
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{d}d {h:02}:{m:02}:{sec:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_reads_like_a_clock() {
        assert_eq!(super::clock(83), "00:01:23");
        assert_eq!(super::clock(90_061), "1d 01:01:01");
    }
}
