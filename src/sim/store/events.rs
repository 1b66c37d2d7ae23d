//! How the store keeps Events: compactly, because there are many of them (five or so per
//! pod: Scheduled, Pulling, Pulled, Created, Started) and each, as a `k8s_openapi` Event, is
//! a 928-byte struct and a dozen heap strings, about 2 KB with its map node.
//!
//! An Event the recorder writes (`World::record_event`) has a fixed shape: metadata with only
//! name, namespace, uid, creationTimestamp and resourceVersion; whole-second timestamps; a
//! count; strings that repeat across events (the involved object's kind, name and uid are
//! shared by all events of one object; reasons, most messages and the sources by thousands).
//! Such an event is kept as a [`Compact`] record: the repeated strings interned once as
//! `Arc<str>` (the involved object and the source, each a group of strings that travel
//! together, as one shared record), timestamps as Unix seconds, uid and resourceVersions as
//! numbers. Its key does not repeat the name either: recorded events are named
//! `<involved name>.<hex nanos>`, so the key is the interned involved name and the number.
//! Everything that does not fit that shape exactly (a user's `kubectl create -f event.yaml`
//! with labels, a series, a sub-second time, a name of another form, ...) is kept as the full
//! object: nothing is lost, and a record is chosen only when it round-trips to the same
//! bytes (checked field by field, with destructuring that stops compiling when a field is
//! added upstream, and re-checked by a debug assertion on every write in tests).
//!
//! Readers that want an `&Object` (`Store::get`/`list`: kubectl, the API, the TUI's event
//! strip) get one built on first use into a per-entry `OnceLock` cache. The table remembers
//! which entries it built and drops them again at the next write to the store (or
//! `Store::trim`), so `kubectl get events -A` costs its copies only while it reads. Hot readers
//! do not build objects at all: the recorder's dedupe lookup and count bump work on the
//! records ([`EventTable::find_series`], [`EventTable::bump_count`]), and [`EventView`] gives
//! describe's Events section and the TUI's index the fields they need.
//!
//! The entries live in a slab, found by a hash of their name; their order (namespace, then
//! name, as a list returns them) is kept only when read. Recording is what a big cluster
//! does to its events (five or so a pod while it converges, a repeat's count bumped at
//! every restart), and a search of an ordered map of a million string keys cost more than
//! the rest of a write together; an ordered read (a list, describe) sorts what was added
//! since the previous one and merges it in.
//!
//! The recorder's "same event" index lives here too, keyed by a hash of the series (object,
//! field path, reason, message, source component) and kept exact on every write, so the
//! recorder needs no copy of event names. The hashes (a fixed seed) only key tables of slots
//! ([`slots::HashSlots`]) that are looked up, never read in order: the series index maps a
//! hash to its candidates' slots in key order, which are compared in full; the interner's
//! tables are only looked up and pruned.
//!
//! The recorder's own writes take a shorter path ([`Recorded`], `Store::add_recorded_event`):
//! the record is built straight from what the recorder has (the involved object's fields,
//! reason, message, source, the uid as a number) instead of building a full Event and
//! parsing it back; a debug assertion checks on every such write that the result is the
//! record the full Event would have made.

use std::cmp::Ordering;
use std::hash::{BuildHasher, Hash};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{TimeZone, Utc};
use foldhash::quality::FixedState;
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use smallvec::SmallVec;

use crate::sim::clock::{tick_of, Tick};
use crate::sim::object::{ObjKey, Object};

mod slots;
use slots::HashSlots;

/// `nanos` of a key whose name is not `<prefix>.<hex>`, and the involved resourceVersion of a
/// record whose reference has none.
const NONE: u64 = u64::MAX;

/// A reference to the object an event is about, borrowed (an `ObjectReference`'s fields).
#[derive(Clone, Copy, Debug, Default)]
pub struct ObjectRef<'a> {
    pub api_version: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub uid: Option<&'a str>,
    pub resource_version: Option<&'a str>,
    pub field_path: Option<&'a str>,
}

impl<'a> ObjectRef<'a> {
    pub fn of(r: &'a ObjectReference) -> ObjectRef<'a> {
        ObjectRef {
            api_version: r.api_version.as_deref(),
            kind: r.kind.as_deref(),
            name: r.name.as_deref(),
            namespace: r.namespace.as_deref(),
            uid: r.uid.as_deref(),
            resource_version: r.resource_version.as_deref(),
            field_path: r.field_path.as_deref(),
        }
    }

    fn to_reference(self) -> ObjectReference {
        let o = |s: Option<&str>| s.map(str::to_string);
        ObjectReference {
            api_version: o(self.api_version),
            field_path: o(self.field_path),
            kind: o(self.kind),
            name: o(self.name),
            namespace: o(self.namespace),
            resource_version: o(self.resource_version),
            uid: o(self.uid),
        }
    }

    /// What an [`Involved`] record keeps (all but the resourceVersion).
    fn involved_fields(&self) -> [Option<&'a str>; 6] {
        [self.api_version, self.kind, self.name, self.namespace, self.uid, self.field_path]
    }
}

/// What makes two events "the same" for the recorder: the object (uid, field path, name),
/// reason, message and source component.
pub struct Series<'a> {
    pub involved: ObjectRef<'a>,
    pub reason: &'a str,
    pub message: &'a str,
    pub component: &'a str,
}

/// A new Event as the recorder writes it (`World::record_event`), in borrowed parts: the
/// table keeps it as a record straight from these, without building the full Event and
/// parsing it back (see [`Recorded::event`] for the Event it stands for).
pub struct Recorded<'a> {
    pub involved: ObjectRef<'a>,
    pub type_: &'a str,
    pub reason: &'a str,
    pub message: &'a str,
    pub component: &'a str,
    pub host: Option<&'a str>,
    /// The number in the event's name, `<involved name>.<nanos in hex>`.
    pub nanos: u128,
    /// The event's uid as a number (printed 8-4-4-4-12).
    pub uid: u128,
    /// When it happened (creationTimestamp, firstTimestamp and lastTimestamp).
    pub now: &'a Time,
}

