//! The API server's authorizer: RBAC as kube-apiserver evaluates it
//! (`plugin/pkg/auth/authorizer/rbac`), behind the `system:masters` short-circuit, and the
//! Forbidden errors it answers with (`endpoints/handlers/responsewriters.Forbidden`).
//!
//! A request is allowed when one rule of one role bound to the user allows it:
//! ClusterRoleBindings first, then the RoleBindings of the request's namespace (which may
//! point at a Role of that namespace or at a ClusterRole). A rule matches on verb, API group,
//! resource (`pods`, `pods/log`, `*`, `*/scale`), resource name and, for requests that are not
//! about resources, the URL path (`/healthz`, `/api/*`). Bindings to roles that do not exist
//! are skipped and reported in the reason (`RBAC: role.rbac.authorization.k8s.io "x" not
//! found`), as the real authorizer does.
//!
//! The bootstrap policy a kubeadm v1.32 cluster starts with (cluster-admin, admin, edit, view
//! and the roles they aggregate, system:basic-user, system:discovery, ...) is in
//! [`bootstrap`]; the aggregation of admin/edit/view is kept up to date by
//! `controllers::clusterroleaggregation`.

use std::collections::BTreeMap;

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule, Subject};

use super::errors::ApiError;
use crate::sim::{Kind, Object, World};

/// Who makes a request (`authentication.k8s.io/v1` UserInfo).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

/// The group every authenticated request carries.
pub const AUTHENTICATED: &str = "system:authenticated";
/// The group that bypasses authorization (`user.SystemPrivilegedGroup`).
pub const MASTERS: &str = "system:masters";

impl UserInfo {
    /// The identity the impersonation filter builds for `--as NAME --as-group G...`: a
    /// service account name (`system:serviceaccount:NS:SA`) gets the service account groups,
    /// and every impersonated user is in `system:authenticated`.
    pub fn impersonated(name: &str, groups: &[String]) -> UserInfo {
        let mut g: Vec<String> = groups.to_vec();
        if groups.is_empty() {
            if let Some((ns, _)) = service_account_of(name) {
                g.push("system:serviceaccounts".into());
                g.push(format!("system:serviceaccounts:{ns}"));
            }
        }
        if !g.iter().any(|x| x == AUTHENTICATED) {
            g.push(AUTHENTICATED.into());
        }
        UserInfo { name: name.to_string(), groups: g }
    }

    pub fn in_group(&self, g: &str) -> bool {
        self.groups.iter().any(|x| x == g)
    }
}

/// `system:serviceaccount:NS:NAME` → (NS, NAME).
pub fn service_account_of(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix("system:serviceaccount:")?;
    let (ns, name) = rest.split_once(':')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains(':')).then_some((ns, name))
}

/// What a request asks to do (`authorizer.Attributes`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Attributes {
    pub verb: String,
    /// API group ("" for core).
    pub api_group: String,
    /// Plural resource (`pods`), empty for a non-resource request.
    pub resource: String,
    pub subresource: String,
    /// Empty for cluster-scoped requests.
    pub namespace: String,
    /// Empty for list and create.
    pub name: String,
    /// The URL path of a non-resource request (`/healthz`); None for resource requests.
    pub path: Option<String>,
}

impl Attributes {
    /// A request on a resource of a kind the API serves.
    pub fn for_kind(verb: &str, kind: Kind, namespace: &str, name: &str) -> Attributes {
        Attributes {
            verb: verb.into(),
            api_group: kind.group().into(),
            resource: kind.plural().into(),
            namespace: if kind.namespaced() { namespace.into() } else { String::new() },
            name: name.into(),
            ..Default::default()
        }
    }

    pub fn with_subresource(mut self, sub: &str) -> Attributes {
        self.subresource = sub.into();
        self
    }
}

/// The authorizer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not allowed; the reason is empty unless evaluation met errors (missing roles).
    Deny(String),
}

impl Decision {
    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allow)
    }
}

/// `forbiddenMessage` + `NewForbidden`: `pods "web" is forbidden: User "jane" cannot get
/// resource "pods" in API group "" in the namespace "default"`.
pub fn forbidden(user: &UserInfo, a: &Attributes, reason: &str) -> ApiError {
    let mut msg = match &a.path {
        Some(p) => format!("User {:?} cannot {} path {:?}", user.name, a.verb, p),
        None => {
            let mut resource = a.resource.clone();
            if !a.subresource.is_empty() {
                resource = format!("{resource}/{}", a.subresource);
            }
            if a.namespace.is_empty() {
                format!(
                    "User {:?} cannot {} resource {:?} in API group {:?} at the cluster scope",
                    user.name, a.verb, resource, a.api_group
                )
            } else {
                format!(
                    "User {:?} cannot {} resource {:?} in API group {:?} in the namespace {:?}",
                    user.name, a.verb, resource, a.api_group, a.namespace
                )
            }
        }
    };
    if !reason.is_empty() {
        msg = format!("{msg}: {reason}");
    }
    if a.path.is_some() {
        // Non-resource requests name no resource: `forbidden: <message>`.
        let mut e = ApiError::forbidden("-", "", "");
        e.message = format!("forbidden: {msg}");
        return e;
    }
    let gr = if a.api_group.is_empty() { a.resource.clone() } else { format!("{}.{}", a.resource, a.api_group) };
    ApiError::forbidden(&gr, &a.name, &msg)
}

