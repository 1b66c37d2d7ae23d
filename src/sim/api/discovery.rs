//! API discovery: which resource names, short names and groups the simulated API server
//! serves, so that clients resolve `po`, `pods`, `pod`, `deploy`, `deployments.apps`,
//! `deployment.v1.apps` exactly as kubectl's RESTMapper does.

use crate::sim::object::Kind;

/// One served resource (a row of `kubectl api-resources`).
#[derive(Clone, Debug)]
pub struct Resource {
    pub kind: Kind,
    pub plural: &'static str,
    pub short_names: &'static [&'static str],
    pub group: &'static str,
    pub version: &'static str,
    pub namespaced: bool,
}

/// Every served resource, in `kubectl api-resources` order (core group first, then by group).
pub fn resources() -> Vec<Resource> {
    let mut v: Vec<Resource> = Kind::ALL
        .iter()
        .map(|k| Resource {
            kind: *k,
            plural: k.plural(),
            short_names: k.short_names(),
            group: k.group(),
            version: k.version(),
            namespaced: k.namespaced(),
        })
        .collect();
    v.sort_by_key(|r| (r.group, r.plural));
    v
}

/// Resolves a resource argument as typed by a user (`po`, `Pods`, `deploy`,
/// `deployments.apps`, `deployment.v1.apps`, `Pod`) to a kind.
pub fn resolve(arg: &str) -> Option<Kind> {
    let lower = arg.to_ascii_lowercase();
    let (name, group_part) = match lower.split_once('.') {
        Some((n, g)) => (n.to_string(), Some(g.to_string())),
        None => (lower.clone(), None),
    };
    let matches_group = |k: Kind| match &group_part {
        None => true,
        Some(g) => {
            // `deployments.apps` or `deployment.v1.apps`
            let g = g.as_str();
            g == k.group()
                || g == format!("{}.{}", k.version(), k.group())
                || (k.group().is_empty() && (g == k.version()))
        }
    };
    // Exact plural, singular or kind name first, then short names — as the RESTMapper does.
    let by_name = Kind::ALL.iter().copied().find(|k| matches_group(*k) && (k.plural() == name || k.singular() == name));
    if by_name.is_some() {
        return by_name;
    }
    if group_part.is_none() {
        return Kind::ALL.iter().copied().find(|k| k.short_names().contains(&name.as_str()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_kubectl() {
        assert_eq!(resolve("po"), Some(Kind::Pod));
        assert_eq!(resolve("pods"), Some(Kind::Pod));
        assert_eq!(resolve("Pod"), Some(Kind::Pod));
        assert_eq!(resolve("deploy"), Some(Kind::Deployment));
        assert_eq!(resolve("deployments.apps"), Some(Kind::Deployment));
        assert_eq!(resolve("deployment.v1.apps"), Some(Kind::Deployment));
        assert_eq!(resolve("svc"), Some(Kind::Service));
        assert_eq!(resolve("cm"), Some(Kind::ConfigMap));
        assert_eq!(resolve("ns"), Some(Kind::Namespace));
        assert_eq!(resolve("cj"), Some(Kind::CronJob));
        assert_eq!(resolve("pods.apps"), None);
        assert_eq!(resolve("foo"), None);
    }
}