impl Recorded<'_> {
    /// The event's name prefix (the involved object's name).
    fn prefix(&self) -> &str {
        self.involved.name.unwrap_or("")
    }

    /// The Event this stands for, in namespace `ns`, without a resourceVersion.
    pub fn event(&self, ns: &str) -> Event {
        Event {
            metadata: ObjectMeta {
                name: Some(format!("{}.{:x}", self.prefix(), self.nanos)),
                namespace: Some(ns.to_string()),
                creation_timestamp: Some(self.now.clone()),
                uid: Some(format_uid(self.uid)),
                ..Default::default()
            },
            involved_object: self.involved.to_reference(),
            reason: Some(self.reason.to_string()),
            message: Some(self.message.to_string()),
            source: Some(EventSource {
                component: Some(self.component.to_string()),
                host: self.host.map(str::to_string),
            }),
            first_timestamp: Some(self.now.clone()),
            last_timestamp: Some(self.now.clone()),
            count: Some(1),
            type_: Some(self.type_.to_string()),
            reporting_component: Some(self.component.to_string()),
            reporting_instance: Some(self.host.unwrap_or_default().to_string()),
            ..Default::default()
        }
    }

    /// (nanos, involved resourceVersion, seconds) if the event fits a record (as
    /// [`Compact::of`] would find for [`Recorded::event`]).
    pub(super) fn compact_parts(&self) -> Option<(u64, u64, i64)> {
        let nanos = u64::try_from(self.nanos).ok().filter(|n| *n != NONE)?;
        let involved_rv = match self.involved.resource_version {
            None => NONE,
            Some(s) => parse_decimal(s).filter(|n| *n != NONE)?,
        };
        Some((nanos, involved_rv, secs(self.now)?))
    }

    /// The name the event gets, for a record's `nanos`.
    pub(super) fn name(&self, nanos: u64) -> String {
        let (p, s) = (self.prefix(), Suffix::of(nanos));
        let mut n = String::with_capacity(p.len() + s.len as usize);
        n.push_str(p);
        n.push_str(s.as_str());
        n
    }
}

// ---------------------------------------------------------------------------------------
// Keys

/// An Event's key: namespace and name, the name as `prefix` and, for recorder names,
/// `.<nanos in hex>` (so the prefix is the interned involved name, shared by all events of
/// one object). Ordered like `ObjKey`: namespace, then name as a string.
#[derive(Clone, Debug)]
pub(super) struct EvKey {
    ns: Arc<str>,
    prefix: Arc<str>,
    nanos: u64,
}

impl EvKey {
    pub(super) fn name(&self) -> String {
        let s = Suffix::of(self.nanos);
        let mut n = String::with_capacity(self.prefix.len() + s.len as usize);
        n.push_str(&self.prefix);
        n.push_str(s.as_str());
        n
    }

    pub(super) fn namespace(&self) -> &str {
        &self.ns
    }

    fn obj_key(&self) -> ObjKey {
        ObjKey { namespace: self.ns.to_string(), name: self.name() }
    }

    /// (namespace, name prefix, nanos or [`NONE`]).
    fn parts(&self) -> (&str, &str, u64) {
        (&self.ns, &self.prefix, self.nanos)
    }
}

impl PartialEq for EvKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for EvKey {}
impl PartialOrd for EvKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for EvKey {
    fn cmp(&self, other: &Self) -> Ordering {
        // Interned strings (the namespace, an object's name) are often the very same.
        let ns = if Arc::ptr_eq(&self.ns, &other.ns) { Ordering::Equal } else { self.ns.cmp(&other.ns) };
        ns.then_with(|| cmp_names((&self.prefix, self.nanos), (&other.prefix, other.nanos)))
    }
}

/// `.<hex>` of a recorder name, on the stack.
struct Suffix {
    buf: [u8; 17],
    len: u8,
}

impl Suffix {
    fn of(nanos: u64) -> Suffix {
        let mut s = Suffix { buf: [0; 17], len: 0 };
        if nanos == NONE {
            return s;
        }
        let digits = if nanos == 0 { 1 } else { 16 - nanos.leading_zeros() as usize / 4 };
        s.buf[0] = b'.';
        for i in 0..digits {
            let d = ((nanos >> (4 * (digits - 1 - i))) & 0xf) as u8;
            s.buf[1 + i] = if d < 10 { b'0' + d } else { b'a' + d - 10 };
        }
        s.len = 1 + digits as u8;
        s
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }

    fn as_str(&self) -> &str {
        // Only ASCII is ever written.
        std::str::from_utf8(self.bytes()).unwrap_or("")
    }
}

/// Compares two names given as (prefix, nanos) as the strings they stand for.
fn cmp_names(a: (&str, u64), b: (&str, u64)) -> Ordering {
    if a.1 == NONE && b.1 == NONE {
        return a.0.cmp(b.0);
    }
    let (pa, pb) = (a.0.as_bytes(), b.0.as_bytes());
    let n = pa.len().min(pb.len());
    // The same interned prefix (the events of one object) needs no comparing.
    if !std::ptr::eq(pa, pb) {
        match cmp_bytes(&pa[..n], &pb[..n]) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    // The same prefix (the events of one object): hex numbers of as many digits sort as
    // their values.
    let digits = |n: u64| if n == 0 { 1 } else { 16 - n.leading_zeros() / 4 };
    if pa.len() == pb.len() && (a.1 == b.1 || (a.1 != NONE && b.1 != NONE && digits(a.1) == digits(b.1))) {
        return a.1.cmp(&b.1);
    }
    let (sa, sb) = (Suffix::of(a.1), Suffix::of(b.1));
    pa[n..].iter().chain(sa.bytes()).cmp(pb[n..].iter().chain(sb.bytes()))
}

/// Two byte strings of the same length in byte order, eight bytes at a time. An insert into
/// the table compares some twenty names, which differ within their first few dozen bytes:
/// inline, this is a few instructions where a call to `memcmp` is dozens.
fn cmp_bytes(a: &[u8], b: &[u8]) -> Ordering {
    debug_assert_eq!(a.len(), b.len());
    let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut ca).zip(&mut cb) {
        let word = |c: &[u8]| u64::from_be_bytes(c.try_into().unwrap_or_default());
        match word(x).cmp(&word(y)) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    ca.remainder().iter().cmp(cb.remainder().iter())
}

/// Splits a recorder name `<prefix>.<hex>` into its parts if the hex is exactly what
/// `format!("{:x}")` prints (so the name round-trips); otherwise (name, NONE).
fn split_name(name: &str) -> (&str, u64) {
    let Some((prefix, hex)) = name.rsplit_once('.') else { return (name, NONE) };
    let canonical = !hex.is_empty()
        && hex.len() <= 16
        && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && (hex.len() == 1 || !hex.starts_with('0'));
    match u64::from_str_radix(hex, 16) {
        Ok(n) if canonical && n != NONE => (prefix, n),
        _ => (name, NONE),
    }
}

// ---------------------------------------------------------------------------------------
// Records

/// The object an event is about, shared by all events with the same reference (but its
/// resourceVersion, which changes from event to event).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Involved {
    api_version: Option<Arc<str>>,
    kind: Option<Arc<str>>,
    name: Option<Arc<str>>,
    namespace: Option<Arc<str>>,
    uid: Option<Arc<str>>,
    field_path: Option<Arc<str>>,
}