fn has(list: &[String], want: &str) -> bool {
    list.iter().any(|x| x == want)
}

/// `rbac.RuleAllows`: whether one policy rule allows the request.
pub fn rule_allows(rule: &PolicyRule, a: &Attributes) -> bool {
    let verbs = &rule.verbs;
    if !(has(verbs, "*") || has(verbs, &a.verb)) {
        return false;
    }
    if let Some(path) = &a.path {
        let urls = rule.non_resource_urls.as_deref().unwrap_or_default();
        return urls
            .iter()
            .any(|u| u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*'))));
    }
    let groups = rule.api_groups.as_deref().unwrap_or_default();
    if !(has(groups, "*") || has(groups, &a.api_group)) {
        return false;
    }
    let resources = rule.resources.as_deref().unwrap_or_default();
    let combined =
        if a.subresource.is_empty() { a.resource.clone() } else { format!("{}/{}", a.resource, a.subresource) };
    let resource_ok = resources
        .iter()
        .any(|r| r == "*" || *r == combined || (!a.subresource.is_empty() && *r == format!("*/{}", a.subresource)));
    if !resource_ok {
        return false;
    }
    let names = rule.resource_names.as_deref().unwrap_or_default();
    names.is_empty() || has(names, &a.name)
}

/// `appliesTo`: whether a binding's subject is this user. A ServiceAccount subject without
/// a namespace takes the binding's.
fn subject_matches(s: &Subject, user: &UserInfo, binding_ns: &str) -> bool {
    match s.kind.as_str() {
        "User" => s.name == user.name,
        "Group" => user.in_group(&s.name),
        "ServiceAccount" => {
            let ns = s.namespace.as_deref().filter(|n| !n.is_empty()).unwrap_or(binding_ns);
            service_account_of(&user.name) == Some((ns, s.name.as_str()))
        }
        _ => false,
    }
}

/// One binding the authorizer looked at, with the rules of the role it points at.
struct Bound<'a> {
    rules: Result<&'a [PolicyRule], String>,
}

impl World {
    /// The rule sets bound to `user` that apply in `namespace` (empty: cluster scope only),
    /// in the order the authorizer visits them.
    fn bound_rules(&self, user: &UserInfo, namespace: &str) -> Vec<Bound<'_>> {
        let mut out = Vec::new();
        for o in self.store.list(Kind::ClusterRoleBinding, None) {
            let Object::ClusterRoleBinding(b) = o else { continue };
            if !b.subjects.iter().flatten().any(|s| subject_matches(s, user, "")) {
                continue;
            }
            out.push(Bound { rules: self.cluster_role_rules(&b.role_ref.name) });
        }
        if !namespace.is_empty() {
            for o in self.store.list(Kind::RoleBinding, Some(namespace)) {
                let Object::RoleBinding(b) = o else { continue };
                if !b.subjects.iter().flatten().any(|s| subject_matches(s, user, namespace)) {
                    continue;
                }
                let rules = if b.role_ref.kind == "Role" {
                    match self.store.get(Kind::Role, namespace, &b.role_ref.name) {
                        Some(Object::Role(r)) => Ok(r.rules.as_deref().unwrap_or_default()),
                        _ => Err(format!("role.rbac.authorization.k8s.io {:?} not found", b.role_ref.name)),
                    }
                } else {
                    self.cluster_role_rules(&b.role_ref.name)
                };
                out.push(Bound { rules });
            }
        }
        out
    }

    fn cluster_role_rules(&self, name: &str) -> Result<&[PolicyRule], String> {
        match self.store.get(Kind::ClusterRole, "", name) {
            Some(Object::ClusterRole(r)) => Ok(r.rules.as_deref().unwrap_or_default()),
            _ => Err(format!("clusterrole.rbac.authorization.k8s.io {name:?} not found")),
        }
    }

    /// Authorizes a request as kube-apiserver does with `--authorization-mode=Node,RBAC`
    /// (the Node authorizer only speaks for kubelets, which never ask through here).
    pub fn authorize(&self, user: &UserInfo, a: &Attributes) -> Decision {
        if user.in_group(MASTERS) {
            return Decision::Allow;
        }
        let mut errors: Vec<String> = Vec::new();
        for b in self.bound_rules(user, &a.namespace) {
            match b.rules {
                Ok(rules) => {
                    if rules.iter().any(|r| rule_allows(r, a)) {
                        return Decision::Allow;
                    }
                }
                Err(e) => {
                    if !errors.contains(&e) {
                        errors.push(e);
                    }
                }
            }
        }
        if errors.is_empty() {
            Decision::Deny(String::new())
        } else {
            Decision::Deny(format!("RBAC: {}", super::errors::aggregate(errors)))
        }
    }

    /// Every rule bound to `user` in `namespace` (a SelfSubjectRulesReview), with the
    /// evaluation errors; `system:masters` gets the all-powerful rules.
    pub fn rules_review(&self, user: &UserInfo, namespace: &str) -> (Vec<PolicyRule>, Vec<String>) {
        if user.in_group(MASTERS) {
            return (
                vec![
                    rule(&["*"], &["*"], &["*"]),
                    PolicyRule {
                        non_resource_urls: Some(vec!["*".into()]),
                        verbs: vec!["*".into()],
                        ..Default::default()
                    },
                ],
                vec![],
            );
        }
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for b in self.bound_rules(user, namespace) {
            match b.rules {
                Ok(r) => rules.extend(r.iter().cloned()),
                Err(e) => errors.push(e),
            }
        }
        (rules, errors)
    }
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A resource rule (apiGroups, resources, verbs).
pub fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(strs(groups)),
        resources: Some(strs(resources)),
        verbs: strs(verbs),
        ..Default::default()
    }
}

