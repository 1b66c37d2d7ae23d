//! The virtual filesystem a simulated process sees: the [`Fs`] trait the interpreter talks
//! to, and [`MemFs`], a deterministic in-memory implementation with mounts.
//!
//! Sharing model: every directory tree (an image's root filesystem, an emptyDir, a
//! ConfigMap projection, a PVC) is a [`Tree`] stored in a [`Volumes`] table under a
//! [`VolumeId`]. A container's view is a list of [`Mount`]s (path → volume, read-only
//! flag). Two containers of a pod that mount the same `VolumeId` see each other's writes,
//! because there is only one tree. The table is plain data (no `Rc`, no locks; the lower
//! layers trees may share are immutable behind an `Arc`), so the World that owns it stays
//! `Clone` and deterministic: to run a process, the host builds a short-lived [`FsView`]
//! borrowing the table and the container's mounts.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Errors of filesystem operations; `Display` gives the errno text (`strerror`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    IsDir,
    NotDir,
    ReadOnly,
    PermissionDenied,
    Exists,
    NotEmpty,
}

impl std::fmt::Display for FsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FsError::NotFound => "No such file or directory",
            FsError::IsDir => "Is a directory",
            FsError::NotDir => "Not a directory",
            FsError::ReadOnly => "Read-only file system",
            FsError::PermissionDenied => "Permission denied",
            FsError::Exists => "File exists",
            FsError::NotEmpty => "Directory not empty",
        })
    }
}

/// What `stat` returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    pub is_dir: bool,
    /// Permission bits, e.g. 0o644.
    pub mode: u32,
    pub size: u64,
    /// Simulated unix seconds of the last modification.
    pub mtime_s: u64,
    pub uid: u32,
    pub gid: u32,
}

/// Path-based filesystem operations. Paths are absolute and normalised (no `.`/`..`,
/// no trailing `/` except the root): the interpreter resolves them against its cwd.
pub trait Fs {
    fn read(&self, path: &str) -> Result<Vec<u8>, FsError>;
    /// Writes (or appends to) a regular file, creating it if its parent exists.
    fn write(&mut self, path: &str, data: &[u8], append: bool, now_s: u64) -> Result<(), FsError>;
    /// Creates one directory; its parent must exist.
    fn mkdir(&mut self, path: &str, now_s: u64) -> Result<(), FsError>;
    /// Removes a file or an empty directory.
    fn remove(&mut self, path: &str) -> Result<(), FsError>;
    /// Names in a directory, sorted.
    fn list(&self, path: &str) -> Result<Vec<String>, FsError>;
    fn stat(&self, path: &str) -> Result<Stat, FsError>;
    /// Sets the mtime of an existing entry (touch).
    fn set_mtime(&mut self, path: &str, now_s: u64) -> Result<(), FsError>;