/// Who reported an event, and its type: a few hundred distinct ones in a big cluster.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Source {
    component: Arc<str>,
    host: Option<Arc<str>>,
    type_: Arc<str>,
    reporting_component: Arc<str>,
    reporting_instance: Arc<str>,
}

/// A recorded Event, without the strings it shares with others.
#[derive(Clone, Debug, PartialEq)]
struct Compact {
    uid: u128,
    resource_version: u64,
    /// [`NONE`]: the reference has no resourceVersion.
    involved_rv: u64,
    /// Unix seconds.
    created: i64,
    first: i64,
    last: i64,
    count: i32,
    involved: Arc<Involved>,
    reason: Arc<str>,
    message: Arc<str>,
    source: Arc<Source>,
}

/// The fields of an [`Involved`] (api_version, kind, name, namespace, uid, field_path).
trait InvolvedFields {
    fn fields(&self) -> [Option<&str>; 6];
}

impl InvolvedFields for Involved {
    fn fields(&self) -> [Option<&str>; 6] {
        [
            self.api_version.as_deref(),
            self.kind.as_deref(),
            self.name.as_deref(),
            self.namespace.as_deref(),
            self.uid.as_deref(),
            self.field_path.as_deref(),
        ]
    }
}

/// The fields of a [`Source`] (component, host, type, reportingComponent, reportingInstance).
trait SourceFields {
    fn fields(&self) -> (&str, Option<&str>, &str, &str, &str);
}

impl SourceFields for Source {
    fn fields(&self) -> (&str, Option<&str>, &str, &str, &str) {
        (&self.component, self.host.as_deref(), &self.type_, &self.reporting_component, &self.reporting_instance)
    }
}

/// A hash with a fixed seed: the same in every run. (foldhash: several times faster than
/// SipHash on short strings, and its "quality" variant spreads the low bits the slots are
/// picked by.)
fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
    FixedState::with_seed(0).hash_one(t)
}

/// Shared values found by a hash of their contents: a search compares numbers, not strings
/// (the strings are compared once, with the few values of that hash). The slots are only
/// looked up and pruned, never read in order. (Almost every hash has one value: it is kept
/// inline, not in an allocation of its own.)
#[derive(Debug)]
struct ByHash<T: ?Sized> {
    map: HashSlots<SmallVec<[Arc<T>; 1]>>,
    len: usize,
}

impl<T: ?Sized> Default for ByHash<T> {
    fn default() -> Self {
        ByHash { map: HashSlots::default(), len: 0 }
    }
}

impl<T: ?Sized> Clone for ByHash<T> {
    fn clone(&self) -> Self {
        ByHash { map: self.map.clone(), len: self.len }
    }
}

impl<T: ?Sized> ByHash<T> {
    fn get(&self, h: u64, is: impl Fn(&T) -> bool) -> Option<&Arc<T>> {
        self.map.get(h)?.iter().find(|a| is(a))
    }

    fn insert(&mut self, h: u64, a: Arc<T>) {
        self.map.get_or_insert_with(h, SmallVec::new).push(a);
        self.len += 1;
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Drops the values nothing else holds.
    fn prune(&mut self) {
        self.map.retain(|v| {
            v.retain(|a| Arc::strong_count(a) > 1);
            !v.is_empty()
        });
        self.len = self.map.values().map(|v| v.len()).sum();
    }
}

/// The strings of the table, each kept once.
#[derive(Clone, Debug, Default)]
struct Interner {
    strs: ByHash<str>,
    involved: ByHash<Involved>,
    sources: ByHash<Source>,
    /// Entries after the last prune.
    kept: usize,
    /// The last records handed out: an object's events come in runs (Pulling, Pulled,
    /// Created, Started) from one source, so many lookups end here.
    last_involved: Option<Arc<Involved>>,
    last_source: Option<Arc<Source>>,
}

impl Interner {
    fn str(&mut self, s: &str) -> Arc<str> {
        let h = hash_of(s);
        if let Some(a) = self.strs.get(h, |a| a == s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.strs.insert(h, a.clone());
        a
    }

    fn opt(&mut self, s: Option<&str>) -> Option<Arc<str>> {
        s.map(|s| self.str(s))
    }

    /// The record of a reference's (api_version, kind, name, namespace, uid, field_path).
    fn involved(&mut self, r: [Option<&str>; 6]) -> Arc<Involved> {
        if let Some(a) = &self.last_involved {
            if a.fields() == r {
                return a.clone();
            }
        }
        let h = hash_of(&r);
        let a = match self.involved.get(h, |a| a.fields() == r) {
            Some(a) => a.clone(),
            None => {
                let [api_version, kind, name, namespace, uid, field_path] = r;
                let a = Arc::new(Involved {
                    api_version: self.opt(api_version),
                    kind: self.opt(kind),
                    name: self.opt(name),
                    namespace: self.opt(namespace),
                    uid: self.opt(uid),
                    field_path: self.opt(field_path),
                });
                self.involved.insert(h, a.clone());
                a
            }
        };
        self.last_involved = Some(a.clone());
        a
    }

    /// The source record of (component, host, type, reportingComponent, reportingInstance).
    fn source(&mut self, s: [Option<&str>; 5]) -> Option<Arc<Source>> {
        let [component, host, type_, reporting_component, reporting_instance] = s;
        Some(self.source_of((component?, host, type_?, reporting_component?, reporting_instance?)))
    }

    fn source_of(&mut self, f: (&str, Option<&str>, &str, &str, &str)) -> Arc<Source> {
        if let Some(a) = &self.last_source {
            if a.fields() == f {
                return a.clone();
            }
        }
        let h = hash_of(&f);
        let a = match self.sources.get(h, |a| a.fields() == f) {
            Some(a) => a.clone(),
            None => {
                let (component, host, type_, reporting_component, reporting_instance) = f;
                let a = Arc::new(Source {
                    component: self.str(component),
                    host: self.opt(host),
                    type_: self.str(type_),
                    reporting_component: self.str(reporting_component),
                    reporting_instance: self.str(reporting_instance),
                });
                self.sources.insert(h, a.clone());
                a
            }
        };
        self.last_source = Some(a.clone());
        a
    }

    fn len(&self) -> usize {
        self.strs.len() + self.involved.len() + self.sources.len()
    }

    /// Forgets what no event uses any more (the strings of deleted events), once the table has
    /// doubled since the last time: the cost is spread over the writes that grew it.
    fn maybe_prune(&mut self) {
        if self.len() <= 2 * self.kept + 1024 {
            return;
        }
        // Records first: they hold strings.
        self.last_involved = None;
        self.last_source = None;
        self.involved.prune();
        self.sources.prune();
        self.strs.prune();
        self.kept = self.len();
    }
}

/// Unix seconds of a whole-second time.
fn secs(t: &Time) -> Option<i64> {
    (t.0.timestamp_subsec_nanos() == 0).then(|| t.0.timestamp())
}

fn time(s: i64) -> Time {
    Time(Utc.timestamp_opt(s, 0).single().unwrap_or(chrono::DateTime::<Utc>::MIN_UTC))
}

/// A decimal number as the store stamps resourceVersions (no sign, no leading zero).
fn parse_decimal(s: &str) -> Option<u64> {
    let canonical = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s.len() == 1 || !s.starts_with('0'));
    s.parse().ok().filter(|_| canonical)
}

/// A uid in the lower-case 8-4-4-4-12 form `World::new_uid` prints, as a number.
fn parse_uid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut n: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        n = (n << 4) | d as u128;
    }
    Some(n)
}

