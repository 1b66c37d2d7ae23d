//! `kubectl cp SRC DEST` between the learner's files and a container (`[ns/]pod:path`,
//! `-c`). kubectl streams a tar archive through `kubectl exec ... tar`; kubedojo copies the
//! files directly between the two filesystems and reproduces what that pipeline shows: the
//! container's tar warning (`tar: Removing leading `/' from member names`, GNU or busybox
//! wording by image, on stdout as kubectl wires it), its errors and exit codes, kubectl's
//! destination rules (into an existing directory, a copied directory's contents to DEST).

use clap::{Arg, ArgAction};

use super::{command, flag, namespace, opt, parse};
use crate::kubectl::Ctx;
use crate::shell::vfs::resolve_path;
use crate::shell::{Fs, FsView};
use crate::sim::api::rbac::Attributes;
use crate::sim::Kind;

/// `[[namespace/]pod:]file/path`.
#[derive(Clone, Debug, PartialEq)]
struct FileSpec {
    namespace: Option<String>,
    pod: Option<String>,
    file: String,
}

const BAD_SPEC: &str = "error: filespec must match the canonical format: [[namespace/]pod:]file/path";

fn extract_file_spec(arg: &str) -> Result<FileSpec, &'static str> {
    match arg.find(':') {
        Some(0) => Err(BAD_SPEC),
        None => Ok(FileSpec { namespace: None, pod: None, file: arg.to_string() }),
        Some(i) => {
            let (pod, file) = (&arg[..i], &arg[i + 1..]);
            let pieces: Vec<&str> = pod.split('/').collect();
            match pieces.as_slice() {
                [p] => Ok(FileSpec { namespace: None, pod: Some(p.to_string()), file: file.to_string() }),
                [n, p] => {
                    Ok(FileSpec { namespace: Some(n.to_string()), pod: Some(p.to_string()), file: file.to_string() })
                }
                _ => Err(BAD_SPEC),
            }
        }
    }
}

/// Files under `path` in `fs` (the path itself if it is a file), relative to `path`, with
/// the empty directories a tar archive would carry.
fn walk(fs: &dyn Fs, path: &str) -> Vec<(String, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    if !fs.is_dir(path) {
        if let Ok(data) = fs.read(path) {
            out.push((String::new(), Some(data)));
        }
        return out;
    }
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let dir = if rel.is_empty() { path.to_string() } else { format!("{}/{rel}", path.trim_end_matches('/')) };
        let names = fs.list(&dir).unwrap_or_default();
        if names.is_empty() && !rel.is_empty() {
            out.push((rel.clone(), None));
        }
        for n in names.iter().rev() {
            let child_rel = if rel.is_empty() { n.clone() } else { format!("{rel}/{n}") };
            let child = format!("{}/{n}", dir.trim_end_matches('/'));
            if fs.is_dir(&child) {
                stack.push(child_rel);
            } else if let Ok(data) = fs.read(&child) {
                out.push((child_rel, Some(data)));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// `mkdir -p` in `fs`.
fn mkdir_all(fs: &mut dyn Fs, path: &str, now: u64) -> Result<(), String> {
    let mut cur = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        cur.push('/');
        cur.push_str(part);
        if !fs.exists(&cur) {
            fs.mkdir(&cur, now).map_err(|e| format!("mkdir {cur}: {e}"))?;
        } else if !fs.is_dir(&cur) {
            return Err(format!("mkdir {cur}: not a directory"));
        }
    }
    Ok(())
}

fn parent(p: &str) -> String {
    match p.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) | None => "/".into(),
        Some((d, _)) => d.to_string(),
    }
}

fn base(p: &str) -> String {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string()
}

