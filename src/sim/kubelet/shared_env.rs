//! A started container's environment, shared between the containers started with the same
//! one. With service links on (the default), every container gets a handful of variables for
//! each Service of its namespace: at scale that is hundreds of variables per container, the
//! same for all the pods of a template but for `HOSTNAME`. Keeping one copy per distinct
//! environment (with the pod's own `HOSTNAME` beside it) keeps memory in proportion to the
//! number of templates rather than of pods. Sharing never changes a value or an order: an
//! [`Env`] reads exactly as the list it was made from.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::sim::indexed::LookupMap;

use k8s_openapi::api::core::v1::{Container, VolumeMount};

use super::env::Parts;

/// The variable kept beside the shared list: it names the pod.
const OWN: &str = "HOSTNAME";

/// The shared part: the variables in order, and their positions sorted by name for lookups.
#[derive(Debug, Default)]
struct Vars {
    list: Vec<(String, String)>,
    by_name: Vec<u32>,
}

impl Vars {
    fn new(list: Vec<(String, String)>) -> Vars {
        let mut by_name: Vec<u32> = (0..list.len() as u32).collect();
        // Stable: with a name set twice, the later setting comes last and wins in `find`.
        by_name.sort_by(|a, b| list[*a as usize].0.cmp(&list[*b as usize].0));
        Vars { list, by_name }
    }

    /// The position of the last setting of `name`.
    fn find(&self, name: &str) -> Option<usize> {
        let end = self.by_name.partition_point(|i| self.list[*i as usize].0.as_str() <= name);
        let i = *self.by_name[..end].last()? as usize;
        (self.list[i].0 == name).then_some(i)
    }
}

/// An environment: name → value, in the order the variables were set.
#[derive(Clone, Debug, Default)]
pub struct Env {
    shared: Arc<Vars>,
    /// `HOSTNAME`'s position and value (its value in `shared` is left empty).
    own: Option<(usize, String)>,
}