/// A uid number in the 8-4-4-4-12 form.
pub(crate) fn format_uid(n: u128) -> String {
    // Digit by digit: every object created gets a uid, and `format!` costs ten times this.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = Vec::with_capacity(36);
    for i in 0..32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            s.push(b'-');
        }
        s.push(HEX[((n >> (4 * (31 - i))) & 0xf) as usize]);
    }
    String::from_utf8(s).unwrap_or_default()
}

impl Compact {
    /// The record of `e` stored under `key`, if `e` has exactly the recorder's shape.
    fn of(key: &EvKey, e: &Event, interner: &mut Interner) -> Option<Compact> {
        // Destructured in full: a field added to Event or ObjectMeta stops this compiling
        // rather than being silently dropped.
        let Event {
            action,
            count,
            event_time,
            first_timestamp,
            involved_object,
            last_timestamp,
            message,
            metadata,
            reason,
            related,
            reporting_component,
            reporting_instance,
            series,
            source,
            type_,
        } = e;
        let ObjectMeta {
            annotations,
            creation_timestamp,
            deletion_grace_period_seconds,
            deletion_timestamp,
            finalizers,
            generate_name,
            generation,
            labels,
            managed_fields,
            name,
            namespace,
            owner_references,
            resource_version,
            self_link,
            uid,
        } = metadata;
        if action.is_some()
            || event_time.is_some()
            || related.is_some()
            || series.is_some()
            || annotations.is_some()
            || deletion_grace_period_seconds.is_some()
            || deletion_timestamp.is_some()
            || finalizers.is_some()
            || generate_name.is_some()
            || generation.is_some()
            || labels.is_some()
            || managed_fields.is_some()
            || owner_references.is_some()
            || self_link.is_some()
        {
            return None;
        }
        // The name and namespace come back from the key.
        if namespace.as_deref() != Some(key.namespace())
            || cmp_names((&key.prefix, key.nanos), (name.as_deref()?, NONE)) != Ordering::Equal
        {
            return None;
        }
        let uid = parse_uid(uid.as_deref()?)?;
        let resource_version = parse_decimal(resource_version.as_deref()?)?;
        let (created, first, last) =
            (secs(creation_timestamp.as_ref()?)?, secs(first_timestamp.as_ref()?)?, secs(last_timestamp.as_ref()?)?);
        let count = (*count)?;
        let EventSource { component, host } = source.as_ref()?;
        let involved_rv = match involved_object.resource_version.as_deref() {
            None => NONE,
            Some(s) => parse_decimal(s).filter(|n| *n != NONE)?,
        };
        let (reason, message) = (reason.as_deref()?, message.as_deref()?);
        let source = interner.source([
            component.as_deref(),
            host.as_deref(),
            type_.as_deref(),
            reporting_component.as_deref(),
            reporting_instance.as_deref(),
        ])?;
        Some(Compact {
            uid,
            resource_version,
            involved_rv,
            created,
            first,
            last,
            count,
            involved: interner.involved([
                involved_object.api_version.as_deref(),
                involved_object.kind.as_deref(),
                involved_object.name.as_deref(),
                involved_object.namespace.as_deref(),
                involved_object.uid.as_deref(),
                involved_object.field_path.as_deref(),
            ]),
            reason: interner.str(reason),
            message: interner.str(message),
            source,
        })
    }

    /// The Event this record stands for.
    fn to_event(&self, key: &EvKey) -> Event {
        let s = |a: &Arc<str>| a.to_string();
        let o = |a: &Option<Arc<str>>| a.as_deref().map(str::to_string);
        let i = &*self.involved;
        let src = &*self.source;
        Event {
            metadata: ObjectMeta {
                name: Some(key.name()),
                namespace: Some(s(&key.ns)),
                creation_timestamp: Some(time(self.created)),
                uid: Some(format_uid(self.uid)),
                resource_version: Some(self.resource_version.to_string()),
                ..Default::default()
            },
            involved_object: ObjectReference {
                api_version: o(&i.api_version),
                field_path: o(&i.field_path),
                kind: o(&i.kind),
                name: o(&i.name),
                namespace: o(&i.namespace),
                resource_version: (self.involved_rv != NONE).then(|| self.involved_rv.to_string()),
                uid: o(&i.uid),
            },
            reason: Some(s(&self.reason)),
            message: Some(s(&self.message)),
            source: Some(EventSource { component: Some(s(&src.component)), host: o(&src.host) }),
            first_timestamp: Some(time(self.first)),
            last_timestamp: Some(time(self.last)),
            count: Some(self.count),
            type_: Some(s(&src.type_)),
            reporting_component: Some(s(&src.reporting_component)),
            reporting_instance: Some(s(&src.reporting_instance)),
            action: None,
            event_time: None,
            related: None,
            series: None,
        }
    }
}

#[derive(Clone, Debug)]
enum Data {
    Compact(Compact),
    /// An event the record cannot hold exactly (always an `Object::Event`).
    Full(Object),
}

#[derive(Debug)]
struct Entry {
    data: Data,
    /// The object built from a compact record for a reader that wanted one.
    cache: OnceLock<Object>,
}

impl Clone for Entry {
    fn clone(&self) -> Entry {
        Entry { data: self.data.clone(), cache: OnceLock::new() }
    }
}

