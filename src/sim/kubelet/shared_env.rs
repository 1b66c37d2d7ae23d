//! A started container's environment, shared between the containers started with the same
//! one. With service links on (the default), every container gets a handful of variables for
//! each Service of its namespace: at scale that is hundreds of variables per container, the
//! same for all the pods of a template but for `HOSTNAME`. Keeping one copy per distinct
//! environment (with the pod's own `HOSTNAME` beside it) keeps memory in proportion to the
//! number of templates rather than of pods. Sharing never changes a value or an order: an
//! [`Env`] reads exactly as the list it was made from.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Container, VolumeMount};

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

/// Orders and finds shared lists by their content, in the cache.
#[derive(Clone, Debug)]
struct Key(Arc<Vars>);

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.0.list == other.0.list
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Key) -> std::cmp::Ordering {
        self.0.list.cmp(&other.0.list)
    }
}
impl Borrow<[(String, String)]> for Key {
    fn borrow(&self) -> &[(String, String)] {
        &self.0.list
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
#[derive(Clone, Debug, Default)]
pub struct EnvCache {
    lists: BTreeSet<Key>,
    /// Size at which unused lists are next dropped.
    prune_at: usize,
}

/// Lists kept before the first pruning.
const PRUNE_MIN: usize = 256;

impl EnvCache {
    /// The environment of these variables (each name set once), sharing the list with the
    /// containers started with the same variables but for `HOSTNAME`.
    pub fn env(&mut self, mut list: Vec<(String, String)>) -> Env {
        let own = list.iter().position(|(k, _)| k == OWN).map(|i| (i, std::mem::take(&mut list[i].1)));
        if let Some(key) = self.lists.get(list.as_slice()) {
            return Env { shared: key.0.clone(), own };
        }
        let shared = Arc::new(Vars::new(list));
        self.prune();
        self.lists.insert(Key(shared.clone()));
        Env { shared, own }
    }

    /// Forgets the lists no container uses any more, when the cache has grown.
    fn prune(&mut self) {
        if self.lists.len() < self.prune_at.max(PRUNE_MIN) {
            return;
        }
        self.lists.retain(|k| Arc::strong_count(&k.0) > 1);
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

impl SpecCache {
    /// The spec without its volume mounts, shared with equal ones, and the volume mounts.
    pub fn share(&mut self, mut spec: Container) -> (Arc<Container>, Option<Vec<VolumeMount>>) {
        let mounts = spec.volume_mounts.take();
        let key = (spec.name.clone(), spec.image.clone().unwrap_or_default());
        if let Some(found) =
            self.specs.get(&key).and_then(|v| v.iter().rev().take(SPECS_SEARCHED).find(|s| ***s == spec))
        {
            return (found.clone(), mounts);
        }
        self.prune();
        let shared = Arc::new(spec);
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

    #[test]
    fn reads_as_the_list_it_was_made_from() {
        let mut cache = EnvCache::default();
        let a = cache.env(vec![kv("PATH", "/bin"), kv("HOSTNAME", "web-1"), kv("WEB_SERVICE_HOST", "10.96.0.9")]);
        let b = cache.env(vec![kv("PATH", "/bin"), kv("HOSTNAME", "web-2"), kv("WEB_SERVICE_HOST", "10.96.0.9")]);
        assert!(Arc::ptr_eq(&a.shared, &b.shared), "one list for both");
        assert_eq!(a.to_vec(), vec![kv("PATH", "/bin"), kv("HOSTNAME", "web-1"), kv("WEB_SERVICE_HOST", "10.96.0.9")]);
        assert_eq!(b.get("HOSTNAME"), Some("web-2"));
        assert_eq!(b.get("PATH"), Some("/bin"));
        assert_eq!(b.get("NOPE"), None);
        assert_ne!(a, b);
        let c = cache.env(vec![kv("PATH", "/usr/bin"), kv("HOSTNAME", "web-1")]);
        assert!(!Arc::ptr_eq(&a.shared, &c.shared));
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
        let (a, a_mounts) = cache.share(spec("nginx:1.27", "kube-api-access-abcde"));
        let (b, b_mounts) = cache.share(spec("nginx:1.27", "kube-api-access-fghij"));
        let (c, _) = cache.share(spec("nginx:1.26", "kube-api-access-abcde"));
        assert!(Arc::ptr_eq(&a, &b), "one spec for both pods");
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(a_mounts, Some(vec![mount("kube-api-access-abcde")]));
        assert_eq!(b_mounts, Some(vec![mount("kube-api-access-fghij")]));
        assert_eq!(*c, Container { volume_mounts: None, ..spec("nginx:1.26", "") });
    }

    #[test]
    fn unused_lists_are_dropped() {
        let mut cache = EnvCache::default();
        let kept = cache.env(vec![kv("KEEP", "1")]);
        for i in 0..PRUNE_MIN * 3 {
            cache.env(vec![kv("N", &i.to_string())]);
        }
        assert!(cache.lists.len() < PRUNE_MIN * 2);
        let again = cache.env(vec![kv("KEEP", "1")]);
        assert!(Arc::ptr_eq(&kept.shared, &again.shared));
    }
}
