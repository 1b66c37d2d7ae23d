//! `controller.ComputeHash`: the pod-template-hash of a Deployment's template — FNV-32a over
//! a dump of the template, then the collisionCount as 8 little-endian bytes, printed in
//! decimal and passed through `rand.SafeEncodeString` (each digit becomes one of the safe
//! alphabet's characters), which is why real hashes look like `7c5ddbdf54`.

use k8s_openapi::api::core::v1::PodTemplateSpec;

use super::spew;

/// The FNV-1a 32-bit hash.
#[derive(Clone, Copy, Debug)]
pub struct Fnv32a(u32);

impl Fnv32a {
    pub fn new() -> Fnv32a {
        Fnv32a(0x811c_9dc5)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u32;
            self.0 = self.0.wrapping_mul(0x0100_0193);
        }
    }

    pub fn sum32(self) -> u32 {
        self.0
    }
}

impl Default for Fnv32a {
    fn default() -> Self {
        Fnv32a::new()
    }
}

/// `rand.SafeEncodeString`: each byte maps into "bcdfghjklmnpqrstvwxz2456789".
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes().map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char).collect()
}

/// `controller.ComputeHash(template, collisionCount)`.
pub fn compute_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let mut h = Fnv32a::new();
    h.write(spew::dump_pod_template_spec(template).as_bytes());
    if let Some(c) = collision_count {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&(c as u32).to_le_bytes());
        h.write(&bytes);
    }
    safe_encode(&h.sum32().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv32a_known_values() {
        let mut h = Fnv32a::new();
        h.write(b"");
        assert_eq!(h.sum32(), 0x811c9dc5);
        let mut h = Fnv32a::new();
        h.write(b"a");
        assert_eq!(h.sum32(), 0xe40c292c);
        let mut h = Fnv32a::new();
        h.write(b"foobar");
        assert_eq!(h.sum32(), 0xbf9cf968);
    }

    #[test]
    fn safe_encoding_of_digits() {
        assert_eq!(safe_encode("0123456789"), "456789bcdf");
    }

    #[test]
    fn collision_count_changes_the_hash() {
        let t = PodTemplateSpec::default();
        assert_ne!(compute_hash(&t, None), compute_hash(&t, Some(1)));
        assert!(compute_hash(&t, None).chars().all(|c| "456789bcdf".contains(c)));
    }
}