    fn exists(&self, path: &str) -> bool {
        self.stat(path).is_ok()
    }
    fn is_dir(&self, path: &str) -> bool {
        self.stat(path).map(|s| s.is_dir).unwrap_or(false)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Kind {
    File(Vec<u8>),
    Dir,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Entry {
    kind: Kind,
    mode: u32,
    mtime_s: u64,
    uid: u32,
    gid: u32,
}

/// One directory tree, keyed by path relative to its root ("" is the root, "a/b" below).
/// A flat sorted map makes listing a range scan and keeps iteration deterministic.
///
/// A tree may sit on a read-only lower layer shared with other trees, as a container's root
/// filesystem sits on its image's layers (overlayfs): reads fall through to the layer, the
/// first change to a layer's entry copies it up, and a removed one is hidden by a whiteout.
/// A tree reads exactly as if the layer's entries had been copied into it.
#[derive(Clone, Debug)]
pub struct Tree {
    base: Option<Arc<Tree>>,
    /// This tree's own entries; `None` is a whiteout hiding the layer's entry.
    entries: Entries,
}

impl Default for Tree {
    fn default() -> Self {
        let mut entries = Entries::default();
        entries.insert("", Some(dir_entry(0)));
        Tree { base: None, entries }
    }
}

/// Most trees hold a handful of entries (a pod's volume, a container's upper layer), and a
/// B-tree leaf costs ~800 bytes however few it holds: below this many entries a tree keeps
/// them in a sorted vector, sized to fit once set up.
const SMALL_ENTRIES: usize = 32;

/// A tree's own entries by path, in path order: a sorted vector while small, a B-tree once
/// large (inserts into a big sorted vector would be slow).
#[derive(Clone, Debug)]
enum Entries {
    Small(Vec<(Box<str>, Option<Entry>)>),
    Big(BTreeMap<Box<str>, Option<Entry>>),
}

impl Default for Entries {
    fn default() -> Self {
        Entries::Small(Vec::new())
    }
}

impl PartialEq for Entries {
    fn eq(&self, other: &Entries) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

type EntryIter<'a> = Box<dyn Iterator<Item = (&'a str, &'a Option<Entry>)> + 'a>;

impl Entries {
    fn len(&self) -> usize {
        match self {
            Entries::Small(v) => v.len(),
            Entries::Big(m) => m.len(),
        }
    }
    fn get(&self, k: &str) -> Option<&Option<Entry>> {
        match self {
            Entries::Small(v) => v.binary_search_by(|(key, _)| (**key).cmp(k)).ok().map(|i| &v[i].1),
            Entries::Big(m) => m.get(k),
        }
    }
    fn get_mut(&mut self, k: &str) -> Option<&mut Option<Entry>> {
        match self {
            Entries::Small(v) => match v.binary_search_by(|(key, _)| (**key).cmp(k)) {
                Ok(i) => Some(&mut v[i].1),
                Err(_) => None,
            },
            Entries::Big(m) => m.get_mut(k),
        }
    }
    fn contains_key(&self, k: &str) -> bool {
        self.get(k).is_some()
    }
    fn insert(&mut self, k: &str, e: Option<Entry>) {
        match self {
            Entries::Small(v) => match v.binary_search_by(|(key, _)| (**key).cmp(k)) {
                Ok(i) => v[i].1 = e,
                Err(_) if v.len() >= SMALL_ENTRIES => {
                    let mut m: BTreeMap<Box<str>, Option<Entry>> = std::mem::take(v).into_iter().collect();
                    m.insert(k.into(), e);
                    *self = Entries::Big(m);
                }
                Err(i) => v.insert(i, (k.into(), e)),
            },
            Entries::Big(m) => {
                m.insert(k.into(), e);
            }
        }
    }
    fn remove(&mut self, k: &str) {
        match self {
            Entries::Small(v) => {
                if let Ok(i) = v.binary_search_by(|(key, _)| (**key).cmp(k)) {
                    v.remove(i);
                }
            }
            Entries::Big(m) => {
                m.remove(k);
            }
        }
    }
    fn iter(&self) -> EntryIter<'_> {
        match self {
            Entries::Small(v) => Box::new(v.iter().map(|(k, e)| (&**k, e))),
            Entries::Big(m) => Box::new(m.iter().map(|(k, e)| (&**k, e))),
        }
    }
    /// Entries from `k` on, in path order.
    fn range_from(&self, k: &str) -> EntryIter<'_> {
        match self {
            Entries::Small(v) => {
                let start = v.partition_point(|(key, _)| &**key < k);
                Box::new(v[start..].iter().map(|(k, e)| (&**k, e)))
            }
            Entries::Big(m) => Box::new(
                m.range::<str, _>((std::ops::Bound::Included(k), std::ops::Bound::Unbounded)).map(|(k, e)| (&**k, e)),
            ),
        }
    }
    fn shrink_to_fit(&mut self) {
        if let Entries::Small(v) = self {
            v.shrink_to_fit();
        }
    }
}

impl PartialEq for Tree {
    fn eq(&self, other: &Tree) -> bool {
        self.flat() == other.flat()
    }
}

impl Eq for Tree {}

fn dir_entry(now_s: u64) -> Entry {
    Entry { kind: Kind::Dir, mode: 0o755, mtime_s: now_s, uid: 0, gid: 0 }
}

fn parent_of(rel: &str) -> &str {
    rel.rfind('/').map(|i| &rel[..i]).unwrap_or("")
}

impl Tree {
    pub fn new() -> Tree {
        Tree::default()
    }

    /// An empty upper layer over `base` (which is never changed through this tree).
    pub fn over(base: Arc<Tree>) -> Tree {
        Tree { base: Some(base), entries: Entries::default() }
    }

    /// Every visible entry by path (what the tree reads as).
    fn flat(&self) -> BTreeMap<&str, &Entry> {
        let mut out = self.base.as_ref().map(|b| b.flat()).unwrap_or_default();
        for (k, e) in self.entries.iter() {
            match e {
                Some(e) => {
                    out.insert(k, e);
                }
                None => {
                    out.remove(k);
                }
            }
        }
        out
    }

    fn lookup(&self, rel: &str) -> Option<&Entry> {
        match self.entries.get(rel) {
            Some(e) => e.as_ref(),
            None => self.base.as_ref()?.lookup(rel),
        }
    }

    /// The entry to change, copied up from the lower layer if it is there.
    fn lookup_mut(&mut self, rel: &str) -> Option<&mut Entry> {
        if !self.entries.contains_key(rel) {
            let below = self.base.as_ref()?.lookup(rel)?.clone();
            self.entries.insert(rel, Some(below));
        }
        self.entries.get_mut(rel)?.as_mut()
    }

    /// Reads a file by path relative to this tree's root (`/` prefixes ignored).
    pub fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        self.read(path.trim_matches('/')).ok()
    }

    /// Seeds a file (image content, a ConfigMap key...), creating parent directories.
    /// `path` may start with `/`; it is relative to this tree's root.
    pub fn add_file(&mut self, path: &str, data: &[u8], mode: u32) {
        let rel = path.trim_matches('/');
        self.add_dirs(parent_of(rel));
        self.entries.insert(rel, Some(Entry { kind: Kind::File(data.to_vec()), mode, mtime_s: 0, uid: 0, gid: 0 }));
    }

    /// Seeds a directory and its parents (like `mkdir -p`).
    pub fn add_dirs(&mut self, path: &str) {
        let rel = path.trim_matches('/');
        let mut cur = String::new();
        for part in rel.split('/').filter(|p| !p.is_empty()) {
            if !cur.is_empty() {
                cur.push('/');
            }
            cur.push_str(part);
            if self.lookup(&cur).is_none() {
                self.entries.insert(&cur, Some(dir_entry(0)));
            }
        }
    }

    fn get(&self, rel: &str) -> Result<&Entry, FsError> {
        match self.lookup(rel) {
            Some(e) => Ok(e),
            None => Err(self.missing_err(rel)),
        }
    }

    /// ENOENT, or ENOTDIR when a path component is a file.
    fn missing_err(&self, rel: &str) -> FsError {
        let mut p = parent_of(rel);
        loop {
            if let Some(e) = self.lookup(p) {
                return if matches!(e.kind, Kind::File(_)) { FsError::NotDir } else { FsError::NotFound };
            }
            if p.is_empty() {
                return FsError::NotFound;
            }
            p = parent_of(p);
        }
    }

    fn check_parent(&self, rel: &str) -> Result<(), FsError> {
        match self.lookup(parent_of(rel)) {
            Some(Entry { kind: Kind::Dir, .. }) => Ok(()),
            Some(_) => Err(FsError::NotDir),
            None => Err(self.missing_err(parent_of(rel))),
        }
    }

    /// Names directly inside directory `rel`, sorted.
    fn children(&self, rel: &str) -> Vec<String> {
        let prefix = if rel.is_empty() { String::new() } else { format!("{rel}/") };
        let mut names: Vec<String> = match &self.base {
            // The layer's names this tree does not hide or replace.
            Some(b) => {
                b.children(rel).into_iter().filter(|n| !self.entries.contains_key(&format!("{prefix}{n}"))).collect()
            }
            None => Vec::new(),
        };
        names.extend(
            self.entries
                .range_from(&prefix)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .filter(|(k, e)| e.is_some() && !k.is_empty() && !k[prefix.len()..].contains('/'))
                .map(|(k, _)| k[prefix.len()..].to_string()),
        );
        names.sort();
        names
    }

    fn read(&self, rel: &str) -> Result<Vec<u8>, FsError> {
        match &self.get(rel)?.kind {
            Kind::File(d) => Ok(d.clone()),
            Kind::Dir => Err(FsError::IsDir),
        }
    }

    fn write(&mut self, rel: &str, data: &[u8], append: bool, now_s: u64) -> Result<(), FsError> {
        if let Some(e) = self.lookup_mut(rel) {
            return match &mut e.kind {
                Kind::Dir => Err(FsError::IsDir),
                Kind::File(d) => {
                    if !append {
                        d.clear();
                    }
                    d.extend_from_slice(data);
                    e.mtime_s = now_s;
                    Ok(())
                }
            };
        }
        self.check_parent(rel)?;
        self.entries
            .insert(rel, Some(Entry { kind: Kind::File(data.to_vec()), mode: 0o644, mtime_s: now_s, uid: 0, gid: 0 }));
        Ok(())
    }

    fn mkdir(&mut self, rel: &str, now_s: u64) -> Result<(), FsError> {
        if self.lookup(rel).is_some() {
            return Err(FsError::Exists);
        }
        self.check_parent(rel)?;
        self.entries.insert(rel, Some(dir_entry(now_s)));
        Ok(())
    }

    fn remove(&mut self, rel: &str) -> Result<(), FsError> {
        let e = self.get(rel)?;
        if e.kind == Kind::Dir && !self.children(rel).is_empty() {
            return Err(FsError::NotEmpty);
        }
        if self.base.as_ref().is_some_and(|b| b.lookup(rel).is_some()) {
            self.entries.insert(rel, None);
        } else {
            self.entries.remove(rel);
        }
        Ok(())
    }

    fn stat(&self, rel: &str) -> Result<Stat, FsError> {
        let e = self.get(rel)?;
        let (is_dir, size) = match &e.kind {
            Kind::Dir => (true, 4096),
            Kind::File(d) => (false, d.len() as u64),
        };
        Ok(Stat { is_dir, mode: e.mode, size, mtime_s: e.mtime_s, uid: e.uid, gid: e.gid })
    }

    fn set_mtime(&mut self, rel: &str, now_s: u64) -> Result<(), FsError> {
        match self.lookup_mut(rel) {
            Some(e) => {
                e.mtime_s = now_s;
                Ok(())
            }
            None => Err(self.missing_err(rel)),
        }
    }
}

/// Identifies a tree in a [`Volumes`] table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VolumeId(pub u64);

/// All trees, owned by the host (the World). Ids are allocated in order.
#[derive(Clone, Debug, Default)]
pub struct Volumes {
    trees: BTreeMap<VolumeId, Tree>,
    next: u64,
    /// Read-only layers shared by every tree built with the same content (see
    /// [`Volumes::share`]), by a hash of their content.
    shared: BTreeMap<u64, Vec<Arc<Tree>>>,
    /// Layers in `shared`, and the count at which the unused ones are next dropped.
    shared_len: usize,
    sweep_at: usize,
}

impl Volumes {
    pub fn new() -> Volumes {
        Volumes::default()
    }
    pub fn add(&mut self, mut tree: Tree) -> VolumeId {
        let id = VolumeId(self.next);
        self.next += 1;
        tree.entries.shrink_to_fit();
        self.trees.insert(id, tree);
        id
    }