impl Entry {
    fn owned(&self, key: &EvKey) -> Object {
        match &self.data {
            Data::Compact(c) => Object::Event(Box::new(c.to_event(key))),
            Data::Full(o) => o.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Views

/// One stored Event, read without building the object (its fields) or building it on demand
/// ([`EventView::object`]).
#[derive(Clone, Copy)]
pub struct EventView<'a> {
    table: &'a EventTable,
    slot: u32,
    key: &'a EvKey,
    entry: &'a Entry,
}

impl<'a> EventView<'a> {
    fn full(&self) -> Option<&'a Event> {
        match &self.entry.data {
            Data::Full(o) => o.as_event(),
            Data::Compact(_) => None,
        }
    }

    fn compact(&self) -> Option<&'a Compact> {
        match &self.entry.data {
            Data::Compact(c) => Some(c),
            Data::Full(_) => None,
        }
    }

    pub fn namespace(&self) -> &'a str {
        &self.key.ns
    }

    pub fn name(&self) -> String {
        self.key.name()
    }

    pub fn key(&self) -> ObjKey {
        self.key.obj_key()
    }

    /// The Event, built into the entry's cache if it is kept as a record.
    pub fn object(&self) -> &'a Object {
        self.table.object(self.slot, self.key, self.entry)
    }

    pub fn involved_kind(&self) -> Option<&'a str> {
        match self.compact() {
            Some(c) => c.involved.kind.as_deref(),
            None => self.full().and_then(|e| e.involved_object.kind.as_deref()),
        }
    }

    pub fn involved_name(&self) -> Option<&'a str> {
        match self.compact() {
            Some(c) => c.involved.name.as_deref(),
            None => self.full().and_then(|e| e.involved_object.name.as_deref()),
        }
    }

    pub fn involved_namespace(&self) -> Option<&'a str> {
        match self.compact() {
            Some(c) => c.involved.namespace.as_deref(),
            None => self.full().and_then(|e| e.involved_object.namespace.as_deref()),
        }
    }

    pub fn involved_uid(&self) -> Option<&'a str> {
        match self.compact() {
            Some(c) => c.involved.uid.as_deref(),
            None => self.full().and_then(|e| e.involved_object.uid.as_deref()),
        }
    }

    pub fn involved_field_path(&self) -> Option<&'a str> {
        match self.compact() {
            Some(c) => c.involved.field_path.as_deref(),
            None => self.full().and_then(|e| e.involved_object.field_path.as_deref()),
        }
    }

    pub fn reason(&self) -> Option<&'a str> {
        match self.compact() {
            Some(c) => Some(&c.reason),
            None => self.full().and_then(|e| e.reason.as_deref()),
        }
    }

    pub fn message(&self) -> Option<&'a str> {
        match self.compact() {
            Some(c) => Some(&c.message),
            None => self.full().and_then(|e| e.message.as_deref()),
        }
    }

    pub fn source_component(&self) -> Option<&'a str> {
        match self.compact() {
            Some(c) => Some(&c.source.component),
            None => self.full().and_then(|e| e.source.as_ref()).and_then(|s| s.component.as_deref()),
        }
    }

    pub fn first_timestamp(&self) -> Option<Time> {
        match self.compact() {
            Some(c) => Some(time(c.first)),
            None => self.full().and_then(|e| e.first_timestamp.clone()),
        }
    }

    pub fn last_timestamp(&self) -> Option<Time> {
        match self.compact() {
            Some(c) => Some(time(c.last)),
            None => self.full().and_then(|e| e.last_timestamp.clone()),
        }
    }

    /// The tick the event was last seen (lastTimestamp, else firstTimestamp).
    pub fn last_seen(&self) -> Tick {
        self.last_timestamp().or_else(|| self.first_timestamp()).as_ref().map(tick_of).unwrap_or_default()
    }

    /// Whether this event is one of `series` (the recorder's test for a repeat).
    fn is_of(&self, ns: &str, s: &Series<'_>) -> bool {
        let r = &s.involved;
        self.namespace() == ns
            && self.involved_uid() == r.uid
            && self.involved_field_path() == r.field_path
            && self.involved_name() == r.name
            && self.reason() == Some(s.reason)
            && self.message() == Some(s.message)
            && self.source_component() == Some(s.component)
    }

    /// The hash of the series this event belongs to (None: it cannot be a recorded repeat).
    fn series_hash(&self) -> Option<u64> {
        let (reason, message, component) = (self.reason()?, self.message()?, self.source_component()?);
        Some(series_hash(
            self.namespace(),
            self.involved_uid(),
            self.involved_field_path(),
            self.involved_name(),
            reason,
            message,
            component,
        ))
    }
}

fn series_hash(
    ns: &str,
    uid: Option<&str>,
    field_path: Option<&str>,
    name: Option<&str>,
    reason: &str,
    message: &str,
    component: &str,
) -> u64 {
    // A fixed seed: the same input hashes the same in every run. The hash only groups
    // candidates, which are compared in full; it never reaches output.
    hash_of(&(ns, uid, field_path, name, reason, message, component))
}

/// The recorder's "same event" index: series hash → the slots of the events with that hash,
/// in key order (so the first match is the first by name, as a namespace list returns
/// them). Only looked up by hash, never read in hash order. (Almost every hash has one slot,
/// kept inline.)
#[derive(Clone, Debug, Default)]
struct SeriesIndex(HashSlots<SmallVec<[u32; 1]>>);

impl SeriesIndex {
    /// Adds `slot` (holding `key`) among the slots of `h`, in key order.
    fn insert(&mut self, h: u64, slot: u32, key: &EvKey, slots: &Slab) {
        let v = self.0.get_or_insert_with(h, SmallVec::new);
        if let Err(i) = v.binary_search_by(|s| slots.key(*s).cmp(key)) {
            v.insert(i, slot);
        }
    }

    fn remove(&mut self, h: u64, slot: u32) {
        let Some(v) = self.0.get_mut(h) else { return };
        v.retain(|s| *s != slot);
        if v.is_empty() {
            self.0.remove(h);
        }
    }

    fn slots(&self, h: u64) -> &[u32] {
        self.0.get(h).map_or(&[], |v| v.as_slice())
    }
}

// ---------------------------------------------------------------------------------------
// The table

/// Slots in chunks that never move: a table of a million events grows without copying
/// itself (and without holding the old and the new copy at once, as a doubling vector does).
#[derive(Clone, Debug, Default)]
struct Slab {
    chunks: Vec<Vec<Option<(EvKey, Entry)>>>,
    /// Slots emptied by a removal, for reuse.
    free: Vec<u32>,
    len: usize,
}

const CHUNK: usize = 4096;

impl Slab {
    fn get(&self, slot: u32) -> Option<&(EvKey, Entry)> {
        let s = slot as usize;
        self.chunks.get(s / CHUNK)?.get(s % CHUNK)?.as_ref()
    }

    fn get_mut(&mut self, slot: u32) -> Option<&mut (EvKey, Entry)> {
        let s = slot as usize;
        self.chunks.get_mut(s / CHUNK)?.get_mut(s % CHUNK)?.as_mut()
    }

