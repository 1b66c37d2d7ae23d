//! The TUI on ratatui's TestBackend: named snapshots of moments of a scripted story (keys
//! typed through the real key mapping, the simulation clock ticked by hand), and colours
//! asserted through the buffer's styles where they carry meaning.

use kubedojo::sim::World;
use kubedojo::tui::testing::{deployment_manifest_cmd, pod_manifest_cmd, Story};
use kubedojo::tui::Options;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

const W: u16 = 110;
const H: u16 = 32;

fn story() -> Story {
    Story::new(World::new(1), W, H)
}

/// The cell where `text` first appears on screen (after `skip` earlier matches).
fn find(buf: &Buffer, text: &str, skip: usize) -> Option<(u16, u16)> {
    let mut seen = 0;
    for y in 0..buf.area.height {
        let line: Vec<String> = (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect();
        let joined: String = line.concat();
        if let Some(byte) = joined.find(text) {
            if seen == skip {
                let x = joined[..byte].chars().count() as u16;
                return Some((x, y));
            }
            seen += 1;
        }
    }
    None
}

fn fg_at(buf: &Buffer, text: &str, skip: usize) -> Color {
    let (x, y) = find(buf, text, skip).unwrap_or_else(|| panic!("{text:?} not on screen"));
    buf[(x, y)].fg
}

#[test]
fn play_screen_opened() {
    let mut s = story();
    let text = s.text();
    assert!(text.contains("cluster [3 nodes]"), "{text}");
    assert!(text.contains("PROMPT"), "the prompt has the focus at start:\n{text}");
    insta::assert_snapshot!("tui_play_opened", s.frame());
}

#[test]
fn a_command_typed_and_its_output() {
    let mut s = story();
    s.typed("kubectl get nodes\n");
    let text = s.text();
    assert!(text.contains("$ kubectl get nodes"), "{text}");
    insta::assert_snapshot!("tui_command_output", s.frame());
}

#[test]
fn a_pod_goes_from_container_creating_to_running() {
    let mut s = story();
    s.typed(&pod_manifest_cmd("web", "nginx"));
    s.ticks(1);
    let text = s.text();
    assert!(text.contains("ContainerCreating"), "{text}");
    // Starting pods are cyan, in the cluster pane (glyph) and the resource pane (row).
    assert_eq!(fg_at(s.draw(), "◐", 0), Color::Cyan);
    insta::assert_snapshot!("tui_pod_creating", s.frame());
    s.ticks(10);
    let text = s.text();
    assert!(text.contains("Running"), "{text}");
    assert_eq!(fg_at(s.draw(), "●", 3), Color::Green, "the running pod's glyph is green");
    insta::assert_snapshot!("tui_pod_running", s.frame());
}

#[test]
fn help_overlay_lists_every_key() {
    let mut s = story();
    s.keys("<esc>?");
    insta::assert_snapshot!("tui_help", s.frame());
    let mut text = s.text();
    for _ in 0..4 {
        s.keys("<pgdn>");
        text.push_str(&s.text());
    }
    for key in
        ["ctrl-c", "F1", "ctrl-r", "ctrl-u", "esc", "space", "ctrl-d", ":xray", "click", "wheel", "+ -", "z", "0"]
    {
        assert!(text.contains(key), "{key} missing from the help:\n{text}");
    }
    s.keys("<esc>");
    assert!(!s.text().contains("help · esc closes"));
    // At 80 columns the descriptions wrap under themselves; the end is reachable and one
    // page up comes straight back from it.
    let mut s = Story::new(World::new(1), 80, 24);
    s.keys("<f1>");
    assert!(s.text().contains("│                       more with >)"), "{}", s.text());
    s.keys("<pgdn><pgdn><pgdn><pgdn><pgdn><pgdn><pgdn><pgdn><pgdn><pgdn>");
    let bottom = s.text();
    assert!(bottom.contains(" wheel                 scroll"), "{bottom}");
    s.keys("<pgup>");
    assert_ne!(s.text(), bottom, "page up moves at once");
}

#[test]
fn chaos_menu_breaks_a_node() {
    let mut s = story();
    s.keys("<esc>c");
    insta::assert_snapshot!("tui_chaos_menu", s.frame());
    // node-down is the first verb; node01 the second node.
    s.keys("<enter>");
    assert!(s.text().contains("chaos node-down · pick a node"), "{}", s.text());
    s.keys("j<enter>");
    let text = s.text();
    assert!(text.contains("$ chaos node-down node01"), "{text}");
    s.ticks(60);
    let text = s.text();
    assert!(text.contains("✖ node01"), "node01 is NotReady:\n{text}");
    assert_eq!(fg_at(s.draw(), "✖ node01", 0), Color::Red);
    // A verb that needs a number is left at the prompt.
    s.keys("c");
    for _ in 0..9 {
        s.keys("j");
    }
    s.keys("<enter>");
    assert_eq!(s.app.prompt.input.text, "chaos slow-pulls ");
    assert_eq!(s.app.focus, kubedojo::tui::app::Focus::Prompt);
}

#[test]
fn layout_at_80_by_24() {
    let mut s = Story::new(World::new(1), 80, 24);
    s.typed(&pod_manifest_cmd("web", "nginx"));
    s.ticks(12);
    s.typed("kubectl get pods\n");
    insta::assert_snapshot!("tui_80x24", s.frame());
}

#[test]
fn resizing_keeps_the_screen_whole() {
    let mut s = story();
    s.resize(80, 24);
    assert!(s.text().contains("terminal"));
    s.resize(40, 12);
    s.text();
    s.resize(160, 48);
    let text = s.text();
    assert!(text.contains("cluster [3 nodes]") && text.contains("terminal"), "{text}");
}

#[test]
fn tab_completes_and_lists_candidates() {
    let mut s = story();
    s.typed("kubectl desc");
    s.keys("<tab>");
    assert_eq!(s.app.prompt.input.text, "kubectl describe ");
    s.keys("<c-u>");
    s.typed("kubectl get no");
    s.keys("<tab>");
    let text = s.text();
    assert!(text.contains("$ kubectl get no"), "{text}");
    assert!(text.contains("┃no  nodes "), "candidates are shown:\n{text}");
    s.typed("d");
    s.keys("<tab>");
    assert_eq!(s.app.prompt.input.text, "kubectl get nodes ");
}

#[test]
fn history_and_reverse_search() {
    let mut s = story();
    s.typed("kubectl get nodes\nkubectl get pods\n");
    s.keys("<up><up>");
    assert_eq!(s.app.prompt.input.text, "kubectl get nodes");
    s.keys("<down><down><c-r>");
    s.typed("nod");
    let text = s.text();
    assert!(text.contains("(reverse-i-search)`nod': kubectl get nodes"), "{text}");
    s.keys("<esc>");
    assert_eq!(s.app.prompt.input.text, "kubectl get nodes", "the search result is kept for editing");
    assert_eq!(s.app.focus, kubedojo::tui::app::Focus::Prompt, "esc ends the search, not the prompt");
}

#[test]
fn esc_i_and_single_keys_in_the_panes() {
    let mut s = story();
    s.typed(&pod_manifest_cmd("web", "nginx"));
    s.keys("<esc>");
    assert!(s.text().contains("PANES"));
    s.keys("d");
    assert!(s.text().contains("describe pod/web"), "{}", s.text());
    s.keys("<esc>y");
    assert!(s.text().contains("yaml pod/web"));
    s.keys("<esc>l");
    assert!(s.text().contains("logs pod/web"));
    s.keys("<esc>i");
    assert!(s.text().contains("PROMPT"));
}

#[test]
fn views_switch_with_colon_commands_and_filter_with_slash() {
    let mut s = story();
    s.typed(&pod_manifest_cmd("web", "nginx"));
    s.typed(&pod_manifest_cmd("db", "redis"));
    s.keys("<esc>:nodes<enter>");
    assert!(s.text().contains("nodes[3]"), "{}", s.text());
    s.keys(":pods<enter>/we");
    let text = s.text();
    assert!(text.contains("pods(default)[1] </we>"), "{text}");
    s.keys("<enter><esc>");
    assert!(s.text().contains("pods(default)[2]"));
    s.keys(":pods all<enter>");
    assert!(s.text().contains("pods(all)[11]"), "the two and kube-system's nine");
    s.keys(":bogus<enter>");
    assert!(s.text().contains("no resource type \"bogus\""));
}

#[test]
fn ctrl_d_deletes_after_confirmation() {
    let mut s = story();
    s.typed(&pod_manifest_cmd("web", "nginx"));
    s.ticks(12);
    s.keys("<esc><c-d>");
    assert!(s.text().contains("Delete pod/web in namespace default?"));
    s.keys("n");
    assert!(s.app.ws().world.store.get(kubedojo::sim::Kind::Pod, "default", "web").is_some(), "n keeps it");
    s.keys("<c-d>y");
    let text = s.text();
    assert!(text.contains("$ kubectl delete pod web -n default --wait=false"), "{text}");
    assert!(text.contains("pod \"web\" deleted"), "{text}");
}

#[test]
fn e_edits_in_the_editor_and_kubectl_edit_too() {
    let mut s = story();
    s.typed(&pod_manifest_cmd("web", "nginx"));
    s.editor(|text| text.replace("    app: web\n", "    app: web\n    tier: front\n"));
    s.keys("<esc>e");
    assert!(s.edited[0].starts_with("# Please edit the object below."));
    let text = s.text();
    assert!(text.contains("$ kubectl edit pod web -n default"), "{text}");
    assert!(text.contains("pod/web edited"), "{text}");
    s.editor(|text| text.to_string());
    s.keys("i");
    s.typed("k edit pod web\n");
    assert!(s.text().contains("Edit cancelled, no changes made."));
    s.editor(|_| "hello: world\n".to_string());
    s.typed("vim notes.yaml\ncat notes.yaml\n");
    assert!(s.text().contains("hello: world"), "{}", s.text());
}

#[test]
fn pause_step_and_speed() {
    let mut s = story();
    s.keys("<esc><space>");
    assert!(s.text().contains("⏸ paused"));
    s.ticks(5);
    assert!(s.text().contains("⏱ 00:00:00"), "paused: no time passes");
    s.keys(".");
    assert!(s.text().contains("⏱ 00:00:01"), "a step is one second");
    s.keys("<space>+++");
    assert!(s.text().contains("▶ 10×"));
    s.keys("++");
    assert!(s.text().contains("▶ 60×"), "60× is the fastest");
    s.keys("-----");
    assert!(s.text().contains("▶ 1×"));
}

#[test]
fn clicks_select_panes_and_rows() {
    let mut s = story();
    s.typed(&pod_manifest_cmd("db", "redis"));
    s.typed(&pod_manifest_cmd("web", "nginx"));
    let a = s.app.areas();
    s.click(a.resources.x + 3, a.resources.y + 3);
    assert_eq!(s.app.focus, kubedojo::tui::app::Focus::Resources);
    assert_eq!(s.app.pane.selected, 1, "the second row (web) is selected");
    s.click(a.cluster.x + 3, a.cluster.y + 3);
    assert_eq!(s.app.focus, kubedojo::tui::app::Focus::Cluster);
    s.click(a.terminal.x + 3, a.terminal.y + 2);
    assert_eq!(s.app.focus, kubedojo::tui::app::Focus::Prompt);
}

#[test]
fn no_color_draws_no_colours() {
    let mut s = Story::with_options(World::new(1), Options { color: false, ..Options::default() }, W, H);
    s.typed(&pod_manifest_cmd("web", "nginx"));
    s.ticks(12);
    s.keys("<esc>");
    let buf = s.draw().clone();
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset, "a coloured cell under NO_COLOR: {cell:?}");
        assert_eq!(cell.bg, Color::Reset, "a coloured cell under NO_COLOR: {cell:?}");
    }
}

