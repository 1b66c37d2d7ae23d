//! `kubectl run`.
use crate::kubectl::Ctx;
pub fn run(ctx: &mut Ctx, _args: &[String]) {
    ctx.out.fail("error: run not wired yet");
}