/// Whether the image's tar is busybox's (busybox, alpine-based images) or GNU tar.
fn busybox_tar(image: &str) -> bool {
    let repo = image.rsplit('/').next().unwrap_or(image);
    repo.starts_with("busybox") || repo.starts_with("alpine") || repo.contains("alpine")
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("cp")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("container").short('c').long("container").num_args(1))
        .arg(flag("no-preserve"))
        .arg(opt("retries").allow_negative_numbers(true));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    if positional.len() != 2 {
        return ctx.out.fail("error: source and destination are required");
    }
    let (src, dest) = match (extract_file_spec(&positional[0]), extract_file_spec(&positional[1])) {
        (Ok(s), Ok(d)) => (s, d),
        (Err(e), _) | (_, Err(e)) => return ctx.out.fail(e),
    };
    if src.pod.is_some() && dest.pod.is_some() {
        return ctx.out.fail("error: one of src or dest must be a local file specification");
    }
    if src.file.is_empty() || dest.file.is_empty() {
        return ctx.out.fail("error: filepath can not be empty");
    }
    let ns_default = namespace(ctx, &m);
    let container = m.get_one::<String>("container").cloned();
    if src.pod.is_some() {
        copy_from_pod(ctx, &src, &dest, &ns_default, container);
    } else if dest.pod.is_some() {
        copy_to_pod(ctx, &src, &dest, &ns_default, container);
    } else {
        ctx.out.fail("error: one of src or dest must be a remote file specification");
    }
}

/// The pod's running container the exec goes to, or kubectl's error.
fn target(ctx: &mut Ctx, ns: &str, pod: &str, container: Option<String>) -> Result<(String, String), String> {
    super::auth::authorize_kind(ctx, "get", Kind::Pod, ns, pod)?;
    let Some(obj) = ctx.world.store.get(Kind::Pod, ns, pod).and_then(|o| o.as_pod()).cloned() else {
        return Err(super::get::not_found(Kind::Pod, pod));
    };
    let phase = obj.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return Err(format!("error: cannot exec into a container in a completed pod; current phase is {phase}"));
    }
    let cname = super::logs::pick_container(ctx, ns, pod, container.as_ref())?;
    let exec = Attributes::for_kind("create", Kind::Pod, ns, pod).with_subresource("exec");
    super::auth::authorize(ctx, &exec)?;
    let running = ctx.world.kubelet.find(ns, pod).and_then(|rt| rt.container(&cname)).is_some_and(|c| c.is_running());
    if !running {
        return Err(format!("error: unable to upgrade connection: container not found (\"{cname}\")"));
    }
    let image = obj
        .spec
        .iter()
        .flat_map(|s| s.containers.iter().chain(s.init_containers.iter().flatten()))
        .find(|c| c.name == cname)
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    Ok((cname, image))
}

fn copy_to_pod(ctx: &mut Ctx, src: &FileSpec, dest: &FileSpec, ns_default: &str, container: Option<String>) {
    let local = resolve_path(&ctx.cwd, &src.file);
    if !ctx.files.exists(&local) {
        return ctx.out.fail(&format!("error: {} doesn't exist in local filesystem", src.file));
    }
    let ns = dest.namespace.clone().unwrap_or_else(|| ns_default.to_string());
    let pod = dest.pod.clone().unwrap_or_default();
    let (cname, image) = match target(ctx, &ns, &pod, container) {
        Ok(t) => t,
        Err(e) => return ctx.out.fail(&e),
    };
    let files = walk(&*ctx.files, &local);
    let now = ctx.world.now.unix_s().max(0) as u64;
    let Some(rt) = ctx.world.kubelet.find(&ns, &pod).cloned() else { return };
    let Some(c) = rt.container(&cname).cloned() else { return };
    let mut view = FsView { volumes: &mut ctx.world.kubelet.fs, mounts: &c.mounts };
    // Relative remote paths are relative to the container's working directory (`/`).
    let remote = resolve_path("/", &dest.file);
    // Into an existing directory: the source keeps its name there.
    let dest_path =
        if view.is_dir(&remote) { format!("{}/{}", remote.trim_end_matches('/'), base(&local)) } else { remote };
    let dir = parent(&dest_path);
    if !view.is_dir(&dir) {
        // `tar -xmf - -C DIR` fails when DIR does not exist.
        let msg = if busybox_tar(&image) {
            format!("tar: can't change directory to '{dir}': No such file or directory\n")
        } else {
            format!("tar: {dir}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n")
        };
        ctx.out.err(&msg);
        ctx.out.err("command terminated with exit code 2\n");
        ctx.out.code = 2;
        return;
    }
    for (rel, data) in files {
        let path =
            if rel.is_empty() { dest_path.clone() } else { format!("{}/{rel}", dest_path.trim_end_matches('/')) };
        let made = match &data {
            Some(bytes) => mkdir_all(&mut view, &parent(&path), now)
                .and_then(|_| view.write(&path, bytes, false, now).map_err(|e| format!("{path}: Cannot open: {e}"))),
            None => mkdir_all(&mut view, &path, now),
        };
        if let Err(e) = made {
            ctx.out.err(&format!("tar: {e}\n"));
            ctx.out.err("command terminated with exit code 2\n");
            ctx.out.code = 2;
            return;
        }
    }
}