#[test]
fn ctrl_c_quits_from_anywhere() {
    for keys in ["<c-c>", "<esc><c-c>", "<esc>?<c-c>", "<esc>:po<c-c>"] {
        let mut s = story();
        s.keys(keys);
        assert!(s.app.quit, "{keys} did not quit");
    }
}

#[test]
fn xray_of_a_deployment() {
    let mut s = story();
    s.typed(&deployment_manifest_cmd("web", "nginx", 2));
    s.ticks(15);
    s.keys("<esc>:xray deploy web<enter>");
    let text = s.text();
    assert!(text.contains("Deployment/web  2/2 ready"), "{text}");
    assert!(text.contains("└─ ● ReplicaSet/web-"), "{text}");
    assert!(text.contains("└─ ● Node/node0"), "{text}");
    insta::assert_snapshot!("tui_xray", s.frame());
    // enter on a tree line describes it.
    s.keys("<enter>");
    assert!(s.text().contains("describe deployment/web"));
}

#[test]
fn sparkline_follows_a_rollout() {
    let mut s = story();
    s.typed(&deployment_manifest_cmd("web", "nginx", 2));
    s.ticks(2);
    let text = s.text();
    assert!(text.contains(" web 0/2 ready "), "{text}");
    assert_eq!(fg_at(s.draw(), "web 0/2 ready", 0), Color::Yellow);
    s.ticks(15);
    assert!(s.text().contains(" web 2/2 ready "));
    s.typed("kubectl scale deployment web --replicas=4\n");
    s.ticks(1);
    assert!(s.text().contains(" web 2/4 ready "), "{}", s.text());
    s.ticks(15);
    assert!(s.text().contains(" web 4/4 ready "));
    assert_eq!(fg_at(s.draw(), "web 4/4 ready", 0), Color::Green);
    insta::assert_snapshot!("tui_rollout_sparkline", s.frame());
}