fn named_rule(groups: &[&str], resources: &[&str], names: &[&str], verbs: &[&str]) -> PolicyRule {
    PolicyRule { resource_names: Some(strs(names)), ..rule(groups, resources, verbs) }
}

fn url_rule(urls: &[&str], verbs: &[&str]) -> PolicyRule {
    PolicyRule { non_resource_urls: Some(strs(urls)), verbs: strs(verbs), ..Default::default() }
}

/// The aggregated rules of a ClusterRole with an aggregationRule: the rules of every other
/// ClusterRole its selectors match, in name order, without repeats — what the
/// clusterrole-aggregation controller writes.
pub fn aggregated_rules(role: &ClusterRole, all: &[&ClusterRole]) -> Option<Vec<PolicyRule>> {
    let selectors = role.aggregation_rule.as_ref()?.cluster_role_selectors.as_ref()?;
    let selectors: Vec<super::selector::Selector> =
        selectors.iter().map(super::selector::Selector::from_label_selector).collect();
    let mut matched: Vec<&&ClusterRole> = all
        .iter()
        .filter(|r| r.metadata.name != role.metadata.name)
        .filter(|r| {
            let labels = r.metadata.labels.clone().unwrap_or_default();
            selectors.iter().any(|s| !s.is_empty() && s.matches(&labels))
        })
        .collect();
    matched.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let mut rules: Vec<PolicyRule> = Vec::new();
    for r in matched {
        for rule in r.rules.iter().flatten() {
            if !rules.contains(rule) {
                rules.push(rule.clone());
            }
        }
    }
    Some(rules)
}

