//! Oracle test for kustomize: every case builds a kustomization directory with the installed
//! real `kubectl kustomize` (v1.32, kustomize v5.5.0, client-side) and with kubedojo's, and
//! stdout, stderr and the exit code must be the same bytes. Skipped when kubectl is not
//! installed.
//!
//! The files live in a temporary directory for the real kubectl and in the workstation's home
//! (`/root`) for kubedojo; error texts carry absolute paths, so the temporary directory is
//! written as `/root` before comparing. klog lines are compared without their time and process
//! id.

use std::path::{Path, PathBuf};
use std::process::Command;

use kubedojo::shell::workstation::Workstation;
use kubedojo::shell::Fs;
use kubedojo::sim::World;

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: runner
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
        envFrom:
        - configMapRef:
            name: web-config
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef:
              name: web-secret
              key: password
        volumeMounts:
        - name: config
          mountPath: /etc/web
      volumes:
      - name: config
        configMap:
          name: web-config
      - name: data
        persistentVolumeClaim:
          claimName: data
";

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
";

const EXTRAS: &str = "apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules:
- apiGroups: [\"\"]
  resources: [configmaps]
  resourceNames: [web-config]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader
subjects:
- kind: ServiceAccount
  name: runner
- kind: ServiceAccount
  name: default
  namespace: elsewhere
- kind: User
  name: jane
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  tls:
  - hosts: [web.example.com]
    secretName: web-tls
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 1
  maxReplicas: 5
";

const CRONJOB: &str = "apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: \"*/5 * * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          initContainers:
          - name: wait
            image: busybox:1.36@sha256:0123
          containers:
          - name: report
            image: busybox
            args: [sh, -c, date]
            envFrom:
            - secretRef:
                name: web-secret
";

/// A kubectl-generated manifest, with its `creationTimestamp: null` and empty maps.
const GENERATED: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels:
    app: api
  name: api
spec:
  replicas: 1
  selector:
    matchLabels:
      app: api
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: api
    spec:
      containers:
      - image: my.registry:5000/team/api:v1
        name: api
        resources: {}
status: {}
";

/// The files of every case, relative to the working directory.
fn files() -> Vec<(&'static str, Vec<u8>)> {
    let mut f: Vec<(&'static str, Vec<u8>)> = vec![
        ("base/deploy.yaml", DEPLOY.into()),
        ("base/service.yaml", SERVICE.into()),
        ("base/extras.yaml", EXTRAS.into()),
        ("base/app.properties", "color=blue\nmode=prod\n".into()),
        ("base/app.env", "# settings\nLOG_LEVEL=debug\n\n  TIMEOUT = 30\r\nEMPTY=\nQUOTED=\"x\"\n".into()),
        (
            "base/kustomization.yaml",
            "resources:
- deploy.yaml
- service.yaml
- extras.yaml
configMapGenerator:
- name: web-config
  literals:
  - GREETING=hello
  - SAYING=\"two words\"
  files:
  - app.properties
  envs:
  - app.env
secretGenerator:
- name: web-secret
  literals:
  - password=s3cr3t
"
            .into(),
        ),
        (
            "overlays/prod/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod
namePrefix: prod-
nameSuffix: -v2
commonLabels:
  env: prod
commonAnnotations:
  owner: team-a
images:
- name: nginx
  newName: registry.local/nginx
  newTag: \"1.27\"
replicas:
- name: web
  count: 3
resources:
- ../../base
- cron.yaml
configMapGenerator:
- name: web-config
  behavior: merge
  literals:
  - GREETING=bonjour
  - EXTRA=1
secretGenerator:
- name: db
  type: kubernetes.io/basic-auth
  literals:
  - username=admin
  - password=hunter2
generatorOptions:
  labels:
    generated: \"yes\"
patches:
- path: more-memory.yaml
- target:
    kind: Deployment
    name: web
  patch: |-
    - op: add
      path: /spec/template/spec/containers/0/args
      value: [\"--verbose\"]
"
            .into(),
        ),
        ("overlays/prod/cron.yaml", CRONJOB.into()),
        (
            "overlays/prod/more-memory.yaml",
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: sidecar
        image: busybox
        command: [sleep, \"3600\"]
      - name: web
        resources:
          limits:
            memory: 256Mi
"
            .into(),
        ),
        // labels with and without selectors, and annotations.
        (
            "labels/kustomization.yaml",
            "resources:
- ../base/deploy.yaml
labels:
- pairs:
    team: a
- pairs:
    tier: front
  includeSelectors: true
- pairs:
    version: v1
  includeTemplates: true
"
            .into(),
        ),
        ("labels/deploy.yaml", DEPLOY.into()),
        // a namespace object, a cluster-scoped object, images by digest.
        (
            "ns/kustomization.yaml",
            "namespace: team-x
namePrefix: x-
images:
- name: busybox
  digest: sha256:deadbeef
- name: my.registry:5000/team/api
  newTag: v2
resources:
- things.yaml
- generated.yaml
"
            .into(),
        ),
        (
            "ns/things.yaml",
            "apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv1
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  storageClassName: fast
  hostPath:
    path: /data
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: rancher.io/local-path
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: crb
subjects:
- kind: ServiceAccount
  name: default
  namespace: kube-system
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
---
apiVersion: v1
kind: Pod
metadata:
  name: tool
spec:
  containers:
  - name: tool
    image: busybox
"
            .into(),
        ),
        ("ns/generated.yaml", GENERATED.into()),
        // generators in every form.
        ("gen/app.conf", "line1\nline2\n".into()),
        ("gen/bin.dat", vec![0xff, 0xfe, 0x00]),
        (
            "gen/kustomization.yaml",
            "configMapGenerator:
- name: files
  files:
  - app.conf
  - renamed.conf=app.conf
  - bin.dat
- name: plain
  options:
    disableNameSuffixHash: true
    labels:
      kind: plain
    annotations:
      note: fixed
  literals:
  - x=y
- name: empty
- name: frozen
  options:
    immutable: true
  literals:
  - a=b
secretGenerator:
- name: tls
  type: kubernetes.io/tls
  literals:
  - tls.crt=CERT
  - tls.key=KEY
- name: from-file
  files:
  - app.conf
generatorOptions:
  annotations:
    made-by: kustomize
"
            .into(),
        ),
        // strategic merge patches, deprecated fields, a patch deleting an object.
        (
            "smp/kustomization.yaml",
            "resources:
- pod.yaml
patchesStrategicMerge:
- patch.yaml
- |-
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: gone
  $patch: delete
patchesJson6902:
- target:
    version: v1
    kind: Pod
    name: p
  patch: |-
    [{\"op\": \"replace\", \"path\": \"/spec/containers/0/image\", \"value\": \"nginx:1.27\"},
     {\"op\": \"add\", \"path\": \"/metadata/annotations\", \"value\": {\"patched\": \"true\"}}]
"
            .into(),
        ),
        (
            "smp/pod.yaml",
            "apiVersion: v1
kind: Pod
metadata:
  name: p
  labels:
    a: b
spec:
  containers:
  - name: a
    image: a
    env:
    - name: X
      value: \"1\"
  - name: b
    image: b
  volumes:
  - name: v1
    emptyDir: {}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: gone
data:
  k: v
"
            .into(),
        ),
        (
            "smp/patch.yaml",
            "apiVersion: v1
kind: Pod
metadata:
  name: p
  labels:
    a: null
    c: d
spec:
  containers:
  - name: b
    image: b2
    env:
    - name: Y
      value: \"2\"
  - name: a
    env:
    - name: X
      value: \"one\"
  volumes:
  - name: v2
    emptyDir: {}
"
            .into(),
        ),
        // patches selected by label and name regex.
        (
            "select/kustomization.yaml",
            "resources:
- pods.yaml
patches:
- target:
    kind: Pod
    labelSelector: tier=web
  patch: |-
    apiVersion: v1
    kind: Pod
    metadata:
      name: any
      annotations:
        selected: by-label
- target:
    name: db-.*
  patch: |-
    - op: add
      path: /metadata/labels/db
      value: \"true\"
"
            .into(),
        ),
        (
            "select/pods.yaml",
            "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-1
    labels: {tier: web}
  spec:
    containers: [{name: c, image: nginx}]
- apiVersion: v1
  kind: Pod
  metadata:
    name: db-1
    labels: {tier: db}
  spec:
    containers: [{name: c, image: redis}]
"
            .into(),
        ),
        // errors.
        ("err-none/README", "no kustomization here\n".into()),
        ("err-empty/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n".into()),
        ("err-unknown/kustomization.yaml", "resource:\n- a.yaml\n".into()),
        ("err-type/kustomization.yaml", "resources: deploy.yaml\n".into()),
        ("err-yaml/kustomization.yaml", "resources: [\n".into()),
        ("err-missing/kustomization.yaml", "resources:\n- nothere.yaml\n".into()),
        ("err-outside/kustomization.yaml", "resources:\n- ../base/deploy.yaml\n".into()),
        ("err-dir/kustomization.yaml", "resources:\n- sub\n".into()),
        ("err-dir/sub/x.txt", "x\n".into()),
        ("err-dup/kustomization.yaml", "resources:\n- d.yaml\n- d.yaml\n".into()),
        ("err-dup/d.yaml", SERVICE.into()),
        ("err-literal/kustomization.yaml", "configMapGenerator:\n- name: c\n  literals:\n  - novalue\n".into()),
        ("err-repeat/kustomization.yaml", "configMapGenerator:\n- name: c\n  literals:\n  - a=1\n  - a=2\n".into()),
        ("err-noname/kustomization.yaml", "secretGenerator:\n- literals:\n  - a=1\n".into()),
        ("err-file/kustomization.yaml", "configMapGenerator:\n- name: c\n  files:\n  - missing.txt\n".into()),
        (
            "err-patch/kustomization.yaml",
            "resources:\n- d.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: nope\n"
                .into(),
        ),
        ("err-patch/d.yaml", SERVICE.into()),
        ("err-replicas/kustomization.yaml", "resources:\n- d.yaml\nreplicas:\n- name: nope\n  count: 2\n".into()),
        ("err-replicas/d.yaml", SERVICE.into()),
        ("err-kind/kustomization.yaml", "kind: Deployment\nresources:\n- d.yaml\n".into()),
        ("err-kind/d.yaml", SERVICE.into()),
        ("err-merge/kustomization.yaml", "configMapGenerator:\n- name: c\n  behavior: merge\n  literals:\n  - a=1\n".into()),
        ("err-patchfile/kustomization.yaml", "patches:\n- path: nothere.yaml\n".into()),
        // overlays of overlays: prefixes stack, references follow.
        ("stack/kustomization.yaml", "namePrefix: s-\nnamespace: staging\nresources:\n- ../overlays/prod\ncommonAnnotations:\n  stage: \"2\"\n".into()),
        // generators with their own namespace; references only within a namespace.
        (
            "nsgen/kustomization.yaml",
            "resources:
- pods.yaml
configMapGenerator:
- name: cfg
  namespace: a
  literals:
  - k=v
secretGenerator:
- name: creds
  envs:
  - creds.env
"
            .into(),
        ),
        ("nsgen/creds.env", "USER=admin\nPASS=pw\n".into()),
        (
            "nsgen/pods.yaml",
            "apiVersion: v1
kind: Pod
metadata:
  name: in-a
  namespace: a
spec:
  containers:
  - name: c
    image: busybox
    envFrom:
    - configMapRef:
        name: cfg
    - secretRef:
        name: creds
---
apiVersion: v1
kind: Pod
metadata:
  name: in-b
  namespace: b
spec:
  containers:
  - name: c
    image: busybox
    envFrom:
    - configMapRef:
        name: cfg
---

# a comment-only document
---
apiVersion: v1
kind: Pod
metadata:
  name: plain
spec:
  containers:
  - name: c
    image: busybox
    env:
    - name: U
      valueFrom:
        secretKeyRef:
          name: creds
          key: USER
"
            .into(),
        ),
        // RBAC and a StatefulSet with its service, claims and deprecated `bases`.
        (
            "sts/kustomization.yaml",
            "bases:
- ../stsbase
namePrefix: p-
commonLabels:
  app.kubernetes.io/part-of: shop
"
            .into(),
        ),
        ("stsbase/kustomization.yaml", "resources:\n- all.yaml\n".into()),
        (
            "stsbase/all.yaml",
            "apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  ports:
  - port: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      serviceAccountName: db
      containers:
      - name: postgres
        image: postgres:16
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      storageClassName: fast
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: db
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: db-reader
rules:
- apiGroups: [\"\"]
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: db-reader
subjects:
- kind: ServiceAccount
  name: db
  namespace: default
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: db-reader
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: rancher.io/local-path
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: db
"
            .into(),
        ),
        // patch files: a JSON patch in YAML with a full target, a rename allowed by options.
        (
            "jp/kustomization.yaml",
            "resources:
- ../base/service.yaml
patches:
- path: ports.yaml
  target:
    group: \"\"
    version: v1
    kind: Service
    name: web
- options:
    allowNameChange: true
  patch: |-
    apiVersion: v1
    kind: Service
    metadata:
      name: renamed
    spec:
      type: NodePort
  target:
    kind: Service
"
            .into(),
        ),
        (
            "jp/ports.yaml",
            "- op: replace
  path: /spec/ports/0/port
  value: 8080
- op: add
  path: /spec/ports/-
  value:
    name: metrics
    port: 9090
- op: remove
  path: /spec/selector
"
            .into(),
        ),
        ("err-nokind/kustomization.yaml", "resources:\n- x.yaml\n".into()),
        ("err-nokind/x.yaml", "apiVersion: v1\nmetadata:\n  name: x\n".into()),
        ("err-noname2/kustomization.yaml", "resources:\n- x.yaml\n".into()),
        ("err-noname2/x.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n".into()),
        (
            "err-jsonnotarget/kustomization.yaml",
            "resources:\n- d.yaml\npatches:\n- patch: |-\n    - op: remove\n      path: /spec\n".into(),
        ),
        ("err-jsonnotarget/d.yaml", SERVICE.into()),
        ("err-component/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- d.yaml\n".into()),
        ("err-component/d.yaml", SERVICE.into()),
        ("err-badyaml/kustomization.yaml", "resources:\n- x.yaml\n".into()),
        ("err-badyaml/x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n".into()),
        ("err-labeltype/kustomization.yaml", "resources:\n- d.yaml\ncommonLabels:\n  replicas: 3\n".into()),
        ("err-labeltype/d.yaml", SERVICE.into()),
        ("err-twofiles/kustomization.yaml", "resources: []\n".into()),
        ("err-twofiles/kustomization.yml", "resources: []\n".into()),
    ];
    f.sort();
    f
}

/// The command lines (after `kubectl`), as a shell would split them.
const CASES: &[&[&str]] = &[
    &["kustomize", "base"],
    &["kustomize", "overlays/prod"],
    &["kustomize", "./labels/"],
    &["kustomize", "ns"],
    &["kustomize", "gen"],
    &["kustomize", "smp"],
    &["kustomize", "select"],
    &["kustomize", "err-none"],
    &["kustomize", "err-empty"],
    &["kustomize", "err-unknown"],
    &["kustomize", "err-type"],
    &["kustomize", "err-yaml"],
    &["kustomize", "err-missing"],
    &["kustomize", "err-outside"],
    &["kustomize", "err-dir"],
    &["kustomize", "err-dup"],
    &["kustomize", "err-literal"],
    &["kustomize", "err-repeat"],
    &["kustomize", "err-noname"],
    &["kustomize", "err-file"],
    &["kustomize", "err-patch"],
    &["kustomize", "err-replicas"],
    &["kustomize", "err-kind"],
    &["kustomize", "err-merge"],
    &["kustomize", "err-patchfile"],
    &["kustomize", "stack"],
    &["kustomize", "nsgen"],
    &["kustomize", "sts"],
    &["kustomize", "jp"],
    &["kustomize", "err-nokind"],
    &["kustomize", "err-noname2"],
    &["kustomize", "err-jsonnotarget"],
    &["kustomize", "err-component"],
    &["kustomize", "err-badyaml"],
    &["kustomize", "err-labeltype"],
    &["kustomize", "err-twofiles"],
    &["kustomize", "nothere"],
    &["kustomize", "base/deploy.yaml"],
    &["kustomize", "base", "ns"],
    &["kustomize"],
];

fn setup_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubedojo-oracle-kustomize-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, data) in files() {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    dir
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn real(dir: &Path, args: &[&str]) -> Option<Run> {
    let out =
        Command::new("kubectl").args(args).current_dir(dir).env("HOME", dir).env_remove("KUBECONFIG").output().ok()?;
    let root = dir.to_string_lossy().into_owned();
    // Go pointers printed in some errors differ from run to run.
    let ptr = regex::Regex::new("0xc[0-9a-f]{9}").unwrap();
    let fix =
        |b: &[u8]| ptr.replace_all(&String::from_utf8_lossy(b).replace(&root, "/root"), "0xc000a1b2c0").into_owned();
    Some(Run { stdout: fix(&out.stdout), stderr: fix(&out.stderr), code: out.status.code().unwrap_or(-1) })
}

fn ours(args: &[&str]) -> Run {
    let mut ws = Workstation::new(World::new(1));
    let home = "/root";
    for (path, data) in files() {
        let full = format!("{home}/{path}");
        let mut parent = String::new();
        for part in full.trim_start_matches('/').split('/').collect::<Vec<_>>().split_last().unwrap().1 {
            parent = format!("{parent}/{part}");
            let _ = ws.fs.mkdir(&parent, 0);
        }
        ws.fs.write(&full, &data, false, 0).unwrap();
    }
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let o = kubedojo::kubectl::run(&mut ws.world, &mut ws.client, &mut ws.fs, home, &args, b"");
    Run {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.code,
    }
}

/// Drops the time and process id from klog lines (the rest is compared as is).
fn normalize(stderr: &str) -> String {
    let klog = regex::Regex::new(r"(?m)^([EWI])\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ ").unwrap();
    klog.replace_all(stderr, "$1 ").into_owned()
}

fn have_kubectl() -> bool {
    Command::new("kubectl").args(["version", "--client"]).output().map(|o| o.status.success()).unwrap_or(false)
}

#[test]
fn kustomize_matches_kubectl() {
    if !have_kubectl() {
        eprintln!("kubectl not installed: skipping the kustomize oracle test");
        return;
    }
    let dir = setup_dir();
    let mut failures = Vec::new();
    for args in CASES {
        let Some(want) = real(&dir, args) else {
            failures.push(format!("kubectl could not run: {args:?}"));
            continue;
        };
        let got = ours(args);
        let (ws, gs) = (normalize(&want.stderr), normalize(&got.stderr));
        if want.stdout != got.stdout || ws != gs || want.code != got.code {
            let diff = similar::TextDiff::from_lines(&want.stdout, &got.stdout)
                .unified_diff()
                .header("kubectl", "kubedojo")
                .to_string();
            failures.push(format!(
                "$ kubectl {}\n--- stdout diff\n{diff}--- kubectl stderr (exit {})\n{ws}\n--- kubedojo stderr (exit {})\n{gs}\n",
                args.join(" "),
                want.code,
                got.code
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}