#[test]
fn xray_of_a_service_and_an_ingress() {
    let mut s = story();
    s.typed(&deployment_manifest_cmd("web", "nginx", 2));
    s.typed("kubectl expose deployment web --port=80\n");
    s.typed("kubectl create ingress web --rule=shop.example.com/=web:80\n");
    s.ticks(15);
    s.keys("<esc>:xray svc web<enter>");
    let text = s.text();
    assert!(text.contains("Service/web  ClusterIP "), "{text}");
    assert!(text.contains("└─ ● Endpoints/web  2 ready"), "{text}");
    assert!(text.contains("   ├─ ● Pod/web-"), "the endpoints' pods:\n{text}");
    s.keys(":xray ing web<enter>");
    let text = s.text();
    assert!(text.contains("Ingress/web  shop.example.com"), "{text}");
    assert!(text.contains("└─ Service/web  ClusterIP "), "{text}");
    assert!(text.contains("   └─ ● Endpoints/web  2 ready"), "{text}");
    insta::assert_snapshot!("tui_xray_ingress", s.frame());
    // A pod that stops being ready leaves the endpoints' ready addresses.
    s.keys("<esc>i");
    s.typed("kubectl scale deployment web --replicas=0\n");
    s.ticks(35);
    s.keys("<esc>:xray ing web<enter>");
    let text = s.text();
    assert!(text.contains("Endpoints/web  0 ready"), "{text}");
    assert_eq!(fg_at(s.draw(), "✖ Endpoints/web", 0), Color::Red, "no endpoints is bad news");
}