/// (name, extra labels, the aggregate-to label its aggregationRule selects, rules).
type BootstrapRole = (&'static str, Vec<(&'static str, &'static str)>, Option<&'static str>, Vec<PolicyRule>);
/// (name, ClusterRole, subjects as (kind, name, namespace)).
type BootstrapBinding = (&'static str, &'static str, Vec<(&'static str, &'static str, &'static str)>);

const RW: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const READ: &[&str] = &["get", "list", "watch"];
const ALL_RW: &[&str] = &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/// The bootstrap ClusterRoles (name, extra labels, aggregate-to selector label, rules) that
/// people meet: the user-facing roles and the small system roles. The ~40
/// `system:controller:*` roles of the controller manager are not installed: nothing in the
/// simulation authorizes as a controller.
fn bootstrap_cluster_roles() -> Vec<BootstrapRole> {
    let agg_admin = ("rbac.authorization.k8s.io/aggregate-to-admin", "true");
    let agg_edit = ("rbac.authorization.k8s.io/aggregate-to-edit", "true");
    let agg_view = ("rbac.authorization.k8s.io/aggregate-to-view", "true");
    vec![
        ("admin", vec![], Some("rbac.authorization.k8s.io/aggregate-to-admin"), vec![]),
        ("cluster-admin", vec![], None, vec![rule(&["*"], &["*"], &["*"]), url_rule(&["*"], &["*"])]),
        ("edit", vec![agg_admin], Some("rbac.authorization.k8s.io/aggregate-to-edit"), vec![]),
        (
            "system:aggregate-to-admin",
            vec![agg_admin],
            None,
            vec![
                rule(&["authorization.k8s.io"], &["localsubjectaccessreviews"], &["create"]),
                rule(&["rbac.authorization.k8s.io"], &["rolebindings", "roles"], ALL_RW),
            ],
        ),
        (
            "system:aggregate-to-edit",
            vec![agg_edit],
            None,
            vec![
                rule(
                    &[""],
                    &["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"],
                    READ,
                ),
                rule(&[""], &["serviceaccounts"], &["impersonate"]),
                rule(&[""], &["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], RW),
                rule(&[""], &["pods/eviction"], &["create"]),
                rule(
                    &[""],
                    &[
                        "configmaps",
                        "events",
                        "persistentvolumeclaims",
                        "replicationcontrollers",
                        "replicationcontrollers/scale",
                        "secrets",
                        "serviceaccounts",
                        "services",
                        "services/proxy",
                    ],
                    RW,
                ),
                rule(&[""], &["serviceaccounts/token"], &["create"]),
                rule(
                    &["apps"],
                    &[
                        "daemonsets",
                        "deployments",
                        "deployments/rollback",
                        "deployments/scale",
                        "replicasets",
                        "replicasets/scale",
                        "statefulsets",
                        "statefulsets/scale",
                    ],
                    RW,
                ),
                rule(&["autoscaling"], &["horizontalpodautoscalers"], RW),
                rule(&["batch"], &["cronjobs", "jobs"], RW),
                rule(
                    &["extensions"],
                    &[
                        "daemonsets",
                        "deployments",
                        "deployments/rollback",
                        "deployments/scale",
                        "ingresses",
                        "networkpolicies",
                        "replicasets",
                        "replicasets/scale",
                        "replicationcontrollers/scale",
                    ],
                    RW,
                ),
                rule(&["policy"], &["poddisruptionbudgets"], RW),
                rule(&["networking.k8s.io"], &["ingresses", "networkpolicies"], RW),
                rule(&["coordination.k8s.io"], &["leases"], ALL_RW),
            ],
        ),
        (
            "system:aggregate-to-view",
            vec![agg_view],
            None,
            vec![
                rule(
                    &[""],
                    &[
                        "configmaps",
                        "endpoints",
                        "persistentvolumeclaims",
                        "persistentvolumeclaims/status",
                        "pods",
                        "replicationcontrollers",
                        "replicationcontrollers/scale",
                        "serviceaccounts",
                        "services",
                        "services/status",
                    ],
                    READ,
                ),
                rule(
                    &[""],
                    &[
                        "bindings",
                        "events",
                        "limitranges",
                        "namespaces/status",
                        "pods/log",
                        "pods/status",
                        "replicationcontrollers/status",
                        "resourcequotas",
                        "resourcequotas/status",
                    ],
                    READ,
                ),
                rule(&[""], &["namespaces"], READ),
                rule(&["discovery.k8s.io"], &["endpointslices"], READ),
                rule(
                    &["apps"],
                    &[
                        "controllerrevisions",
                        "daemonsets",
                        "daemonsets/status",
                        "deployments",
                        "deployments/scale",
                        "deployments/status",
                        "replicasets",
                        "replicasets/scale",
                        "replicasets/status",
                        "statefulsets",
                        "statefulsets/scale",
                        "statefulsets/status",
                    ],
                    READ,
                ),
                rule(&["autoscaling"], &["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
                rule(&["batch"], &["cronjobs", "cronjobs/status", "jobs", "jobs/status"], READ),
                rule(
                    &["extensions"],
                    &[
                        "daemonsets",
                        "daemonsets/status",
                        "deployments",
                        "deployments/scale",
                        "deployments/status",
                        "ingresses",
                        "ingresses/status",
                        "networkpolicies",
                        "replicasets",
                        "replicasets/scale",
                        "replicasets/status",
                        "replicationcontrollers/scale",
                    ],
                    READ,
                ),
                rule(&["policy"], &["poddisruptionbudgets", "poddisruptionbudgets/status"], READ),
                rule(&["networking.k8s.io"], &["ingresses", "ingresses/status", "networkpolicies"], READ),
            ],
        ),
        (
            "system:auth-delegator",
            vec![],
            None,
            vec![
                rule(&["authentication.k8s.io"], &["tokenreviews"], &["create"]),
                rule(&["authorization.k8s.io"], &["subjectaccessreviews"], &["create"]),
            ],
        ),
        (
            "system:basic-user",
            vec![],
            None,
            vec![
                rule(&["authorization.k8s.io"], &["selfsubjectaccessreviews", "selfsubjectrulesreviews"], &["create"]),
                rule(&["authentication.k8s.io"], &["selfsubjectreviews"], &["create"]),
            ],
        ),
        (
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            vec![],
            None,
            vec![rule(&["certificates.k8s.io"], &["certificatesigningrequests/nodeclient"], &["create"])],
        ),
        (
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            vec![],
            None,
            vec![rule(&["certificates.k8s.io"], &["certificatesigningrequests/selfnodeclient"], &["create"])],
        ),
        (
            "system:certificates.k8s.io:kube-apiserver-client-approver",
            vec![],
            None,
            vec![named_rule(
                &["certificates.k8s.io"],
                &["signers"],
                &["kubernetes.io/kube-apiserver-client"],
                &["approve"],
            )],
        ),
        (
            "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
            vec![],
            None,
            vec![named_rule(
                &["certificates.k8s.io"],
                &["signers"],
                &["kubernetes.io/kube-apiserver-client-kubelet"],
                &["approve"],
            )],
        ),
        (
            "system:certificates.k8s.io:kubelet-serving-approver",
            vec![],
            None,
            vec![named_rule(&["certificates.k8s.io"], &["signers"], &["kubernetes.io/kubelet-serving"], &["approve"])],
        ),
        (
            "system:certificates.k8s.io:legacy-unknown-approver",
            vec![],
            None,
            vec![named_rule(&["certificates.k8s.io"], &["signers"], &["kubernetes.io/legacy-unknown"], &["approve"])],
        ),
        (
            "system:discovery",
            vec![],
            None,
            vec![url_rule(
                &[
                    "/api",
                    "/api/*",
                    "/apis",
                    "/apis/*",
                    "/healthz",
                    "/livez",
                    "/openapi",
                    "/openapi/*",
                    "/readyz",
                    "/version",
                    "/version/",
                ],
                &["get"],
            )],
        ),
        (
            "system:heapster",
            vec![],
            None,
            vec![
                rule(&[""], &["events", "namespaces", "nodes", "pods"], READ),
                rule(&["extensions"], &["deployments"], READ),
            ],
        ),
        ("system:kube-aggregator", vec![], None, vec![rule(&[""], &["endpoints", "services"], READ)]),
        ("system:kube-dns", vec![], None, vec![rule(&[""], &["endpoints", "services"], &["list", "watch"])]),
        (
            "system:kubelet-api-admin",
            vec![],
            None,
            vec![
                rule(&[""], &["nodes"], READ),
                rule(&[""], &["nodes"], &["proxy"]),
                rule(&[""], &["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"], &["*"]),
            ],
        ),
        (
            "system:monitoring",
            vec![],
            None,
            vec![url_rule(
                &["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"],
                &["get"],
            )],
        ),
        (
            "system:node-bootstrapper",
            vec![],
            None,
            vec![rule(&["certificates.k8s.io"], &["certificatesigningrequests"], &["create", "get", "list", "watch"])],
        ),
        (
            "system:node-problem-detector",
            vec![],
            None,
            vec![
                rule(&[""], &["nodes"], &["get"]),
                rule(&[""], &["nodes/status"], &["patch"]),
                rule(&["", "events.k8s.io"], &["events"], &["create", "patch", "update"]),
            ],
        ),
        (
            "system:node-proxier",
            vec![],
            None,
            vec![
                rule(&[""], &["endpoints", "services"], &["list", "watch"]),
                rule(&[""], &["nodes"], READ),
                rule(&["", "events.k8s.io"], &["events"], &["create", "patch", "update"]),
                rule(&["discovery.k8s.io"], &["endpointslices"], &["list", "watch"]),
            ],
        ),
        (
            "system:persistent-volume-provisioner",
            vec![],
            None,
            vec![
                rule(&[""], &["persistentvolumes"], &["create", "delete", "get", "list", "watch"]),
                rule(&[""], &["persistentvolumeclaims"], &["get", "list", "update", "watch"]),
                rule(&["storage.k8s.io"], &["storageclasses"], READ),
                rule(&[""], &["events"], &["watch"]),
                rule(&["", "events.k8s.io"], &["events"], &["create", "patch", "update"]),
            ],
        ),
        (
            "system:public-info-viewer",
            vec![],
            None,
            vec![url_rule(&["/healthz", "/livez", "/readyz", "/version", "/version/"], &["get"])],
        ),
        (
            "system:service-account-issuer-discovery",
            vec![],
            None,
            vec![url_rule(&["/.well-known/openid-configuration", "/openid/v1/jwks"], &["get"])],
        ),
        (
            "system:volume-scheduler",
            vec![],
            None,
            vec![
                rule(&[""], &["persistentvolumes"], &["get", "list", "patch", "update", "watch"]),
                rule(&["storage.k8s.io"], &["storageclasses"], READ),
                rule(&[""], &["persistentvolumeclaims"], &["get", "list", "patch", "update", "watch"]),
            ],
        ),
        ("view", vec![agg_edit], Some("rbac.authorization.k8s.io/aggregate-to-view"), vec![]),
        // kubeadm's own: lets joining nodes read nodes with a bootstrap token.
        ("kubeadm:get-nodes", vec![], None, vec![rule(&[""], &["nodes"], &["get"])]),
        // metrics-server's manifest (components.yaml): `kubectl top` for whoever may view.
        (
            METRICS_READER,
            vec![("k8s-app", "metrics-server"), agg_admin, agg_edit, agg_view],
            None,
            vec![rule(&["metrics.k8s.io"], &["pods", "nodes"], READ)],
        ),
    ]
}

/// metrics-server's aggregated ClusterRole (installed with it, not by the RBAC bootstrap).
const METRICS_READER: &str = "system:aggregated-metrics-reader";

/// Bootstrap ClusterRoleBindings: (name, role, subjects as (kind, name, namespace)).
fn bootstrap_bindings() -> Vec<BootstrapBinding> {
    vec![
        ("cluster-admin", "cluster-admin", vec![("Group", "system:masters", "")]),
        // kubeadm ≥ 1.29 puts admin.conf's kubernetes-admin in this group, not system:masters.
        ("kubeadm:cluster-admins", "cluster-admin", vec![("Group", "kubeadm:cluster-admins", "")]),
        (
            "kubeadm:get-nodes",
            "kubeadm:get-nodes",
            vec![("Group", "system:bootstrappers:kubeadm:default-node-token", "")],
        ),
        (
            "kubeadm:kubelet-bootstrap",
            "system:node-bootstrapper",
            vec![("Group", "system:bootstrappers:kubeadm:default-node-token", "")],
        ),
        (
            "kubeadm:node-autoapprove-bootstrap",
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            vec![("Group", "system:bootstrappers:kubeadm:default-node-token", "")],
        ),
        (
            "kubeadm:node-autoapprove-certificate-rotation",
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            vec![("Group", "system:nodes", "")],
        ),
        ("kubeadm:node-proxier", "system:node-proxier", vec![("ServiceAccount", "kube-proxy", "kube-system")]),
        ("system:basic-user", "system:basic-user", vec![("Group", "system:authenticated", "")]),
        ("system:discovery", "system:discovery", vec![("Group", "system:authenticated", "")]),
        ("system:kube-dns", "system:kube-dns", vec![("ServiceAccount", "kube-dns", "kube-system")]),
        ("system:monitoring", "system:monitoring", vec![("Group", "system:monitoring", "")]),
        ("system:node-proxier", "system:node-proxier", vec![("User", "system:kube-proxy", "")]),
        (
            "system:public-info-viewer",
            "system:public-info-viewer",
            vec![("Group", "system:authenticated", ""), ("Group", "system:unauthenticated", "")],
        ),
        (
            "system:service-account-issuer-discovery",
            "system:service-account-issuer-discovery",
            vec![("Group", "system:serviceaccounts", "")],
        ),
        ("system:volume-scheduler", "system:volume-scheduler", vec![("User", "system:kube-scheduler", "")]),
    ]
}

/// Writes the bootstrap policy, as kube-apiserver's RBAC post-start hook and `kubeadm init`
/// do before anyone can connect. The objects are written without advancing the store's
/// resourceVersion or drawing on `World::rng` (their uids come from a stream derived from the
/// seed), so that adding policy here does not renumber everything a scenario creates later.
pub fn bootstrap(w: &mut World) {
    use k8s_openapi::api::rbac::v1::{AggregationRule, ClusterRoleBinding, RoleRef};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
    use rand::{Rng, SeedableRng};

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(w.seed ^ 0x5242_4143_0000_0001);
    let mut uid = move || {
        let b: [u8; 16] = rng.gen();
        format!(
            "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-4{:01x}{:02x}-{:01x}{:01x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5], b[6] & 0x0f, b[7], 8 | (b[8] & 0x3), b[8] >> 4, b[9],
            b[10], b[11], b[12], b[13], b[14], b[15]
        )
    };
    let created = crate::sim::cluster::install_time(w);
    let meta = |name: &str, labels: BTreeMap<String, String>, uid: String, kubeadm: bool| {
        let mut l: BTreeMap<String, String> = BTreeMap::new();
        let mut annotations = BTreeMap::new();
        if !kubeadm {
            l.insert("kubernetes.io/bootstrapping".into(), "rbac-defaults".into());
            annotations.insert("rbac.authorization.kubernetes.io/autoupdate".into(), "true".into());
        }
        l.extend(labels);
        ObjectMeta {
            name: Some(name.into()),
            uid: Some(uid),
            creation_timestamp: Some(created.clone()),
            labels: if l.is_empty() { None } else { Some(l) },
            annotations: if annotations.is_empty() { None } else { Some(annotations) },
            ..Default::default()
        }
    };
    let mut roles: Vec<ClusterRole> = Vec::new();
    for (name, labels, aggregate_label, rules) in bootstrap_cluster_roles() {
        let labels: BTreeMap<String, String> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let kubeadm = name.starts_with("kubeadm:") || name == METRICS_READER;
        roles.push(ClusterRole {
            metadata: meta(name, labels, uid(), kubeadm),
            aggregation_rule: aggregate_label.map(|l| AggregationRule {
                cluster_role_selectors: Some(vec![LabelSelector {
                    match_labels: Some([(l.to_string(), "true".to_string())].into()),
                    ..Default::default()
                }]),
            }),
            rules: if aggregate_label.is_some() { None } else { Some(rules) },
        });
    }
    // Aggregate until nothing changes (admin aggregates edit, which aggregates view).
    for _ in 0..4 {
        let snapshot = roles.clone();
        let all: Vec<&ClusterRole> = snapshot.iter().collect();
        for r in roles.iter_mut() {
            if let Some(rules) = aggregated_rules(r, &all) {
                r.rules = Some(rules);
            }
        }
    }
    for r in roles {
        w.store.insert_bootstrap(Object::ClusterRole(Box::new(r)));
    }
    for (name, role, subjects) in bootstrap_bindings() {
        let kubeadm = name.starts_with("kubeadm:");
        let b = ClusterRoleBinding {
            metadata: meta(name, BTreeMap::new(), uid(), kubeadm),
            role_ref: RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: "ClusterRole".into(),
                name: role.into(),
            },
            subjects: Some(
                subjects
                    .iter()
                    .map(|(kind, n, ns)| Subject {
                        api_group: (*kind != "ServiceAccount").then(|| "rbac.authorization.k8s.io".to_string()),
                        kind: kind.to_string(),
                        name: n.to_string(),
                        namespace: (!ns.is_empty()).then(|| ns.to_string()),
                    })
                    .collect(),
            ),
        };
        w.store.insert_bootstrap(Object::ClusterRoleBinding(Box::new(b)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::rbac::v1::{Role, RoleBinding, RoleRef};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn attrs(verb: &str, group: &str, resource: &str, sub: &str, ns: &str, name: &str) -> Attributes {
        Attributes {
            verb: verb.into(),
            api_group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            namespace: ns.into(),
            name: name.into(),
            path: None,
        }
    }

    #[test]
    fn rules_match_verbs_groups_resources_and_names() {
        let r = rule(&[""], &["pods"], &["get", "list"]);
        assert!(rule_allows(&r, &attrs("get", "", "pods", "", "default", "web")));
        assert!(!rule_allows(&r, &attrs("delete", "", "pods", "", "default", "web")));
        assert!(!rule_allows(&r, &attrs("get", "apps", "pods", "", "default", "web")));
        // `pods` does not cover a subresource; `pods/log` must be listed.
        assert!(!rule_allows(&r, &attrs("get", "", "pods", "log", "default", "web")));
        let logs = rule(&[""], &["pods/log"], &["get"]);
        assert!(rule_allows(&logs, &attrs("get", "", "pods", "log", "default", "web")));
        let any_scale = rule(&["apps"], &["*/scale"], &["update"]);
        assert!(rule_allows(&any_scale, &attrs("update", "apps", "deployments", "scale", "ns", "web")));
        assert!(!rule_allows(&any_scale, &attrs("update", "apps", "deployments", "", "ns", "web")));
        let star = rule(&["*"], &["*"], &["*"]);
        assert!(rule_allows(&star, &attrs("escalate", "rbac.authorization.k8s.io", "roles", "", "", "")));
        let named = named_rule(&[""], &["configmaps"], &["app-config"], &["get", "update"]);
        assert!(rule_allows(&named, &attrs("get", "", "configmaps", "", "default", "app-config")));
        assert!(!rule_allows(&named, &attrs("get", "", "configmaps", "", "default", "other")));
        // A list has no name, so a rule restricted to names never allows it.
        assert!(!rule_allows(&named, &attrs("list", "", "configmaps", "", "default", "")));
    }

    #[test]
    fn non_resource_urls_match_exactly_or_by_prefix() {
        let r = url_rule(&["/healthz", "/api/*"], &["get"]);
        let path = |p: &str| Attributes { verb: "get".into(), path: Some(p.into()), ..Default::default() };
        assert!(rule_allows(&r, &path("/healthz")));
        assert!(rule_allows(&r, &path("/api/v1")));
        assert!(!rule_allows(&r, &path("/healthz/etcd")));
        assert!(!rule_allows(&rule(&["*"], &["*"], &["*"]), &path("/healthz")));
    }

    #[test]
    fn service_account_identity() {
        let u = UserInfo::impersonated("system:serviceaccount:dev:bot", &[]);
        assert_eq!(u.groups, ["system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated"]);
        assert_eq!(service_account_of("system:serviceaccount:dev:bot"), Some(("dev", "bot")));
        assert_eq!(service_account_of("jane"), None);
        let g = UserInfo::impersonated("jane", &["devs".to_string()]);
        assert_eq!(g.groups, ["devs", "system:authenticated"]);
    }

    fn world_with(objs: Vec<Object>) -> World {
        let mut w = World::new(1);
        for o in objs {
            w.store.create(o).unwrap();
        }
        w
    }

    fn meta(ns: &str, name: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            namespace: (!ns.is_empty()).then(|| ns.to_string()),
            ..Default::default()
        }
    }

    fn binding(ns: &str, name: &str, kind: &str, role: &str, subjects: Vec<Subject>) -> Object {
        Object::RoleBinding(Box::new(RoleBinding {
            metadata: meta(ns, name),
            role_ref: RoleRef { api_group: "rbac.authorization.k8s.io".into(), kind: kind.into(), name: role.into() },
            subjects: Some(subjects),
        }))
    }

    fn subject(kind: &str, name: &str, ns: Option<&str>) -> Subject {
        Subject { kind: kind.into(), name: name.into(), namespace: ns.map(str::to_string), api_group: None }
    }

    #[test]
    fn bindings_grant_in_their_namespace_only() {
        let role = Object::Role(Box::new(Role {
            metadata: meta("dev", "reader"),
            rules: Some(vec![rule(&[""], &["pods"], READ)]),
        }));
        let w = world_with(vec![
            role,
            binding("dev", "jane-reads", "Role", "reader", vec![subject("User", "jane", None)]),
            binding("dev", "bot-views", "ClusterRole", "view", vec![subject("ServiceAccount", "bot", None)]),
        ]);
        let jane = UserInfo::impersonated("jane", &[]);
        assert!(w.authorize(&jane, &attrs("list", "", "pods", "", "dev", "")).allowed());
        assert!(!w.authorize(&jane, &attrs("list", "", "pods", "", "default", "")).allowed());
        assert!(!w.authorize(&jane, &attrs("delete", "", "pods", "", "dev", "web")).allowed());
        // The service account subject takes the binding's namespace; view aggregates
        // system:aggregate-to-view, which includes deployments and pods/log but not secrets.
        let bot = UserInfo::impersonated("system:serviceaccount:dev:bot", &[]);
        assert!(w.authorize(&bot, &attrs("get", "apps", "deployments", "", "dev", "web")).allowed());
        assert!(w.authorize(&bot, &attrs("get", "", "pods", "log", "dev", "web")).allowed());
        assert!(!w.authorize(&bot, &attrs("get", "", "secrets", "", "dev", "s")).allowed());
        let other = UserInfo::impersonated("system:serviceaccount:prod:bot", &[]);
        assert!(!w.authorize(&other, &attrs("get", "apps", "deployments", "", "dev", "web")).allowed());
    }

    #[test]
    fn the_admin_and_default_groups() {
        let w = World::new(1);
        let admin = UserInfo {
            name: "kubernetes-admin".into(),
            groups: vec!["kubeadm:cluster-admins".into(), AUTHENTICATED.into()],
        };
        assert!(w.authorize(&admin, &attrs("delete", "", "nodes", "", "", "node01")).allowed());
        let jane = UserInfo::impersonated("jane", &[]);
        assert!(!w.authorize(&jane, &attrs("list", "", "pods", "", "default", "")).allowed());
        assert!(w
            .authorize(&jane, &attrs("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", ""))
            .allowed());
        let healthz = Attributes { verb: "get".into(), path: Some("/healthz".into()), ..Default::default() };
        assert!(w.authorize(&jane, &healthz).allowed());
        let masters = UserInfo { name: "root".into(), groups: vec![MASTERS.into()] };
        assert!(World::bare(1).authorize(&masters, &attrs("delete", "", "nodes", "", "", "x")).allowed());
    }

    #[test]
    fn missing_roles_are_reported() {
        let w = world_with(vec![binding("dev", "b", "Role", "ghost", vec![subject("User", "jane", None)])]);
        let jane = UserInfo::impersonated("jane", &[]);
        assert_eq!(
            w.authorize(&jane, &attrs("get", "", "pods", "", "dev", "x")),
            Decision::Deny("RBAC: role.rbac.authorization.k8s.io \"ghost\" not found".into())
        );
    }

    #[test]
    fn forbidden_texts() {
        let jane = UserInfo::impersonated("jane", &[]);
        let e = forbidden(&jane, &attrs("list", "", "pods", "", "default", ""), "");
        assert_eq!(
            e.kubectl_text(),
            r#"Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default""#
        );
        let e = forbidden(&jane, &attrs("get", "", "pods", "log", "default", "web"), "");
        assert_eq!(
            e.kubectl_text(),
            r#"Error from server (Forbidden): pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default""#
        );
        let e = forbidden(&jane, &attrs("list", "", "nodes", "", "", ""), "");
        assert_eq!(
            e.kubectl_text(),
            r#"Error from server (Forbidden): nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope"#
        );
        let e = forbidden(&jane, &attrs("create", "apps", "deployments", "", "dev", ""), "");
        assert!(e.message.starts_with("deployments.apps is forbidden: "));
    }

    #[test]
    fn aggregation_follows_labels() {
        let w = World::new(1);
        let view = w.store.get(Kind::ClusterRole, "", "view").unwrap();
        let admin = w.store.get(Kind::ClusterRole, "", "admin").unwrap();
        let rules = |o: &Object| match o {
            Object::ClusterRole(r) => r.rules.clone().unwrap_or_default(),
            _ => vec![],
        };
        // admin ⊇ edit ⊇ view.
        for r in rules(view) {
            assert!(rules(admin).contains(&r));
        }
        assert!(rules(admin).iter().any(|r| r.resources.as_deref().unwrap_or_default().contains(&"roles".to_string())));
    }
}