fn copy_from_pod(ctx: &mut Ctx, src: &FileSpec, dest: &FileSpec, ns_default: &str, container: Option<String>) {
    let ns = src.namespace.clone().unwrap_or_else(|| ns_default.to_string());
    let pod = src.pod.clone().unwrap_or_default();
    let (cname, image) = match target(ctx, &ns, &pod, container) {
        Ok(t) => t,
        Err(e) => return ctx.out.fail(&e),
    };
    let busybox = busybox_tar(&image);
    let Some(rt) = ctx.world.kubelet.find(&ns, &pod).cloned() else { return };
    let Some(c) = rt.container(&cname).cloned() else { return };
    let view = FsView { volumes: &mut ctx.world.kubelet.fs, mounts: &c.mounts };
    let remote = resolve_path("/", &src.file);
    // tar's own stderr reaches kubectl's stdout (the tar pipe's ErrOut is o.Out).
    if src.file.starts_with('/') {
        if busybox {
            ctx.out.out("tar: removing leading '/' from member names\n");
        } else {
            ctx.out.out("tar: Removing leading `/' from member names\n");
        }
    }
    if !view.exists(&remote) {
        if busybox {
            ctx.out.out(&format!("tar: {}: No such file or directory\n", src.file));
            ctx.out.err("command terminated with exit code 1\n");
            ctx.out.code = 1;
        } else {
            ctx.out.out(&format!(
                "tar: {}: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n",
                src.file
            ));
            ctx.out.err("command terminated with exit code 2\n");
            ctx.out.code = 2;
        }
        return;
    }
    let files = walk(&view, &remote);
    let now = ctx.world.now.unix_s().max(0) as u64;
    let local = resolve_path(&ctx.cwd, &dest.file);
    for (rel, data) in files {
        let path = if rel.is_empty() { local.clone() } else { format!("{}/{rel}", local.trim_end_matches('/')) };
        let made = match &data {
            Some(bytes) => mkdir_all(ctx.files, &parent(&path), now).and_then(|_| {
                if ctx.files.is_dir(&path) {
                    return Err(format!("open {path}: is a directory"));
                }
                ctx.files.write(&path, bytes, false, now).map_err(|e| format!("open {path}: {e}"))
            }),
            None => mkdir_all(ctx.files, &path, now),
        };
        if let Err(e) = made {
            return ctx.out.fail(&format!("error: {e}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_specs() {
        assert_eq!(
            extract_file_spec("dev/web:/etc/hosts"),
            Ok(FileSpec { namespace: Some("dev".into()), pod: Some("web".into()), file: "/etc/hosts".into() })
        );
        assert_eq!(
            extract_file_spec("web:x"),
            Ok(FileSpec { namespace: None, pod: Some("web".into()), file: "x".into() })
        );
        assert_eq!(extract_file_spec("./a.txt").unwrap().pod, None);
        assert_eq!(extract_file_spec(":x"), Err(BAD_SPEC));
        assert_eq!(extract_file_spec("a/b/c:x"), Err(BAD_SPEC));
        assert!(busybox_tar("busybox:1.36") && busybox_tar("nginx:1.27-alpine") && !busybox_tar("nginx"));
    }
}