    /// A read-only layer with `tree`'s content, shared with every other tree shared with the
    /// same content (the same entries over the same lower layer): the service-account volume
    /// of all pods of a namespace and account, a ConfigMap's projection in every replica. A
    /// tree over it (`Tree::over`) reads exactly like `tree`, and writes to it copy up, so
    /// no tree ever sees another's changes.
    pub fn share(&mut self, mut tree: Tree) -> Arc<Tree> {
        use std::hash::{BuildHasher, Hash, Hasher};
        // The key only finds candidates (a match is confirmed by content and by the identity
        // of the lower layer), and nothing iterates the table in an order that reaches output:
        // that the lower layer's address enters the key does not make runs differ. (foldhash,
        // not std's SipHash: every container start and volume set-up shares its trees.)
        let mut h = foldhash::quality::FixedState::default().build_hasher();
        tree.base.as_ref().map(|b| Arc::as_ptr(b) as usize).hash(&mut h);
        for (k, e) in tree.entries.iter() {
            k.hash(&mut h);
            e.hash(&mut h);
        }
        let key = h.finish();
        let same_base = |a: &Tree, b: &Tree| match (&a.base, &b.base) {
            (None, None) => true,
            (Some(x), Some(y)) => Arc::ptr_eq(x, y),
            _ => false,
        };
        if let Some(found) =
            self.shared.get(&key).and_then(|v| v.iter().find(|t| same_base(t, &tree) && t.entries == tree.entries))
        {
            return found.clone();
        }
        if self.shared_len >= self.sweep_at {
            // Drop the layers no tree sits on any more (only this table holds them).
            self.shared.retain(|_, v| {
                v.retain(|t| Arc::strong_count(t) > 1);
                !v.is_empty()
            });
            self.shared_len = self.shared.values().map(Vec::len).sum();
            self.sweep_at = (2 * self.shared_len).max(64);
        }
        tree.entries.shrink_to_fit();
        let layer = Arc::new(tree);
        self.shared.entry(key).or_default().push(layer.clone());
        self.shared_len += 1;
        layer
    }

