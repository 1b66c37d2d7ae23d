//! The xray view: how objects hang together, as a graph built with petgraph from
//! ownerReferences, selectors and names — Deployment → ReplicaSet → Pods → Node,
//! Service → Endpoints → Pods, Ingress → Service, CronJob → Job → Pods — and drawn as a
//! tree from its roots.

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

use super::resources::{self, ObjRef};
use crate::sim::{Kind, Object, World};

/// Kinds whose objects can start a tree, in the order the trees are listed.
const ROOT_KINDS: &[Kind] = &[
    Kind::Ingress,
    Kind::Service,
    Kind::Deployment,
    Kind::StatefulSet,
    Kind::DaemonSet,
    Kind::CronJob,
    Kind::Job,
    Kind::ReplicaSet,
    Kind::Pod,
];

/// Kinds that appear in the graph.
const KINDS: &[Kind] = &[
    Kind::Ingress,
    Kind::Service,
    Kind::Endpoints,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::DaemonSet,
    Kind::CronJob,
    Kind::Job,
    Kind::Pod,
];

/// One line of the drawn tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XrayRow {
    /// Tree drawing before the object (`├─ `, `│  └─ `).
    pub prefix: String,
    pub obj: ObjRef,
    /// A short state: `3/3 ready`, `Running`, `ClusterIP 10.96.0.10`.
    pub summary: String,
    pub health: Option<super::theme::Health>,
}

/// What the xray view shows: every tree of a namespace, the trees of one kind, or one
/// object's tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XrayScope {
    pub namespace: String,
    pub kind: Option<Kind>,
    pub name: Option<String>,
}

/// Builds the relationship graph of a namespace (nodes are objects; an edge points from an
/// object to what it owns, selects or runs on).
pub fn graph(world: &World, namespace: &str) -> DiGraph<ObjRef, ()> {
    let mut g: DiGraph<ObjRef, ()> = DiGraph::new();
    let mut by_ref: BTreeMap<ObjRef, NodeIndex> = BTreeMap::new();
    let mut by_uid: BTreeMap<String, NodeIndex> = BTreeMap::new();
    let mut objs: Vec<&Object> = Vec::new();
    for k in KINDS {
        for o in world.store.list(*k, Some(namespace)) {
            let r = ObjRef::of(o);
            let ix = g.add_node(r.clone());
            by_ref.insert(r, ix);
            if let Some(uid) = &o.meta().uid {
                by_uid.insert(uid.clone(), ix);
            }
            objs.push(o);
        }
    }
    let node_ix = |g: &mut DiGraph<ObjRef, ()>, by_ref: &mut BTreeMap<ObjRef, NodeIndex>, name: &str| {
        let r = ObjRef { kind: Kind::Node, namespace: String::new(), name: name.to_string() };
        *by_ref.entry(r.clone()).or_insert_with(|| g.add_node(r))
    };
    let mut edges: Vec<(NodeIndex, NodeIndex)> = Vec::new();
    for o in &objs {
        let me = by_ref[&ObjRef::of(o)];
        // Owners own us.
        for owner in o.meta().owner_references.iter().flatten() {
            if let Some(&ix) = by_uid.get(&owner.uid) {
                edges.push((ix, me));
            }
        }
        match o {
            Object::Pod(p) => {
                if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
                    let nix = node_ix(&mut g, &mut by_ref, n);
                    edges.push((me, nix));
                }
            }
            Object::Service(_) => {
                let ep = ObjRef { kind: Kind::Endpoints, namespace: namespace.to_string(), name: o.name().to_string() };
                if let Some(&ix) = by_ref.get(&ep) {
                    edges.push((me, ix));
                }
            }
            Object::Endpoints(e) => {
                for s in e.subsets.iter().flatten() {
                    for a in s.addresses.iter().flatten().chain(s.not_ready_addresses.iter().flatten()) {
                        if let Some(t) = &a.target_ref {
                            if t.kind.as_deref() == Some("Pod") {
                                let r = ObjRef {
                                    kind: Kind::Pod,
                                    namespace: t.namespace.clone().unwrap_or_else(|| namespace.to_string()),
                                    name: t.name.clone().unwrap_or_default(),
                                };
                                if let Some(&ix) = by_ref.get(&r) {
                                    edges.push((me, ix));
                                }
                            }
                        }
                    }
                }
            }
            Object::Ingress(i) => {
                let spec = i.spec.as_ref();
                let mut services: Vec<String> = Vec::new();
                if let Some(s) = spec.and_then(|s| s.default_backend.as_ref()).and_then(|b| b.service.as_ref()) {
                    services.push(s.name.clone());
                }
                for rule in spec.and_then(|s| s.rules.as_ref()).into_iter().flatten() {
                    for path in rule.http.iter().flat_map(|h| h.paths.iter()) {
                        if let Some(s) = &path.backend.service {
                            services.push(s.name.clone());
                        }
                    }
                }
                services.sort();
                services.dedup();
                for s in services {
                    let r = ObjRef { kind: Kind::Service, namespace: namespace.to_string(), name: s };
                    if let Some(&ix) = by_ref.get(&r) {
                        edges.push((me, ix));
                    }
                }
            }
            _ => {}
        }
    }
    edges.sort();
    edges.dedup();
    for (a, b) in edges {
        g.add_edge(a, b, ());
    }
    g
}

/// The rows of the xray view for `scope`.
pub fn rows(world: &World, scope: &XrayScope) -> Vec<XrayRow> {
    let g = graph(world, &scope.namespace);
    let mut roots: Vec<NodeIndex> = g
        .node_indices()
        .filter(|&ix| {
            let r = &g[ix];
            if !ROOT_KINDS.contains(&r.kind) {
                return false;
            }
            match (&scope.kind, &scope.name) {
                (Some(k), Some(n)) => r.kind == *k && r.name == *n,
                (Some(k), None) => r.kind == *k,
                // Everything that nothing owns; a Service is a root even when an Ingress
                // routes to it (it is drawn under the Ingress as well).
                _ => r.kind == Kind::Service || g.neighbors_directed(ix, Direction::Incoming).next().is_none(),
            }
        })
        .collect();
    roots.sort_by_key(|&ix| {
        let r = &g[ix];
        (ROOT_KINDS.iter().position(|k| *k == r.kind), r.name.clone())
    });
    let mut out = Vec::new();
    for root in roots {
        let mut path = Vec::new();
        walk(world, &g, root, "", "", &mut path, &mut out);
    }
    out
}

fn walk(
    world: &World,
    g: &DiGraph<ObjRef, ()>,
    ix: NodeIndex,
    lead: &str,
    branch: &str,
    path: &mut Vec<NodeIndex>,
    out: &mut Vec<XrayRow>,
) {
    let r = g[ix].clone();
    let (summary, health) = resources::summary(world, &r);
    out.push(XrayRow { prefix: format!("{lead}{branch}"), obj: r, summary, health });
    path.push(ix);
    let mut kids: Vec<NodeIndex> =
        g.neighbors_directed(ix, Direction::Outgoing).filter(|k| !path.contains(k)).collect();
    kids.sort_by(|a, b| (g[*a].kind, &g[*a].name).cmp(&(g[*b].kind, &g[*b].name)));
    kids.dedup();
    let child_lead = match branch {
        "" => lead.to_string(),
        "├─ " => format!("{lead}│  "),
        _ => format!("{lead}   "),
    };
    let n = kids.len();
    for (i, k) in kids.into_iter().enumerate() {
        let b = if i + 1 == n { "└─ " } else { "├─ " };
        walk(world, g, k, &child_lead, b, path, out);
    }
    path.pop();
}
