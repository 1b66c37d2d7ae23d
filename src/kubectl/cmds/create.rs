//! `kubectl create`: from files (`-f`) or with a generator.
use super::parse;
use crate::kubectl::Ctx;
pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = super::apply::create_command().arg(clap::Arg::new("args").num_args(0..).action(clap::ArgAction::Append));
    let Some(m) = parse(ctx, cmd, args) else { return };
    super::apply::create_from_files(ctx, &m)
}