    /// Adds a tree that reads as `tree` but shares its content with the trees of the same
    /// content (see [`Volumes::share`]).
    pub fn add_shared(&mut self, tree: Tree) -> VolumeId {
        let layer = self.share(tree);
        self.add(Tree::over(layer))
    }
    pub fn get(&self, id: VolumeId) -> Option<&Tree> {
        self.trees.get(&id)
    }
    pub fn get_mut(&mut self, id: VolumeId) -> Option<&mut Tree> {
        self.trees.get_mut(&id)
    }
    /// Drops a tree (an emptyDir when its pod goes away).
    pub fn remove(&mut self, id: VolumeId) -> Option<Tree> {
        self.trees.remove(&id)
    }

    /// How many trees are held (volumes and container roots).
    pub fn count(&self) -> usize {
        self.trees.len()
    }
}

/// A volume mounted at an absolute path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub path: String,
    pub volume: VolumeId,
    pub read_only: bool,
}

/// A container's mount table. The mount at `/` is the root filesystem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mounts(pub Vec<Mount>);

impl Mounts {
    /// Finds the mount holding `path` (longest matching mount path) and the path inside it.
    fn resolve<'m>(&'m self, path: &str) -> Option<(&'m Mount, String)> {
        let mut best: Option<(&Mount, String)> = None;
        for m in &self.0 {
            let mp = m.path.trim_end_matches('/');
            let rest = if mp.is_empty() {
                Some(path.trim_start_matches('/'))
            } else if path == mp {
                Some("")
            } else {
                path.strip_prefix(mp).and_then(|r| r.strip_prefix('/'))
            };
            if let Some(rest) = rest {
                if best.as_ref().map(|(b, _)| b.path.len() <= m.path.len()).unwrap_or(true) {
                    best = Some((m, rest.to_string()));
                }
            }
        }
        best
    }

    /// Names of mount points directly inside directory `path`.
    fn child_mounts(&self, path: &str) -> Vec<String> {
        let prefix = if path == "/" { "/".to_string() } else { format!("{path}/") };
        self.0
            .iter()
            .filter_map(|m| m.path.strip_prefix(&prefix))
            .filter(|r| !r.is_empty() && !r.contains('/'))
            .map(|r| r.to_string())
            .collect()
    }
}