/// The k9s-like views show the columns `kubectl get` prints, for every kind the help names.
#[test]
fn every_view_shows_kubectl_gets_columns() {
    let mut s = Story::new(World::new(1), 180, 40);
    s.typed(&deployment_manifest_cmd("web", "nginx", 1));
    s.typed("kubectl expose deployment web --port=80\n");
    s.typed("kubectl create job once --image=busybox -- echo hi\n");
    s.typed("kubectl create cronjob tick --image=busybox --schedule='*/5 * * * *' -- date\n");
    s.typed("kubectl create configmap cfg --from-literal=a=b\n");
    s.typed("kubectl create secret generic pw --from-literal=p=x\n");
    s.typed("kubectl create ingress web --rule=shop.example.com/=web:80\n");
    s.ticks(15);
    let views = [
        ("pods", "pods(default)"),
        ("deploy", "deployments(default)"),
        ("svc", "services(default)"),
        ("ep", "endpoints(default)"),
        ("nodes", "nodes"),
        ("events", "events(default)"),
        ("jobs", "jobs(default)"),
        ("cj", "cronjobs(default)"),
        ("rs", "replicasets(default)"),
        ("cm", "configmaps(default)"),
        ("secrets", "secrets(default)"),
        ("ing", "ingresses(default)"),
        ("sa", "serviceaccounts(default)"),
        ("ns", "namespaces"),
    ];
    for (view, title) in views {
        s.keys("<esc>i");
        s.typed(&format!("kubectl get {view}\n"));
        let at = s.app.term.lines.iter().rposition(|(_, l)| l == &format!("$ kubectl get {view}")).expect("echoed");
        let header = s.app.term.lines[at + 1].1.clone();
        s.keys(&format!("<esc>:{view}<enter>"));
        let text = s.text();
        let row =
            text.lines().find(|l| l.contains(&format!(" {title}["))).unwrap_or_else(|| panic!(":{view}:\n{text}"));
        assert!(!row.contains("[0]"), ":{view} lists something:\n{text}");
        // The header row is under the title: the same column names in the same order.
        let pane_x = row.find('┏').expect("the focused pane's corner");
        let below = text.lines().skip_while(|l| !l.contains(&format!(" {title}["))).nth(1).unwrap_or("");
        let pane_header: String = below.chars().skip(row[..pane_x].chars().count() + 1).collect();
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert_eq!(words(&pane_header).join(" ").trim_end_matches('┃').trim(), words(&header).join(" "), ":{view}");
    }
}