    /// The key in a filled slot (the indexes only name filled slots).
    fn key(&self, slot: u32) -> &EvKey {
        match self.get(slot) {
            Some((k, _)) => k,
            None => unreachable!("an index names an empty event slot"),
        }
    }

    fn add(&mut self, key: EvKey, entry: Entry) -> u32 {
        self.len += 1;
        if let Some(slot) = self.free.pop() {
            let s = slot as usize;
            self.chunks[s / CHUNK][s % CHUNK] = Some((key, entry));
            return slot;
        }
        if self.chunks.last().is_none_or(|c| c.len() == CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let n = self.chunks.len() - 1;
        let last = &mut self.chunks[n];
        last.push(Some((key, entry)));
        (n * CHUNK + last.len() - 1) as u32
    }

    fn take(&mut self, slot: u32) -> Option<(EvKey, Entry)> {
        let s = slot as usize;
        let taken = self.chunks.get_mut(s / CHUNK)?.get_mut(s % CHUNK)?.take()?;
        self.len -= 1;
        self.free.push(slot);
        Some(taken)
    }

    fn filled(&self) -> impl Iterator<Item = (u32, &EvKey, &Entry)> {
        self.chunks
            .iter()
            .enumerate()
            .flat_map(|(c, chunk)| chunk.iter().enumerate().map(move |(i, s)| ((c * CHUNK + i) as u32, s)))
            .filter_map(|(slot, s)| s.as_ref().map(|(k, e)| (slot, k, e)))
    }
}

/// The events in key order, kept up to date only when read. Recording an event (millions
/// of them in a big cluster, and nothing reads them in order while it converges) costs no
/// search of an ordered map; the first ordered read after some writes sorts what was added
/// since the read before and merges it in.
#[derive(Clone, Debug, Default)]
struct Order {
    /// Slots in key order as of the last ordered read (some may since have been emptied).
    sorted: Vec<u32>,
    /// Slots filled since, in no order (a slot may be there twice, or emptied again).
    added: Vec<u32>,
    /// Slots emptied since (those of them in `sorted` are out of place).
    removed: Vec<u32>,
    /// The order the last ordered read made: moved into `sorted` at the next write.
    read: OnceLock<Vec<u32>>,
}

impl Order {
    /// Before a write: what the last read made becomes the base.
    fn settle(&mut self) {
        if let Some(v) = self.read.take() {
            self.sorted = v;
            self.added.clear();
            self.removed.clear();
        }
    }

    fn added(&mut self, slot: u32) {
        self.settle();
        self.added.push(slot);
    }

    fn removed(&mut self, slot: u32) {
        self.settle();
        self.removed.push(slot);
    }

    /// Every filled slot, in key order.
    fn get(&self, slots: &Slab) -> &[u32] {
        self.read.get_or_init(|| {
            if self.added.is_empty() && self.removed.is_empty() {
                return self.sorted.clone();
            }
            let cmp = |a: &u32, b: &u32| slots.key(*a).cmp(slots.key(*b));
            let mut added: Vec<u32> = self.added.iter().copied().filter(|s| slots.get(*s).is_some()).collect();
            added.sort_unstable_by(cmp);
            added.dedup();
            let gone: crate::sim::indexed::LookupSet<u32> = self.removed.iter().copied().collect();
            let mut out = Vec::with_capacity(self.sorted.len() + added.len());
            let mut rest = self.sorted.iter().copied().filter(|s| gone.is_empty() || !gone.contains(s)).peekable();
            for a in added {
                let key = slots.key(a);
                while let Some(s) = rest.next_if(|s| slots.key(*s) < key) {
                    out.push(s);
                }
                out.push(a);
            }
            out.extend(rest);
            debug_assert!(out.windows(2).all(|w| cmp(&w[0], &w[1]) == Ordering::Less));
            debug_assert_eq!(out.len(), slots.len);
            out
        })
    }
}

/// The store's Events.
#[derive(Debug, Default)]
pub(super) struct EventTable {
    slots: Slab,
    /// Hash of (namespace, name) → the slots with that hash.
    by_name: HashSlots<SmallVec<[u32; 1]>>,
    order: Order,
    /// Series hash → the slots (in key order) of the events that can be a recorded repeat.
    series: SeriesIndex,
    interner: Interner,
    /// Slots whose cache holds a built object, to be dropped at the next write.
    materialised: Mutex<Vec<u32>>,
}

impl Clone for EventTable {
    fn clone(&self) -> EventTable {
        EventTable {
            slots: self.slots.clone(),
            by_name: self.by_name.clone(),
            order: self.order.clone(),
            series: self.series.clone(),
            interner: self.interner.clone(),
            materialised: Mutex::new(Vec::new()),
        }
    }
}

/// The hash that finds a key by name (fixed seed: it only keys a table that is looked up).
fn name_hash(parts: (&str, &str, u64)) -> u64 {
    hash_of(&parts)
}

impl EventTable {
    fn find(&self, ns: &str, name: &str) -> Option<u32> {
        let (prefix, nanos) = split_name(name);
        self.find_parts((ns, prefix, nanos))
    }

    fn find_parts(&self, parts: (&str, &str, u64)) -> Option<u32> {
        let candidates = self.by_name.get(name_hash(parts))?;
        candidates.iter().copied().find(|s| self.slots.key(*s).parts() == parts)
    }

    fn lookup(&self, ns: &str, name: &str) -> Option<(u32, &EvKey, &Entry)> {
        let slot = self.find(ns, name)?;
        self.slots.get(slot).map(|(k, e)| (slot, k, e))
    }

    fn view_of(&self, slot: u32) -> Option<EventView<'_>> {
        self.slots.get(slot).map(|(key, entry)| EventView { table: self, slot, key, entry })
    }

    fn object<'a>(&'a self, slot: u32, key: &EvKey, entry: &'a Entry) -> &'a Object {
        match &entry.data {
            Data::Full(o) => o,
            Data::Compact(c) => entry.cache.get_or_init(|| {
                if let Ok(mut m) = self.materialised.lock() {
                    m.push(slot);
                }
                Object::Event(Box::new(c.to_event(key)))
            }),
        }
    }

    pub(super) fn contains(&self, ns: &str, name: &str) -> bool {
        self.find(ns, name).is_some()
    }

    pub(super) fn len(&self) -> usize {
        self.slots.len
    }

    pub(super) fn get(&self, ns: &str, name: &str) -> Option<&Object> {
        self.lookup(ns, name).map(|(s, k, e)| self.object(s, k, e))
    }