/// A process's view of the filesystem: a mount table over a volume table.
pub struct FsView<'a> {
    pub volumes: &'a mut Volumes,
    pub mounts: &'a Mounts,
}

impl FsView<'_> {
    fn tree(&self, path: &str) -> Result<(&Tree, String, bool), FsError> {
        let (m, rel) = self.mounts.resolve(path).ok_or(FsError::NotFound)?;
        let t = self.volumes.get(m.volume).ok_or(FsError::NotFound)?;
        Ok((t, rel, m.read_only))
    }
    fn tree_mut(&mut self, path: &str) -> Result<(&mut Tree, String), FsError> {
        let (m, rel) = self.mounts.resolve(path).ok_or(FsError::NotFound)?;
        if m.read_only {
            return Err(FsError::ReadOnly);
        }
        let t = self.volumes.get_mut(m.volume).ok_or(FsError::NotFound)?;
        Ok((t, rel))
    }
    fn is_mount_point(&self, path: &str) -> bool {
        path != "/" && self.mounts.0.iter().any(|m| m.path == path)
    }
}

impl Fs for FsView<'_> {
    fn read(&self, path: &str) -> Result<Vec<u8>, FsError> {
        let (t, rel, _) = self.tree(path)?;
        t.read(&rel)
    }
    fn write(&mut self, path: &str, data: &[u8], append: bool, now_s: u64) -> Result<(), FsError> {
        let (t, rel) = self.tree_mut(path)?;
        t.write(&rel, data, append, now_s)
    }
    fn mkdir(&mut self, path: &str, now_s: u64) -> Result<(), FsError> {
        if self.is_mount_point(path) {
            return Err(FsError::Exists);
        }
        let (t, rel) = self.tree_mut(path)?;
        t.mkdir(&rel, now_s)
    }
    fn remove(&mut self, path: &str) -> Result<(), FsError> {
        if self.is_mount_point(path) {
            // EBUSY in reality; the closest text we model.
            return Err(FsError::PermissionDenied);
        }
        let (t, rel) = self.tree_mut(path)?;
        t.remove(&rel)
    }
    fn list(&self, path: &str) -> Result<Vec<String>, FsError> {
        let (t, rel, _) = self.tree(path)?;
        if !t.stat(&rel)?.is_dir {
            return Err(FsError::NotDir);
        }
        let mut names = t.children(&rel);
        names.extend(self.mounts.child_mounts(path));
        names.sort();
        names.dedup();
        Ok(names)
    }
    fn stat(&self, path: &str) -> Result<Stat, FsError> {
        let (t, rel, _) = self.tree(path)?;
        t.stat(&rel)
    }
    fn set_mtime(&mut self, path: &str, now_s: u64) -> Result<(), FsError> {
        let (t, rel) = self.tree_mut(path)?;
        t.set_mtime(&rel, now_s)
    }
}

