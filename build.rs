//! Rebuilds when the embedded course changes: `include_dir!` (src/lesson/load.rs) embeds
//! lessons/ and scenarios/, but on stable Rust it cannot tell cargo to watch them.

fn main() {
    println!("cargo:rerun-if-changed=lessons");
    println!("cargo:rerun-if-changed=scenarios");
    println!("cargo:rerun-if-changed=build.rs");
}
