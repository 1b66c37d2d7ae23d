//! `kubectl rollout` (not built yet).

use crate::kubectl::Ctx;

pub fn run(ctx: &mut Ctx, _args: &[String]) {
    ctx.out.fail("error: kubedojo does not simulate \"kubectl rollout\" yet");
}