/// An owned filesystem (its own volume table and mounts): handy for tests and for a
/// learner workstation. Starts with a writable root holding `/tmp`, `/root`, `/etc`.
#[derive(Clone, Debug)]
pub struct MemFs {
    pub volumes: Volumes,
    pub mounts: Mounts,
}

impl Default for MemFs {
    fn default() -> Self {
        let mut root = Tree::new();
        for d in ["tmp", "root", "etc", "var/log", "bin", "dev", "proc", "home"] {
            root.add_dirs(d);
        }
        let mut volumes = Volumes::new();
        let id = volumes.add(root);
        MemFs { volumes, mounts: Mounts(vec![Mount { path: "/".into(), volume: id, read_only: false }]) }
    }
}

impl MemFs {
    pub fn new() -> MemFs {
        MemFs::default()
    }
    /// Mounts `tree` at `path` (creating the mount point in the parent) and returns its id.
    pub fn mount(&mut self, path: &str, tree: Tree, read_only: bool) -> VolumeId {
        let id = self.volumes.add(tree);
        self.mount_id(path, id, read_only);
        id
    }
    /// Mounts an existing volume (shared with another view) at `path`.
    pub fn mount_id(&mut self, path: &str, id: VolumeId, read_only: bool) {
        let path = format!("/{}", path.trim_matches('/'));
        if let Some((m, rel)) = self.mounts.resolve(&path) {
            let vid = m.volume;
            if let Some(t) = self.volumes.get_mut(vid) {
                t.add_dirs(&rel);
            }
        }
        self.mounts.0.push(Mount { path, volume: id, read_only });
    }
    pub fn view(&mut self) -> FsView<'_> {
        FsView { volumes: &mut self.volumes, mounts: &self.mounts }
    }
}

macro_rules! delegate {
    ($self:ident, $f:ident($($a:expr),*)) => {
        FsView { volumes: &mut $self.volumes, mounts: &$self.mounts }.$f($($a),*)
    };
}

impl Fs for MemFs {
    fn read(&self, path: &str) -> Result<Vec<u8>, FsError> {
        let (m, rel) = self.mounts.resolve(path).ok_or(FsError::NotFound)?;
        self.volumes.get(m.volume).ok_or(FsError::NotFound)?.read(&rel)
    }
    fn write(&mut self, path: &str, data: &[u8], append: bool, now_s: u64) -> Result<(), FsError> {
        delegate!(self, write(path, data, append, now_s))
    }
    fn mkdir(&mut self, path: &str, now_s: u64) -> Result<(), FsError> {
        delegate!(self, mkdir(path, now_s))
    }
    fn remove(&mut self, path: &str) -> Result<(), FsError> {
        delegate!(self, remove(path))
    }
    fn list(&self, path: &str) -> Result<Vec<String>, FsError> {
        let (m, rel) = self.mounts.resolve(path).ok_or(FsError::NotFound)?;
        let t = self.volumes.get(m.volume).ok_or(FsError::NotFound)?;
        if !t.stat(&rel)?.is_dir {
            return Err(FsError::NotDir);
        }
        let mut names = t.children(&rel);
        names.extend(self.mounts.child_mounts(path));
        names.sort();
        names.dedup();
        Ok(names)
    }
    fn stat(&self, path: &str) -> Result<Stat, FsError> {
        let (m, rel) = self.mounts.resolve(path).ok_or(FsError::NotFound)?;
        self.volumes.get(m.volume).ok_or(FsError::NotFound)?.stat(&rel)
    }
    fn set_mtime(&mut self, path: &str, now_s: u64) -> Result<(), FsError> {
        delegate!(self, set_mtime(path, now_s))
    }
}