#[test]
fn the_terminal_scrolls_back() {
    let mut s = story();
    for i in 0..40 {
        s.typed(&format!("echo line{i}\n"));
    }
    let text = s.text();
    assert!(text.contains("┃line39") && !text.contains("┃line20 "), "{text}");
    s.keys("<pgup>");
    let text = s.text();
    assert!(text.contains(" ↑10 "), "how far up is shown:\n{text}");
    assert!(text.contains("┃line34 ") && !text.contains("┃line39 "), "ten lines up:\n{text}");
    // The mouse wheel scrolls the terminal too.
    let t = s.app.areas().terminal;
    s.app.term.scroll = 0;
    s.wheel(t.x + 5, t.y + 2, true);
    assert_eq!(s.app.term.scroll, 3, "three lines a notch");
    // Typing brings the prompt back to the bottom.
    s.keys("<pgdn><pgdn>");
    assert!(s.text().contains("┃line39 "));
}

/// Many pods: the cluster pane draws each node's pods as glyphs, the resource pane lists only
/// the rows that fit, and `G` goes to the last.
#[test]
fn many_pods_are_glyphs_and_the_list_scrolls() {
    let mut s = story();
    s.typed(&deployment_manifest_cmd("web", "nginx", 60));
    s.ticks(20);
    s.keys("<esc>G");
    let text = s.text();
    assert!(text.contains("pods(default)[60]"), "{text}");
    assert!(text.contains(" pods"), "a summary line per node:\n{text}");
    let last = {
        let w = &s.app.ws().world;
        let pods = w.store.list(kubedojo::sim::Kind::Pod, Some("default"));
        pods.last().expect("pods").name().to_string()
    };
    assert!(text.contains(&last), "the last pod is in view after G:\n{text}");
    insta::assert_snapshot!("tui_many_pods", s.frame());
}

/// The cluster pane shows what the learner must notice: a crashing pod in red with its
/// restarts, a node's conditions in its border.
#[test]
fn restarts_and_node_conditions_show_in_the_cluster_pane() {
    let mut s = story();
    s.typed("kubectl run crash --image=busybox --restart=Always -- sh -c 'exit 1'\n");
    s.ticks(40);
    let text = s.text();
    let line = text.lines().find(|l| l.contains("✖ crash")).unwrap_or_else(|| panic!("no crash line:\n{text}"));
    assert!(line.contains("0/1 CrashLoopBackOff ↻"), "{line}");
    assert_eq!(fg_at(s.draw(), "✖ crash", 0), Color::Red);
    s.typed("chaos memory-pressure node02 on\n");
    s.ticks(15);
    let text = s.text();
    assert!(text.contains("● node02 ─") && text.contains("MemoryPressure"), "{text}");
}

/// A manifest pasted from the lesson (or a browser) runs line by line, heredoc and all, even
/// when the panes had the focus.
#[test]
fn a_pasted_heredoc_runs() {
    let mut s = story();
    s.keys("<esc>");
    s.paste(&pod_manifest_cmd("web", "nginx"));
    let text = s.text();
    assert!(text.contains("pod/web created"), "{text}");
    assert_eq!(s.app.focus, kubedojo::tui::app::Focus::Prompt);
    assert_eq!(s.app.prompt.history.last().map(|h| h.lines().count()), Some(12), "one history entry");
}
