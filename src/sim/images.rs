//! The simulated image catalog (`assets/images.yaml`, embedded at build time): what each image
//! runs, how long it takes to pull, what it listens on and which files it ships. The runtime
//! resolves a container's `image:` here; an unknown repository or tag fails to pull as it
//! would against a real registry.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Deserialize;

const CATALOG_YAML: &str = include_str!("../../assets/images.yaml");

/// One image repository and what its containers do.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageSpec {
    pub repository: String,
    pub tags: Vec<String>,
    pub size_bytes: u64,
    pub pull_ms: u64,
    #[serde(default)]
    pub entrypoint: Vec<String>,
    #[serde(default)]
    pub cmd: Vec<String>,
    /// The simulated program that the image's own command runs.
    pub program: String,
    /// Idle working set of the program (or shell) in MiB.
    #[serde(default)]
    pub memory_mi: f64,
    /// Idle CPU in millicores.
    #[serde(default)]
    pub cpu_milli: f64,
    /// CPU milliseconds one HTTP request the program answers costs.
    #[serde(default)]
    pub request_cpu_ms: f64,
    /// Seconds from start until the program listens.
    #[serde(default)]
    pub start_s: u64,
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Environment baked into the image (teaching knobs).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    images: Vec<ImageSpec>,
}

/// A parsed image reference, normalised the way container runtimes do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (`docker.io`, `registry.k8s.io`).
    pub registry: String,
    /// Repository path within the registry (`library/nginx`).
    pub path: String,
    /// Tag (`latest` when none is given) — absent when pinned by digest.
    pub tag: String,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses `nginx`, `nginx:1.27`, `docker.io/library/nginx:1.27`, `registry.k8s.io/busybox`,
    /// `nginx@sha256:...`.
    pub fn parse(image: &str) -> ImageRef {
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (image, None),
        };
        // A tag is after the last ':' that follows the last '/'.
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], rest[slash + i + 1..].to_string()),
            None => (rest, "latest".to_string()),
        };
        let mut parts = name.splitn(2, '/');
        let first = parts.next().unwrap_or("");
        let (registry, path) = match parts.next() {
            Some(rest) if first.contains('.') || first.contains(':') || first == "localhost" => {
                (first.to_string(), rest.to_string())
            }
            Some(_) => ("docker.io".to_string(), name.to_string()),
            None => ("docker.io".to_string(), format!("library/{name}")),
        };
        ImageRef { registry, path, tag, digest }
    }

    /// `docker.io/library/nginx:latest`: how containerd names the image in its messages.
    pub fn full(&self) -> String {
        match &self.digest {
            Some(d) => format!("{}/{}@{}", self.registry, self.path, d),
            None => format!("{}/{}:{}", self.registry, self.path, self.tag),
        }
    }

    /// The catalog's repository key: `nginx` for docker.io/library/nginx, `polinux/stress`,
    /// `registry.k8s.io/busybox`.
    pub fn catalog_key(&self) -> String {
        if self.registry == "docker.io" {
            self.path.strip_prefix("library/").unwrap_or(&self.path).to_string()
        } else {
            format!("{}/{}", self.registry, self.path)
        }
    }
}

/// What looking an image up in the registry gives.
#[derive(Clone, Debug)]
pub enum Lookup<'a> {
    Found(&'a Arc<ImageSpec>),
    /// The repository exists but not this tag.
    NoSuchTag,
    /// No such repository (or no access to it).
    NoSuchRepository,
}

#[derive(Clone, Debug)]
pub struct Catalog {
    /// Shared with the containers started from them (`CtrRt::image`).
    images: BTreeMap<String, Arc<ImageSpec>>,
}

impl Catalog {
    /// The embedded catalog.
    pub fn builtin() -> Catalog {
        Catalog::from_yaml(CATALOG_YAML).unwrap_or(Catalog { images: BTreeMap::new() })
    }

    pub fn from_yaml(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        Ok(Catalog { images: file.images.into_iter().map(|i| (i.repository.clone(), Arc::new(i))).collect() })
    }

    pub fn lookup(&self, r: &ImageRef) -> Lookup<'_> {
        match self.images.get(&r.catalog_key()) {
            None => Lookup::NoSuchRepository,
            Some(spec) if r.digest.is_some() || spec.tags.contains(&r.tag) => Lookup::Found(spec),
            Some(_) => Lookup::NoSuchTag,
        }
    }

    pub fn get(&self, repository: &str) -> Option<&ImageSpec> {
        self.images.get(repository).map(|i| &**i)
    }

    pub fn repositories(&self) -> impl Iterator<Item = &ImageSpec> {
        self.images.values().map(|i| &**i)
    }
}

/// A stable sha256-looking digest for an image reference (the same image has the same
/// digest on every node and every run; FNV-1a keeps it free of randomness).
pub fn digest_of(full: &str) -> String {
    let mut out = String::with_capacity(64);
    for round in 0u64..4 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ round.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for b in full.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        // Into the string itself: no allocation per round.
        let _ = write!(out, "{h:016x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_loads() {
        let c = Catalog::from_yaml(CATALOG_YAML).expect("assets/images.yaml must parse");
        for repo in [
            "nginx",
            "httpd",
            "busybox",
            "registry.k8s.io/busybox",
            "alpine",
            "redis",
            "mysql",
            "postgres",
            "python",
            "polinux/stress",
            "kubedojo/webapp",
        ] {
            assert!(c.get(repo).is_some(), "{repo} missing from the catalog");
        }
    }

    #[test]
    fn references_normalise_like_containerd() {
        assert_eq!(ImageRef::parse("nginx").full(), "docker.io/library/nginx:latest");
        assert_eq!(ImageRef::parse("nginx:1.27").full(), "docker.io/library/nginx:1.27");
        assert_eq!(ImageRef::parse("polinux/stress").full(), "docker.io/polinux/stress:latest");
        assert_eq!(ImageRef::parse("registry.k8s.io/busybox:1.27").catalog_key(), "registry.k8s.io/busybox");
        assert_eq!(ImageRef::parse("localhost:5000/app:v1").registry, "localhost:5000");
        let c = Catalog::builtin();
        assert!(matches!(c.lookup(&ImageRef::parse("nginx:1.27")), Lookup::Found(_)));
        assert!(matches!(c.lookup(&ImageRef::parse("nginx:nope")), Lookup::NoSuchTag));
        assert!(matches!(c.lookup(&ImageRef::parse("ngnix")), Lookup::NoSuchRepository));
    }
}
