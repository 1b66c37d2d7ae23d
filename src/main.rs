//! The `kubedojo` binary: see `kubedojo --help` and DESIGN §10 for the command line.

fn main() {
    std::process::exit(kubedojo::cli::main());
}