impl PartialEq for Env {
    fn eq(&self, other: &Env) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Env {
    /// An environment of these variables, unshared (names set twice: the last wins).
    pub fn new(list: Vec<(String, String)>) -> Env {
        Env { shared: Arc::new(Vars::new(list)), own: None }
    }

    /// The variables in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.shared.list.iter().enumerate().map(move |(i, (k, v))| match &self.own {
            Some((at, own)) if *at == i => (k.as_str(), own.as_str()),
            _ => (k.as_str(), v.as_str()),
        })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        let i = self.shared.find(name)?;
        Some(match &self.own {
            Some((at, own)) if *at == i => own.as_str(),
            _ => self.shared.list[i].1.as_str(),
        })
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.shared.find(name).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.shared.list.is_empty()
    }

    /// The variables as pairs, in order.
    pub fn to_vec(&self) -> Vec<(String, String)> {
        self.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// The variables as a map (a process's environment).
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// This environment with `defaults` added for the names it lacks (a program's environment:
    /// its image's, overridden by the container's).
    pub fn with_defaults(&self, defaults: &BTreeMap<String, String>) -> Env {
        if defaults.keys().all(|k| self.contains_key(k)) {
            return self.clone();
        }
        let mut list: Vec<(String, String)> =
            defaults.iter().filter(|(k, _)| !self.contains_key(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        list.extend(self.to_vec());
        Env::new(list)
    }
}

/// The distinct environments in use, so that containers started alike share one.
///
/// Looked up by what the environment is made of ([`Parts`]) rather than by its content: the
/// namespace's service links are compared by identity (the links cache hands out one list
/// until a Service of the namespace changes), so starting a container costs in proportion to
/// its own variables, not to the number of Services.
#[derive(Clone, Debug, Default)]
pub struct EnvCache {
    /// Only looked up (and pruned): hashed, as a search of a sorted map compared the lists'
    /// strings at every step.
    lists: LookupMap<PartsKey, Made>,
    /// Size at which unused lists are next dropped.
    prune_at: usize,
}

/// An environment's parts with the pod's `HOSTNAME` left out.
#[derive(Clone, Debug)]
struct PartsKey(Parts);

impl PartsKey {
    fn links_at(&self) -> usize {
        self.0.links.as_ref().map_or(0, |l| Arc::as_ptr(l) as usize)
    }
}

impl PartialEq for PartsKey {
    /// By identity of the links: the lists of one namespace's Services are one shared list.
    fn eq(&self, other: &PartsKey) -> bool {
        self.links_at() == other.links_at() && self.0.pre == other.0.pre && self.0.post == other.0.post
    }
}
impl Eq for PartsKey {}
impl std::hash::Hash for PartsKey {
    /// The links by identity, as compared. (The address only finds an entry in a table that is
    /// never read in order, so that it differs from run to run changes nothing.)
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.pre.hash(h);
        self.links_at().hash(h);
        self.0.post.hash(h);
    }
}

/// A merged list and where the pod's own `HOSTNAME` goes in it (None when `env` set it).
#[derive(Clone, Debug)]
struct Made {
    vars: Arc<Vars>,
    own: Option<usize>,
}

/// Lists kept before the first pruning.
const PRUNE_MIN: usize = 256;

impl EnvCache {
    /// The environment made of these parts, sharing its list with the containers whose
    /// parts are the same but for `HOSTNAME`.
    pub fn env(&mut self, mut parts: Parts) -> Env {
        let at = parts.pre.iter().rposition(|(k, _)| k == OWN);
        let host = at.map(|i| std::mem::take(&mut parts.pre[i].1)).unwrap_or_default();
        let key = PartsKey(parts);
        if let Some(made) = self.lists.get(&key) {
            return Env { shared: made.vars.clone(), own: made.own.map(|i| (i, host)) };
        }
        let mut full = key.0.clone();
        if let Some(i) = at {
            full.pre[i].1 = host.clone();
        }
        let mut list = full.merged();
        // The pod's own HOSTNAME, unless `env` or `envFrom` set one for every pod.
        let set_after = full.post.iter().any(|(k, _)| k == OWN);
        let own = if set_after { None } else { list.iter().position(|(k, _)| k == OWN) };
        let own = own.map(|i| (i, std::mem::take(&mut list[i].1)));
        let vars = Arc::new(Vars::new(list));
        self.prune();
        self.lists.insert(key, Made { vars: vars.clone(), own: own.as_ref().map(|(i, _)| *i) });
        Env { shared: vars, own }
    }

    /// Forgets the lists no container uses any more, when the cache has grown.
    fn prune(&mut self) {
        if self.lists.len() < self.prune_at.max(PRUNE_MIN) {
            return;
        }
        self.lists.retain(|_, m| Arc::strong_count(&m.vars) > 1);
        self.prune_at = self.lists.len() * 2;
    }
}

/// The distinct container specs of the pods on the kubelets, so that the containers of the
/// pods of one template share one copy of their spec (a k8s `Container` takes a few KB with
/// its strings) instead of each holding its own. The volume mounts are left out of the shared
/// copy and kept per container: they differ from pod to pod (the ServiceAccount admission
/// names each pod's token volume `kube-api-access-<random>`).
#[derive(Clone, Debug, Default)]
pub struct SpecCache {
    /// (container name, image) → the most recent distinct specs with them (compared in full).
    specs: BTreeMap<(String, String), Vec<Arc<Container>>>,
    len: usize,
    /// Size at which unused specs are next dropped.
    prune_at: usize,
}

/// Specs compared per (name, image) before a new copy is made: sharing is only an economy,
/// and a bounded search keeps a pod's start cheap however many variants exist.
const SPECS_SEARCHED: usize = 8;

/// Whether two container specs are equal but for their volume mounts. Every field is named,
/// so that a field added to `Container` cannot be forgotten here.
fn equal_but_mounts(a: &Container, b: &Container) -> bool {
    let Container {
        args,
        command,
        env,
        env_from,
        image,
        image_pull_policy,
        lifecycle,
        liveness_probe,
        name,
        ports,
        readiness_probe,
        resize_policy,
        resources,
        restart_policy,
        security_context,
        startup_probe,
        stdin,
        stdin_once,
        termination_message_path,
        termination_message_policy,
        tty,
        volume_devices,
        volume_mounts: _,
        working_dir,
    } = a;
    *name == b.name
        && *image == b.image
        && *args == b.args
        && *command == b.command
        && *env == b.env
        && *env_from == b.env_from
        && *image_pull_policy == b.image_pull_policy
        && *lifecycle == b.lifecycle
        && *liveness_probe == b.liveness_probe
        && *ports == b.ports
        && *readiness_probe == b.readiness_probe
        && *resize_policy == b.resize_policy
        && *resources == b.resources
        && *restart_policy == b.restart_policy
        && *security_context == b.security_context
        && *startup_probe == b.startup_probe
        && *stdin == b.stdin
        && *stdin_once == b.stdin_once
        && *termination_message_path == b.termination_message_path
        && *termination_message_policy == b.termination_message_policy
        && *tty == b.tty
        && *volume_devices == b.volume_devices
        && *working_dir == b.working_dir
}

impl SpecCache {
    /// The spec without its volume mounts, shared with equal ones, and the volume mounts.
    /// Only a spec not seen yet is copied.
    pub fn share(&mut self, spec: &Container) -> (Arc<Container>, Option<Vec<VolumeMount>>) {
        let mounts = spec.volume_mounts.clone();
        let key = (spec.name.clone(), spec.image.clone().unwrap_or_default());
        if let Some(found) =
            self.specs.get(&key).and_then(|v| v.iter().rev().take(SPECS_SEARCHED).find(|s| equal_but_mounts(s, spec)))
        {
            return (found.clone(), mounts);
        }
        self.prune();
        let shared = Arc::new(Container { volume_mounts: None, ..spec.clone() });
        self.specs.entry(key).or_default().push(shared.clone());
        self.len += 1;
        (shared, mounts)
    }

    /// Forgets the specs no container uses any more, when the cache has grown.
    fn prune(&mut self) {
        if self.len < self.prune_at.max(PRUNE_MIN) {
            return;
        }
        for v in self.specs.values_mut() {
            v.retain(|s| Arc::strong_count(s) > 1);
        }
        self.specs.retain(|_, v| !v.is_empty());
        self.len = self.specs.values().map(Vec::len).sum();
        self.prune_at = self.len * 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    fn parts(
        pre: Vec<(String, String)>,
        links: Option<&Arc<Vec<(String, String)>>>,
        post: Vec<(String, String)>,
    ) -> Parts {
        Parts { pre, links: links.cloned(), post }
    }

    #[test]
    fn reads_as_the_list_it_was_made_from() {
        let mut cache = EnvCache::default();
        let links = Arc::new(vec![kv("WEB_SERVICE_HOST", "10.96.0.9")]);
        let a = cache.env(parts(vec![kv("PATH", "/bin"), kv("HOSTNAME", "web-1")], Some(&links), vec![]));
        let b = cache.env(parts(vec![kv("PATH", "/bin"), kv("HOSTNAME", "web-2")], Some(&links), vec![]));
        assert!(Arc::ptr_eq(&a.shared, &b.shared), "one list for both");
        assert_eq!(a.to_vec(), vec![kv("PATH", "/bin"), kv("HOSTNAME", "web-1"), kv("WEB_SERVICE_HOST", "10.96.0.9")]);
        assert_eq!(b.get("HOSTNAME"), Some("web-2"));
        assert_eq!(b.get("PATH"), Some("/bin"));
        assert_eq!(b.get("NOPE"), None);
        assert_ne!(a, b);
        let c = cache.env(parts(vec![kv("PATH", "/usr/bin"), kv("HOSTNAME", "web-1")], None, vec![]));
        assert!(!Arc::ptr_eq(&a.shared, &c.shared));
        // Links with the same content but made anew (a Service changed): a list of its own.
        let relinked = Arc::new((*links).clone());
        let d = cache.env(parts(vec![kv("PATH", "/bin"), kv("HOSTNAME", "web-3")], Some(&relinked), vec![]));
        assert!(!Arc::ptr_eq(&a.shared, &d.shared));
        assert_eq!(d.to_vec(), vec![kv("PATH", "/bin"), kv("HOSTNAME", "web-3"), kv("WEB_SERVICE_HOST", "10.96.0.9")]);
    }

    #[test]
    fn a_later_setting_moves_to_the_end_and_wins() {
        let mut cache = EnvCache::default();
        let links = Arc::new(vec![kv("DB_SERVICE_HOST", "10.96.0.7"), kv("DB_PORT", "tcp://10.96.0.7:5432")]);
        let make = |cache: &mut EnvCache, host: &str| {
            cache.env(parts(
                vec![kv("PATH", "/bin"), kv("HOSTNAME", host)],
                Some(&links),
                vec![kv("DB_SERVICE_HOST", "db"), kv("HOSTNAME", "fixed"), kv("PATH", "/sbin")],
            ))
        };
        let a = make(&mut cache, "web-1");
        let b = make(&mut cache, "web-2");
        let want = vec![
            kv("DB_PORT", "tcp://10.96.0.7:5432"),
            kv("DB_SERVICE_HOST", "db"),
            kv("HOSTNAME", "fixed"),
            kv("PATH", "/sbin"),
        ];
        assert_eq!(a.to_vec(), want);
        assert_eq!(b.to_vec(), want, "HOSTNAME set by env is the same in every pod");
    }

    #[test]
    fn image_defaults_fill_in_missing_names_only() {
        let env = Env::new(vec![kv("PORT", "9000"), kv("A", "1")]);
        let defaults: BTreeMap<String, String> = [kv("PORT", "8080"), kv("B", "2")].into_iter().collect();
        let merged = env.with_defaults(&defaults);
        assert_eq!(merged.get("PORT"), Some("9000"));
        assert_eq!(merged.get("B"), Some("2"));
        assert_eq!(merged.get("A"), Some("1"));
    }

    #[test]
    fn a_name_set_twice_reads_as_its_last_setting() {
        let env = Env::new(vec![kv("A", "1"), kv("A", "2")]);
        assert_eq!(env.get("A"), Some("2"));
    }

    #[test]
    fn equal_specs_are_shared() {
        let mut cache = SpecCache::default();
        let mount = |name: &str| VolumeMount { name: name.into(), mount_path: "/var/run".into(), ..Default::default() };
        let spec = |image: &str, token: &str| Container {
            name: "web".into(),
            image: Some(image.into()),
            volume_mounts: Some(vec![mount(token)]),
            ..Default::default()
        };
        let (a, a_mounts) = cache.share(&spec("nginx:1.27", "kube-api-access-abcde"));
        let (b, b_mounts) = cache.share(&spec("nginx:1.27", "kube-api-access-fghij"));
        let (c, _) = cache.share(&spec("nginx:1.26", "kube-api-access-abcde"));
        assert!(Arc::ptr_eq(&a, &b), "one spec for both pods");
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(a_mounts, Some(vec![mount("kube-api-access-abcde")]));
        assert_eq!(b_mounts, Some(vec![mount("kube-api-access-fghij")]));
        assert_eq!(*c, Container { volume_mounts: None, ..spec("nginx:1.26", "") });
    }

    #[test]
    fn specs_are_equal_but_for_their_mounts_exactly_when_they_are_without_them() {
        // Every field of a container set, then each one left out in turn.
        let full = serde_json::json!({
            "args": ["a"], "command": ["c"], "env": [{"name": "E", "value": "1"}],
            "envFrom": [{"configMapRef": {"name": "cm"}}], "image": "nginx:1.27",
            "imagePullPolicy": "Always", "lifecycle": {"preStop": {"exec": {"command": ["x"]}}},
            "livenessProbe": {"tcpSocket": {"port": 80}}, "name": "web",
            "ports": [{"containerPort": 80}], "readinessProbe": {"tcpSocket": {"port": 81}},
            "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
            "resources": {"limits": {"cpu": "1"}}, "restartPolicy": "Always",
            "securityContext": {"privileged": false}, "startupProbe": {"tcpSocket": {"port": 82}},
            "stdin": true, "stdinOnce": true, "terminationMessagePath": "/t",
            "terminationMessagePolicy": "File", "tty": true,
            "volumeDevices": [{"name": "d", "devicePath": "/dev/d"}],
            "volumeMounts": [{"name": "v", "mountPath": "/v"}], "workingDir": "/w"
        });
        let fields: Vec<String> = full.as_object().unwrap().keys().cloned().collect();
        assert_eq!(fields.len(), 24, "every field of Container");
        let mut specs: Vec<Container> = vec![serde_json::from_value(full.clone()).unwrap()];
        for f in &fields {
            let mut v = full.clone();
            v.as_object_mut().unwrap().remove(f);
            specs.push(serde_json::from_value(v).unwrap());
        }
        let without = |c: &Container| Container { volume_mounts: None, ..c.clone() };
        for a in &specs {
            for b in &specs {
                assert_eq!(equal_but_mounts(a, b), without(a) == without(b), "{a:?} against {b:?}");
            }
        }
    }

    #[test]
    fn unused_lists_are_dropped() {
        let mut cache = EnvCache::default();
        let kept = cache.env(parts(vec![kv("KEEP", "1")], None, vec![]));
        for i in 0..PRUNE_MIN * 3 {
            cache.env(parts(vec![kv("N", &i.to_string())], None, vec![]));
        }
        assert!(cache.lists.len() < PRUNE_MIN * 2);
        let again = cache.env(parts(vec![kv("KEEP", "1")], None, vec![]));
        assert!(Arc::ptr_eq(&kept.shared, &again.shared));
    }
}