/// Joins `path` onto `cwd` and normalises `.`, `..` and repeated slashes.
pub fn resolve_path(cwd: &str, path: &str) -> String {
    let full = if path.starts_with('/') { path.to_string() } else { format!("{cwd}/{path}") };
    let mut parts: Vec<&str> = Vec::new();
    for p in full.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_volume_is_seen_by_both_views() {
        let mut vols = Volumes::new();
        let root_a = vols.add(Tree::new());
        let root_b = vols.add(Tree::new());
        let shared = vols.add(Tree::new());
        let ma = Mounts(vec![
            Mount { path: "/".into(), volume: root_a, read_only: false },
            Mount { path: "/data".into(), volume: shared, read_only: false },
        ]);
        let mb = Mounts(vec![
            Mount { path: "/".into(), volume: root_b, read_only: false },
            Mount { path: "/in".into(), volume: shared, read_only: true },
        ]);
        FsView { volumes: &mut vols, mounts: &ma }.write("/data/x", b"hi", false, 5).unwrap();
        let mut vb = FsView { volumes: &mut vols, mounts: &mb };
        assert_eq!(vb.read("/in/x").unwrap(), b"hi");
        assert_eq!(vb.write("/in/y", b"", false, 5), Err(FsError::ReadOnly));
        assert_eq!(vb.list("/").unwrap(), vec!["in".to_string()]);
        assert_eq!(vb.read("/data/x"), Err(FsError::NotFound));
    }

    #[test]
    fn a_tree_over_a_layer_reads_as_a_copy_of_it() {
        let mut layer = Tree::new();
        layer.add_file("/etc/nginx/nginx.conf", b"conf", 0o644);
        layer.add_dirs("/tmp");
        let layer = Arc::new(layer);
        let mut t = Tree::over(layer.clone());
        let mut copy = (*layer).clone();
        for tree in [&mut t, &mut copy] {
            tree.add_file("/etc/hostname", b"web\n", 0o644);
            tree.write("etc/nginx/nginx.conf", b"+more", true, 7).unwrap();
            tree.write("tmp/x", b"x", false, 8).unwrap();
            tree.set_mtime("etc", 9).unwrap();
            assert_eq!(tree.remove("etc"), Err(FsError::NotEmpty));
            tree.remove("tmp/x").unwrap();
            tree.remove("tmp").unwrap();
        }
        assert!(t == copy);
        assert_eq!(t.read("etc/nginx/nginx.conf").unwrap(), b"conf+more");
        assert_eq!(t.children(""), vec!["etc".to_string()]);
        assert_eq!(t.children("etc"), vec!["hostname".to_string(), "nginx".to_string()]);
        assert_eq!(t.stat("etc").unwrap().mtime_s, 9);
        assert_eq!(t.read("tmp"), Err(FsError::NotFound));
        t.mkdir("tmp", 10).unwrap();
        assert_eq!(t.children("tmp"), Vec::<String>::new());
        // The layer is untouched.
        assert_eq!(layer.read("etc/nginx/nginx.conf").unwrap(), b"conf");
        assert!(layer.lookup("tmp").is_some());
    }

    #[test]
    fn shared_content_written_by_one_tree_is_not_seen_by_another() {
        let mut vols = Volumes::new();
        let build = || {
            let mut t = Tree::new();
            t.add_file("ca.crt", b"CERT", 0o644);
            t.add_file("namespace", b"default", 0o644);
            t
        };
        let a = vols.add_shared(build());
        let b = vols.add_shared(build());
        // One copy of the content: both trees sit on the same layer.
        fn base(vols: &Volumes, id: VolumeId) -> Arc<Tree> {
            vols.get(id).and_then(|t| t.base.clone()).expect("shared layer")
        }
        assert!(Arc::ptr_eq(&base(&vols, a), &base(&vols, b)));
        let ma = Mounts(vec![Mount { path: "/".into(), volume: a, read_only: false }]);
        let mb = Mounts(vec![Mount { path: "/".into(), volume: b, read_only: false }]);
        FsView { volumes: &mut vols, mounts: &ma }.write("/ca.crt", b"+A", true, 5).unwrap();
        FsView { volumes: &mut vols, mounts: &ma }.remove("/namespace").unwrap();
        FsView { volumes: &mut vols, mounts: &ma }.write("/new", b"n", false, 6).unwrap();
        let va = FsView { volumes: &mut vols, mounts: &ma };
        assert_eq!(va.read("/ca.crt").unwrap(), b"CERT+A");
        assert_eq!(va.list("/").unwrap(), ["ca.crt", "new"]);
        let vb = FsView { volumes: &mut vols, mounts: &mb };
        assert_eq!(vb.read("/ca.crt").unwrap(), b"CERT");
        assert_eq!(vb.read("/namespace").unwrap(), b"default");
        assert_eq!(vb.read("/new"), Err(FsError::NotFound));
        assert_eq!(vb.stat("/ca.crt").unwrap().mtime_s, 0);
        // Other content, or the same over another layer, is another layer.
        let mut other = build();
        other.add_file("token", b"t", 0o600);
        let c = vols.add_shared(other);
        assert!(!Arc::ptr_eq(&base(&vols, a), &base(&vols, c)));
        assert!(*vols.get(c).unwrap() != *vols.get(b).unwrap());
        assert!(*vols.get(b).unwrap() == build());
    }

    #[test]
    fn unused_shared_layers_are_dropped() {
        let mut vols = Volumes::new();
        for i in 0..200 {
            let mut t = Tree::new();
            t.add_file("n", format!("{i}").as_bytes(), 0o644);
            let id = vols.add_shared(t);
            vols.remove(id);
        }
        assert!(vols.shared_len < 130, "{}", vols.shared_len);
    }

    #[test]
    fn a_large_tree_reads_like_a_small_one() {
        // Past SMALL_ENTRIES a tree's entries move to a B-tree; reads and listings are the
        // same as before, in order.
        let mut t = Tree::new();
        let mut names = Vec::new();
        t.mkdir("d", 1).unwrap();
        for i in (0..100).rev() {
            let name = format!("f{i:03}");
            t.write(&format!("d/{name}"), if i == 99 { b"x" } else { b"" }, false, 1).unwrap();
            names.push(name);
        }
        names.sort();
        assert!(matches!(t.entries, Entries::Big(_)));
        assert_eq!(t.children("d"), names);
        assert_eq!(t.read("d/f000").unwrap(), b"");
        assert_eq!(t.read("d/f099").unwrap(), b"x");
        t.remove("d/f050").unwrap();
        assert_eq!(t.children("d").len(), 99);
        assert_eq!(t.children(""), ["d"]);
        let mut small = Tree::new();
        small.add_file("a/b", b"1", 0o600);
        assert!(matches!(small.entries, Entries::Small(_)));
        assert_eq!(small.children(""), ["a"]);
        assert_eq!(small.stat("a/b").unwrap().mode, 0o600);
    }

    #[test]
    fn errors_map_to_errno_texts() {
        let mut fs = MemFs::new();
        fs.write("/tmp/f", b"x", false, 1).unwrap();
        assert_eq!(fs.read("/tmp/f/g").unwrap_err().to_string(), "Not a directory");
        assert_eq!(fs.read("/tmp").unwrap_err().to_string(), "Is a directory");
        assert_eq!(fs.mkdir("/tmp", 1).unwrap_err().to_string(), "File exists");
        assert_eq!(fs.remove("/").unwrap_err().to_string(), "Directory not empty");
        assert_eq!(fs.write("/no/f", b"", false, 1).unwrap_err().to_string(), "No such file or directory");
        assert_eq!(resolve_path("/a/b", "../c/./d"), "/a/c/d");
    }
}