    /// The event as an owned object (without filling the cache).
    pub(super) fn owned(&self, ns: &str, name: &str) -> Option<Object> {
        self.lookup(ns, name).map(|(_, k, e)| e.owned(k))
    }

    pub(super) fn view(&self, ns: &str, name: &str) -> Option<EventView<'_>> {
        self.view_of(self.find(ns, name)?)
    }

    /// Events of one namespace or (None) all, ordered by namespace then name.
    pub(super) fn views(&self, ns: Option<&str>) -> impl Iterator<Item = EventView<'_>> {
        let order = self.order.get(&self.slots);
        let range = match ns {
            None => order,
            Some(ns) => {
                let start = order.partition_point(|s| self.slots.key(*s).namespace() < ns);
                let len = order[start..].partition_point(|s| self.slots.key(*s).namespace() == ns);
                &order[start..start + len]
            }
        };
        range.iter().filter_map(|s| self.view_of(*s))
    }

    /// Every event in no particular order (for readers whose result does not depend on it).
    pub(super) fn views_unordered(&self) -> impl Iterator<Item = EventView<'_>> {
        self.slots.filled().map(|(slot, key, entry)| EventView { table: self, slot, key, entry })
    }

    /// The resourceVersion of a stored event (outer None: no such event).
    pub(super) fn resource_version(&self, ns: &str, name: &str) -> Option<Option<String>> {
        self.lookup(ns, name).map(|(_, _, e)| match &e.data {
            Data::Compact(c) => Some(c.resource_version.to_string()),
            Data::Full(o) => o.meta().resource_version.clone(),
        })
    }

    /// The key for an event named `name` in `ns`.
    pub(super) fn key(&mut self, ns: &str, name: &str) -> EvKey {
        if let Some((_, k, _)) = self.lookup(ns, name) {
            return k.clone();
        }
        let (prefix, nanos) = split_name(name);
        EvKey { ns: self.interner.str(ns), prefix: self.interner.str(prefix), nanos }
    }

    /// Fills a new slot, indexed by name and listed as added.
    fn add(&mut self, key: EvKey, entry: Entry) -> u32 {
        let h = name_hash(key.parts());
        let slot = self.slots.add(key, entry);
        self.by_name.get_or_insert_with(h, SmallVec::new).push(slot);
        self.order.added(slot);
        slot
    }

    /// Stores `obj` (an `Object::Event` with its resourceVersion stamped) under `key`,
    /// replacing what was there.
    pub(super) fn insert(&mut self, key: EvKey, obj: Object) {
        self.interner.maybe_prune();
        let compact = obj.as_event().and_then(|e| {
            let c = Compact::of(&key, e, &mut self.interner)?;
            debug_assert_eq!(c.to_event(&key), *e, "an event's record must round-trip");
            Some(c)
        });
        let data = match compact {
            Some(c) => Data::Compact(c),
            None => Data::Full(obj),
        };
        let entry = Entry { data, cache: OnceLock::new() };
        let hash = (EventView { table: self, slot: 0, key: &key, entry: &entry }).series_hash();
        let slot = match self.find_parts(key.parts()) {
            Some(slot) => {
                // The same name: the entry is replaced where it is (its place in the order
                // stays right).
                self.unindex(slot);
                if let Some(kept) = self.slots.get_mut(slot) {
                    kept.1 = entry;
                }
                slot
            }
            None => self.add(key, entry),
        };
        if let Some(h) = hash {
            self.series.insert(h, slot, self.slots.key(slot), &self.slots);
        }
    }

    /// Stores a new recorded event, with resourceVersion `rv`, as the record `insert` would
    /// make of [`Recorded::event`] (`parts` from [`Recorded::compact_parts`]), built from the
    /// parts directly. False (and nothing stored) if its name is taken.
    pub(super) fn insert_recorded(&mut self, ns: &str, r: &Recorded<'_>, parts: (u64, u64, i64), rv: u64) -> bool {
        let (nanos, involved_rv, now) = parts;
        self.interner.maybe_prune();
        let involved = self.interner.involved(r.involved.involved_fields());
        let prefix = match &involved.name {
            Some(n) => n.clone(),
            None => self.interner.str(""),
        };
        let key = EvKey { ns: self.interner.str(ns), prefix, nanos };
        if self.find_parts(key.parts()).is_some() {
            return false;
        }
        let source = self.interner.source_of((r.component, r.host, r.type_, r.component, r.host.unwrap_or_default()));
        let c = Compact {
            uid: r.uid,
            resource_version: rv,
            involved_rv,
            created: now,
            first: now,
            last: now,
            count: 1,
            involved,
            reason: self.interner.str(r.reason),
            message: self.interner.str(r.message),
            source,
        };
        debug_assert!(
            {
                let mut e = r.event(ns);
                e.metadata.resource_version = Some(rv.to_string());
                Compact::of(&key, &e, &mut self.interner).as_ref() == Some(&c)
            },
            "a recorded event's record must be what the full event's would be"
        );
        let i = &r.involved;
        let h = series_hash(ns, i.uid, i.field_path, i.name, r.reason, r.message, r.component);
        let slot = self.add(key, Entry { data: Data::Compact(c), cache: OnceLock::new() });
        self.series.insert(h, slot, self.slots.key(slot), &self.slots);
        true
    }

    /// Takes an event out, as an owned object.
    pub(super) fn remove(&mut self, ns: &str, name: &str) -> Option<(EvKey, Object)> {
        let slot = self.find(ns, name)?;
        self.unindex(slot);
        let (key, entry) = self.slots.take(slot)?;
        if let Some(v) = self.by_name.get_mut(name_hash(key.parts())) {
            v.retain(|s| *s != slot);
            if v.is_empty() {
                self.by_name.remove(name_hash(key.parts()));
            }
        }
        self.order.removed(slot);
        let obj = match entry.data {
            Data::Compact(c) => Object::Event(Box::new(c.to_event(&key))),
            Data::Full(o) => o,
        };
        Some((key, obj))
    }

    /// Drops the series index entry of the event in `slot`, if any.
    fn unindex(&mut self, slot: u32) {
        if let Some(h) = self.view_of(slot).and_then(|v| v.series_hash()) {
            self.series.remove(h, slot);
        }
    }

    /// The first event (by name) in `ns` that is one of `series`: its slot and key.
    pub(super) fn find_series(&self, ns: &str, series: &Series<'_>) -> Option<(u32, &EvKey)> {
        let r = &series.involved;
        let h = series_hash(ns, r.uid, r.field_path, r.name, series.reason, series.message, series.component);
        self.series.slots(h).iter().find_map(|s| {
            let v = self.view_of(*s)?;
            v.is_of(ns, series).then_some((*s, v.key))
        })
    }

    /// Counts a repeat of the event in `slot` (from [`EventTable::find_series`]).
    pub(super) fn bump_count(&mut self, slot: u32, now: &Time, rv: u64) {
        let Some((key, entry)) = self.slots.get_mut(slot) else { return };
        entry.cache.take();
        if let (Data::Compact(c), Some(now)) = (&mut entry.data, secs(now)) {
            c.count += 1;
            c.last = now;
            c.resource_version = rv;
            return;
        }
        let (ns, name) = (key.ns.clone(), key.name());
        let Some((key, mut obj)) = self.remove(&ns, &name) else { return };
        if let Object::Event(e) = &mut obj {
            e.count = Some(e.count.unwrap_or(1) + 1);
            e.last_timestamp = Some(now.clone());
            e.metadata.resource_version = Some(rv.to_string());
        }
        self.insert(key, obj);
    }

    /// Drops the objects built for readers since the last call.
    pub(super) fn trim(&mut self) {
        let Ok(m) = self.materialised.get_mut() else { return };
        if m.is_empty() {
            return;
        }
        for slot in std::mem::take(m) {
            if let Some((_, e)) = self.slots.get_mut(slot) {
                e.cache.take();
            }
        }
    }

    /// How many entries hold a built object (for tests).
    #[cfg(test)]
    pub(super) fn cached(&self) -> usize {
        self.slots.filled().filter(|(_, _, e)| e.cache.get().is_some()).count()
    }

    /// How many entries are kept as records (for tests).
    #[cfg(test)]
    pub(super) fn compact_count(&self) -> usize {
        self.slots.filled().filter(|(_, _, e)| matches!(e.data, Data::Compact(_))).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_only_when_they_round_trip() {
        assert_eq!(split_name("web-1.180f3a2b3c4d5e6f"), ("web-1", 0x180f3a2b3c4d5e6f));
        assert_eq!(split_name("a.0"), ("a", 0));
        for n in ["web", "web.", "web.0a", "web.AB", "web.1ffffffffffffffff", "web.ffffffffffffffff", ".x"] {
            assert_eq!(split_name(n), (n, NONE), "{n}");
        }
        for n in [0u64, 1, 0xf, 0x10, 0xabc, u64::MAX - 1] {
            assert_eq!(Suffix::of(n).as_str(), format!(".{n:x}"));
        }
    }

    #[test]
    fn keys_order_as_their_names() {
        let names =
            ["a", "a.1", "a.10", "a.1f", "a.2", "a.f", "a.ff", "a.100", "a-b.1", "a.b", "ab.0", "a.", "b.ff", "", ".5"];
        let key = |n: &str| {
            let (prefix, nanos) = split_name(n);
            EvKey { ns: Arc::from("ns"), prefix: Arc::from(prefix), nanos }
        };
        for a in names {
            for b in names {
                assert_eq!(key(a).cmp(&key(b)), a.cmp(b), "{a} vs {b}");
            }
        }
    }

    /// The table lists its events in key order whatever happened between two reads: events
    /// added, removed, their slots reused, names replaced in place.
    #[test]
    fn the_order_follows_adds_removes_and_reuse() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut t = EventTable::default();
        let mut want: std::collections::BTreeSet<(String, String)> = Default::default();
        let event = |ns: &str, name: &str| {
            Object::Event(Box::new(Event {
                metadata: ObjectMeta { name: Some(name.into()), namespace: Some(ns.into()), ..Default::default() },
                ..Default::default()
            }))
        };
        for round in 0..300 {
            for _ in 0..rng.gen_range(0..6) {
                let ns = ["a", "b", "kube-system"][rng.gen_range(0..3)];
                let name = match rng.gen_range(0..3) {
                    0 => format!("pod-{}.{:x}", rng.gen_range(0..20), rng.gen_range(1..4096u64)),
                    1 => format!("pod-{}", rng.gen_range(0..20)),
                    _ => format!("pod-{}-x.{:x}", rng.gen_range(0..5), rng.gen_range(1..64u64)),
                };
                if rng.gen_bool(0.3) {
                    if let Some(victim) = want.iter().nth(rng.gen_range(0..want.len().max(1))).cloned() {
                        assert!(t.remove(&victim.0, &victim.1).is_some());
                        want.remove(&victim);
                    }
                } else {
                    let key = t.key(ns, &name);
                    t.insert(key, event(ns, &name));
                    want.insert((ns.to_string(), name));
                }
            }
            if round % 3 == 0 {
                let all: Vec<(String, String)> = t.views(None).map(|v| (v.namespace().to_string(), v.name())).collect();
                assert_eq!(all, want.iter().cloned().collect::<Vec<_>>(), "round {round}");
                let b: Vec<String> = t.views(Some("b")).map(|v| v.name()).collect();
                let want_b: Vec<String> = want.iter().filter(|(ns, _)| ns == "b").map(|(_, n)| n.clone()).collect();
                assert_eq!(b, want_b, "round {round}");
            }
            assert_eq!(t.len(), want.len());
            assert_eq!(t.views_unordered().count(), want.len());
            for (ns, name) in &want {
                assert!(t.contains(ns, name), "{ns}/{name}");
            }
        }
    }

    #[test]
    fn bytes_compare_as_slices_do() {
        let words = [
            "",
            "a",
            "b",
            "abcdefgh",
            "abcdefgi",
            "abcdefghij",
            "abcdefghik",
            "bench-0042-7c5ddbdf54-abcde",
            "bench-0042-7c5ddbdf54-abcdf",
            "bench-0043-7c5ddbdf54-aaaaa",
            "\u{ff}\u{0}zzzzzzz",
        ];
        for a in words {
            for b in words {
                let n = a.len().min(b.len());
                let (a, b) = (&a.as_bytes()[..n], &b.as_bytes()[..n]);
                assert_eq!(cmp_bytes(a, b), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn uids_and_decimals_round_trip_or_are_refused() {
        let u = "0a1b2c3d-4e5f-4a0b-8c1d-2e3f4a5b6c7d";
        assert_eq!(format_uid(parse_uid(u).unwrap()), u);
        assert_eq!(parse_uid("0A1B2C3D-4e5f-4a0b-8c1d-2e3f4a5b6c7d"), None);
        assert_eq!(parse_uid("0a1b2c3d4e5f4a0b8c1d2e3f4a5b6c7d"), None);
        assert_eq!(parse_decimal("120"), Some(120));
        assert_eq!(parse_decimal("0"), Some(0));
        for s in ["", "012", "+1", "-1", "1a", "99999999999999999999"] {
            assert_eq!(parse_decimal(s), None, "{s}");
        }
    }
}
