//! Oracle tests for kubectl's client-side generators: every case runs through the installed
//! real kubectl (v1.32) and through kubedojo, and stdout, stderr and the exit code must be the
//! same bytes. Skipped when kubectl is not installed.
//!
//! Real kubectl runs in a temporary directory holding the files the cases read
//! (`--from-file`, `--from-env-file`, `--cert`), with HOME pointing there too, so no
//! kubeconfig is found and `--dry-run=client` never needs a server. `kubectl create role` and
//! `clusterrole` resolve `--resource` through discovery even then: a discovery cache written
//! from kubedojo's own resource list (`--cache-dir`) answers it. kubedojo gets the same files
//! in the workstation's home directory.
//!
//! klog lines (`E1129 15:48:24.515378   28022 run.go:72] ...`) carry the time and the process
//! id, so both sides' are compared without those two fields.

use std::path::{Path, PathBuf};
use std::process::Command;

use kubedojo::shell::workstation::Workstation;
use kubedojo::shell::Fs;
use kubedojo::sim::World;

/// A throwaway self-signed EC certificate and its key, made for this test only.
const TLS_CRT: &str = "-----BEGIN CERTIFICATE-----\nMIIBjDCCATGgAwIBAgIULeIiciN5hoQ0DcmVelsdEW62yK0wCgYIKoZIzj0EAwIw\nGjEYMBYGA1UEAwwPd2ViLmV4YW1wbGUuY29tMCAXDTI2MTEyOTE2MDMyMFoYDzIx\nMjYxMTA1MTYwMzIwWjAaMRgwFgYDVQQDDA93ZWIuZXhhbXBsZS5jb20wWTATBgcq\nhkjOPQIBBggqhkjOPQMBBwNCAAR3bAGzHQ+yYs5mZtYCaTz5A3CXVmnuEI8k4Q5Q\n79pjIORuoq6xoZBhsXP4N+uD+bwDeSgKNTaP0JPrNzJAqfSKo1MwUTAdBgNVHQ4E\nFgQUZb16A4NPhFfWtdocYoruqYuC8jwwHwYDVR0jBBgwFoAUZb16A4NPhFfWtdoc\nYoruqYuC8jwwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAuBuX\nxvV4A6ZGgICs6sknWKekHTZdi8ScnmQlUpwLCzACIQDD4q3P8hPiz3ctBMWleSWJ\nFiAW1pr5oJcmrBlZbed2Lw==\n-----END CERTIFICATE-----\n";
const TLS_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQghr8ipxPrcY2zPnRD\n6AEOwgYXnV/qS1ZAHyiS5yQL1DChRANCAAR3bAGzHQ+yYs5mZtYCaTz5A3CXVmnu\nEI8k4Q5Q79pjIORuoq6xoZBhsXP4N+uD+bwDeSgKNTaP0JPrNzJAqfSK\n-----END PRIVATE KEY-----\n";

/// The files every case can read, relative to the working directory.
fn fixture_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("app.conf", b"hello\nworld\n".to_vec()),
        (
            "app.env",
            b"# settings\nCOLOR=blue\n\n  MODE=prod\nEMPTY=\nNOVALUE_KUBEDOJO_TEST\nURL=http://a/?x=1\r\n".to_vec(),
        ),
        ("bad.env", b"GOOD=1\nB AD=2\n".to_vec()),
        ("digit.env", b"1X=1\n".to_vec()),
        ("d/one.txt", b"x".to_vec()),
        ("d/Two", b"y\n".to_vec()),
        ("d/sub/inner", b"skipped\n".to_vec()),
        ("bin.dat", vec![0xff, 0xfe, 0x00, 0x01]),
        ("html.txt", b"<a href=\"x\">&amp;</a>\n".to_vec()),
        ("tls.crt", TLS_CRT.as_bytes().to_vec()),
        ("tls.key", TLS_KEY.as_bytes().to_vec()),
        ("config.json", b"{\"auths\":{}}\n".to_vec()),
        ("badkey dir/a", b"1".to_vec()),
        ("weird/bad key", b"1".to_vec()),
        ("t.tmpl", b"{{.kind}}/{{.metadata.name}}\n".to_vec()),
        ("j.tmpl", b"{.kind}\n".to_vec()),
        ("cols.txt", b"NAME   REPLICAS\n.metadata.name .spec.replicas\n".to_vec()),
    ]
}

/// The command lines, written as a shell would split them (single quotes group words).
const CASES: &[&str] = &[
    // deployment
    "create deployment web --image=nginx --dry-run=client -o yaml",
    "create deployment web --image=nginx --dry-run=client -o json",
    "create deployment web --image=nginx --dry-run=client",
    "create deployment web --image=nginx --dry-run=client -o name",
    "create deploy web --image=nginx:1.27 --replicas=3 --port=80 --dry-run=client -o yaml",
    "create deployment web --image=nginx --image=redis:7 --image=docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef --dry-run=client -o json",
    "create deployment web --image=nginx,redis -r 2 --dry-run=client -o yaml",
    "create deployment web --image=busybox --dry-run=client -o yaml -- sh -c 'sleep 3600'",
    "create deployment web --image=busybox --dry-run=client -o json -- sleep 10",
    "create deployment web --image=nginx -n dev --dry-run=client -o yaml",
    "create deployment web --image=nginx --save-config --dry-run=client -o yaml",
    "create deployment web --image=nginx -n dev --save-config --dry-run=client -o json",
    "create deployment web --image=nginx --dry-run=client -o jsonpath={.spec.template.spec.containers[0].name}",
    "create deployment web --image=nginx --dry-run=client -o jsonpath='{.metadata.labels}'",
    "create deployment web --image=nginx --dry-run=client -o jsonpath-as-json={.spec.replicas}",
    "create deployment web --image=nginx --dry-run",
    "create deployment web --image=nginx --dry-run=foo",
    "create deployment web --image=nginx --dry-run=true",
    "create deployment web --image=nginx --dry-run=True -o name",
    "run web --image=nginx --dry-run -o name",
    "run web --image=nginx --dry-run=1 -o name",
    "create deployment web --image=nginx --dry-run=client -o wide",
    "create deployment web --image=nginx --dry-run=client -o jsonpath",
    "create deployment web --image=nginx --dry-run=client -o custom-columns=A:.x",
    "create deployment --image=nginx --dry-run=client",
    "create deployment web extra --image=nginx --dry-run=client",
    "create deployment web --dry-run=client",
    "create deployment web --image=nginx --image=redis --dry-run=client -- sleep 1",
    "create deployment web --image=nginx --replicas=x --dry-run=client",
    "create deployment web --image=nginx --port=99999999999 --dry-run=client",
    "create deployment web --image=nginx --foo --dry-run=client",
    "create deployment web --image=nginx -x --dry-run=client",
    "create deployment web --image",
    "create deployment web --image=nginx --dry-run=client -n",
    "create deployment web --image=nginx --save-config=maybe --dry-run=client",
    "create foo",
    "create",
    "create --foo",
    "create secret",
    "create service",
    "create secret foo",
    // services
    "create service clusterip web --tcp=80:8080 --tcp=443 --dry-run=client -o json",
    "create service clusterip web --tcp=80:8080,90:http --dry-run=client -o yaml",
    "create service clusterip web --clusterip=None --dry-run=client -o yaml",
    "create service clusterip web --clusterip=10.96.0.50 --tcp=80 --dry-run=client -o yaml",
    "create svc nodeport web --tcp=80:8080 --node-port=30080 --dry-run=client -o json",
    "create service nodeport web --tcp=80:http --dry-run=client -o yaml",
    "create service loadbalancer web --tcp=80 --dry-run=client -o yaml",
    "create service externalname web --external-name=example.com --dry-run=client -o json",
    "create service externalname web --external-name=example.com --tcp=80 --dry-run=client -o yaml",
    "create service externalname web --external-name=Bad_Name --dry-run=client",
    "create service externalname web --dry-run=client",
    "create service clusterip web --dry-run=client",
    "create service nodeport web --dry-run=client",
    "create service nodeport web --clusterip=None --tcp=80 --dry-run=client",
    "create service clusterip web --tcp=99999 --dry-run=client",
    "create service clusterip web --tcp=80:99999 --dry-run=client",
    "create service clusterip web --tcp=80:0 --dry-run=client",
    "create service clusterip web --tcp=80:Bad_Name --dry-run=client",
    "create service clusterip web --tcp=80:a--b --dry-run=client",
    "create service clusterip web --tcp=x:80 --dry-run=client",
    "create service clusterip web --tcp=0 --dry-run=client -o yaml",
    "create service clusterip web --tcp=80 -n dev --dry-run=client -o name",
    "create service clusterip --tcp=80 --dry-run=client",
    // configmaps
    "create configmap c --from-literal=a=1 --from-literal=b=two --dry-run=client -o yaml",
    "create configmap c --from-literal=a=1 --from-literal=b=two --dry-run=client -o json",
    "create cm c --from-literal=k='a=b=c' --dry-run=client -o yaml",
    "create configmap c --from-file=app.conf --from-file=k2=app.conf --dry-run=client -o yaml",
    "create configmap c --from-file=app.conf,html.txt --dry-run=client -o json",
    "create configmap c --from-file=d --dry-run=client -o yaml",
    "create configmap c --from-file=d/ --dry-run=client -o yaml",
    "create configmap c --from-file=bin.dat --dry-run=client -o json",
    "create configmap c --from-file=bin.dat --from-file=app.conf --append-hash --dry-run=client -o yaml",
    "create configmap c --from-env-file=app.env --dry-run=client -o yaml",
    "create configmap c --from-env-file=app.env --from-env-file=app.env --dry-run=client",
    "create configmap c --from-env-file=bad.env --dry-run=client",
    "create configmap c --from-env-file=digit.env --dry-run=client",
    "create configmap c --from-env-file=app.env --from-literal=a=b --dry-run=client",
    "create configmap c --from-env-file=d --dry-run=client",
    "create configmap c --from-env-file=nope --dry-run=client",
    "create configmap c --from-file=nope --dry-run=client",
    "create configmap c --from-file=k=d --dry-run=client",
    "create configmap c --from-file==app.conf --dry-run=client",
    "create configmap c --from-file=k= --dry-run=client",
    "create configmap c --from-file=a=b=c --dry-run=client",
    "create configmap c --from-file=weird --dry-run=client",
    "create configmap c --from-literal=a --dry-run=client",
    "create configmap c --from-literal==a --dry-run=client",
    "create configmap c --from-literal=a=1 --from-literal=a=2 --dry-run=client",
    "create configmap c --from-literal='bad key=1' --dry-run=client",
    "create configmap c --from-literal=..x=1 --dry-run=client",
    "create configmap c --from-literal=a=1 --from-file=a=app.conf --dry-run=client",
    "create configmap c --from-literal=a=1 --append-hash --dry-run=client -o yaml",
    "create configmap c --dry-run=client -o yaml",
    "create configmap c -n dev --save-config --dry-run=client -o json",
    "create configmap --from-literal=a=1 --dry-run=client",
    // secrets
    "create secret generic s --from-literal=user=admin --from-file=app.conf --dry-run=client -o json",
    "create secret generic s --from-literal=password='s3cr3t!' --dry-run=client -o yaml",
    "create secret generic s --from-literal=a=1 --type=kubernetes.io/basic-auth --append-hash --dry-run=client -o yaml",
    "create secret generic s --from-literal=a=1 --append-hash --dry-run=client -o name",
    "create secret generic s --from-file=d --dry-run=client -o yaml",
    "create secret generic s --from-file=bin.dat --dry-run=client -o yaml",
    "create secret generic s --from-env-file=app.env --dry-run=client -o yaml",
    "create secret generic s --from-literal=a=1 --from-literal=a=2 --dry-run=client",
    "create secret generic s --from-literal='b k=1' --dry-run=client",
    "create secret generic s --from-env-file=d --dry-run=client",
    "create secret generic s --from-env-file=app.env --from-file=app.conf --dry-run=client",
    "create secret generic s --from-file=weird --dry-run=client",
    "create secret generic s --dry-run=client -o json",
    "create secret generic s -n dev --dry-run=client -o yaml",
    "create secret tls t --cert=tls.crt --key=tls.key --dry-run=client -o yaml",
    "create secret tls t --cert=tls.crt --key=tls.key --append-hash --dry-run=client -o name",
    "create secret tls t --cert=app.conf --key=tls.key --dry-run=client",
    "create secret tls t --cert=tls.crt --key=app.conf --dry-run=client",
    "create secret tls t --cert=tls.key --key=tls.key --dry-run=client",
    "create secret tls t --cert=tls.crt --key=tls.crt --dry-run=client",
    "create secret tls t --cert=nope.crt --key=tls.key --dry-run=client",
    "create secret tls t --cert=tls.crt --dry-run=client",
    "create secret docker-registry reg --docker-username=u --docker-password='p<&>' --docker-email=e@x.io --dry-run=client -o yaml",
    "create secret docker-registry reg --docker-username=u --docker-password=p --docker-server=my.reg:5000 --dry-run=client -o json",
    "create secret docker-registry reg --docker-username=u --docker-password=p --append-hash --dry-run=client -o name",
    "create secret docker-registry reg --from-file=.dockerconfigjson=config.json --dry-run=client -o yaml",
    "create secret docker-registry reg --docker-username=u --dry-run=client",
    "create secret docker-registry reg --docker-username=u --docker-password=p --docker-server= --dry-run=client",
    // jobs and cronjobs
    "create job j --image=busybox --dry-run=client -o yaml",
    "create job j --image=busybox --dry-run=client -o json -- sh -c 'echo hi'",
    "create job j --image=busybox -n dev --dry-run=client -o yaml",
    "create job j --dry-run=client",
    "create job j --image=busybox --from=cronjob/x --dry-run=client",
    "create job j --from=cronjob/x --dry-run=client -- sh",
    "create cronjob cj --image=busybox --schedule='*/5 * * * *' --dry-run=client -o yaml",
    "create cj cj --image=busybox --schedule='*/1 * * * *' --restart=Never --dry-run=client -o json -- date",
    "create cronjob cj --image=busybox --schedule=bad --restart=Always --dry-run=client -o yaml",
    "create cronjob cj --image=busybox --dry-run=client",
    "create cronjob cj --dry-run=client",
    // namespaces and service accounts
    "create namespace dev --dry-run=client -o yaml",
    "create ns dev --dry-run=client -o json",
    "create namespace dev -n other --dry-run=client -o yaml",
    "create namespace --dry-run=client",
    "create serviceaccount bot --dry-run=client -o yaml",
    "create sa bot --dry-run=client -o json",
    "create sa bot -n dev --save-config --dry-run=client -o yaml",
    // roles
    "create role r --verb=get,list --verb=get --resource=pods,pods/log,deployments.apps,deploy,svc --resource-name=a --resource-name=a --resource-name=b --dry-run=client -o json",
    "create role r --verb=get --resource=pods -n dev --dry-run=client -o yaml",
    "create role r --verb=foo --resource=pods --dry-run=client -o yaml",
    "create role r --verb='*' --verb=get --resource=pods --dry-run=client -o yaml",
    "create role r --verb=get --resource=pods/status,jobs.batch,cronjobs --dry-run=client -o yaml",
    "create role r --verb=bind --resource=roles.rbac.authorization.k8s.io --dry-run=client -o yaml",
    "create role r --verb=get --dry-run=client",
    "create role r --resource=pods --dry-run=client",
    "create role r --verb=use --resource=pods --dry-run=client",
    "create role r --verb=get --resource=/log --dry-run=client",
    "create role r --verb=get --resource=.apps --dry-run=client",
    "create clusterrole cr --verb=get --resource=pods --non-resource-url=/logs/* --non-resource-url=/healthz --dry-run=client -o json",
    "create clusterrole cr --verb=get,list,watch --resource=nodes,persistentvolumes -n dev --dry-run=client -o yaml",
    "create clusterrole cr --aggregation-rule=rbac.example.com/aggregate-to-monitoring=true,b=c --dry-run=client -o yaml",
    "create clusterrole cr --aggregation-rule=a=b --aggregation-rule=c=d --dry-run=client -o json",
    "create clusterrole cr --aggregation-rule=a=b --verb=get --dry-run=client",
    "create clusterrole cr --verb=get --non-resource-url=logs --dry-run=client",
    "create clusterrole cr --verb=list --non-resource-url=/logs --dry-run=client",
    "create clusterrole cr --verb=get --non-resource-url=/a*b --dry-run=client",
    "create clusterrole cr --verb=get --dry-run=client",
    "create clusterrole cr --aggregation-rule=ab --dry-run=client",
    // bindings
    "create rolebinding rb --role=r --user=bob --user=amy --group=devs --serviceaccount=dev:bot --dry-run=client -o json",
    "create rolebinding rb --clusterrole=view --dry-run=client -o yaml",
    "create rolebinding rb --clusterrole=view -n dev --serviceaccount=dev:default --dry-run=client -o yaml",
    "create rolebinding rb --clusterrole=view --role=x --dry-run=client",
    "create rolebinding rb --dry-run=client",
    "create rolebinding rb --clusterrole=view --serviceaccount=bot --dry-run=client",
    "create clusterrolebinding crb --clusterrole=view --user=u --serviceaccount=dev:bot --group=g --dry-run=client -o json",
    "create clusterrolebinding crb --clusterrole=view -n dev --dry-run=client -o yaml",
    "create clusterrolebinding crb --clusterrole=view --serviceaccount=:bot --dry-run=client",
    "create clusterrolebinding crb --dry-run=client",
    // quotas
    "create quota q --hard=cpu=1000m,memory=1G,pods=10,requests.cpu=0.5,limits.memory=1.5Gi,count/deployments.apps=2 --scopes=BestEffort,NotTerminating --dry-run=client -o json",
    "create quota q --hard=pods=10,memory=512Mi,cpu=250m,services.nodeports=0 --dry-run=client -o yaml",
    "create resourcequota q --dry-run=client -o yaml",
    "create quota q --hard=cpu --dry-run=client",
    "create quota q --hard=cpu=abc --dry-run=client",
    "create quota q --scopes=a,,b --dry-run=client",
    // ingresses
    "create ingress ing --class=nginx --rule=foo.com/bar=svc1:8080,tls=my-cert --rule=foo.com/*=svc2:http --rule=/api*=api:80,tls --default-backend=def:80 --annotation=a=b --annotation=c= --dry-run=client -o json",
    "create ingress ing --rule=foo.com/=svc:80 --dry-run=client -o yaml",
    "create ing ing --rule=a.com/x=s:1,tls=sec --rule=b.com/y=s:2,tls=sec --rule=a.com/z=s:3,tls=other --dry-run=client -o yaml",
    "create ingress ing --default-backend=web:http -n dev --dry-run=client -o yaml",
    "create ingress ing --rule=bad --dry-run=client",
    "create ingress ing --rule=a/=s:1 --annotation=x --dry-run=client",
    "create ingress ing --default-backend=svc --dry-run=client",
    "create ingress ing --dry-run=client",
    // pod disruption budgets
    "create pdb p --selector='app in (a,b)' --max-unavailable=1 --dry-run=client -o yaml",
    "create poddisruptionbudget p --selector=app=web --min-available=50% --dry-run=client -o json",
    "create pdb p --selector=!a,b --min-available=1 --dry-run=client -o yaml",
    "create pdb p --selector=app=web,tier=fe --max-unavailable=30% -n dev --dry-run=client -o yaml",
    "create pdb p --selector=app=web,tier!=db --min-available=50% --dry-run=client",
    "create pdb p --selector=app=web --dry-run=client",
    "create pdb p --selector=app=web --min-available=1 --max-unavailable=1 --dry-run=client",
    "create pdb p --selector=app=web --min-available=1Gb --dry-run=client",
    "create pdb p --min-available=1 --dry-run=client",
    "create pdb p --selector='a b' --min-available=1 --dry-run=client",
    // priority classes
    "create priorityclass pc --value=1000 --description='high prio' --global-default --preemption-policy=Never --dry-run=client -o json",
    "create pc pc --dry-run=client -o yaml",
    "create pc pc --value=-5 --global-default=false --dry-run=client -o yaml",
    "create pc pc --value=x --dry-run=client",
    "create pc pc --preemption-policy=Foo --dry-run=client -o yaml",
    // assorted edges
    "create deployment web --image=nginx --port=0 --dry-run=client -o yaml",
    "create deployment web --image=nginx --replicas=0 --dry-run=client -o json",
    "create service nodeport web --tcp=80 --node-port=0 --dry-run=client -o yaml",
    "create secret generic s --from-file=k=d --dry-run=client",
    "create configmap c --from-file=app.conf --from-file=app.conf --dry-run=client",
    "create quota q --hard=cpu=0.1,memory=100M,pods=1k,storage=2e3 --dry-run=client -o yaml",
    "create ingress ing --rule=foo.com/path=svc:8080 --rule=foo.com/other=svc:8080 --rule=bar.com/=b:https --dry-run=client -o yaml",
    "run web --image=nginx --env=A= --labels=a= --dry-run=client -o yaml",
    "run web --image=nginx --annotations=noequals --dry-run=client -o yaml",
    "run web --image=nginx --labels=a=b=c --dry-run=client",
    "create pdb p --selector='app notin (a)' --min-available=0 --dry-run=client -o yaml",
    "create pdb p --selector=app --max-unavailable=0% --dry-run=client -o yaml",
    "create priorityclass pc --value=2147483648 --dry-run=client",
    "create cronjob cj --image=busybox --schedule='@hourly' -n dev --save-config --dry-run=client -o json",
    "create job j --image=busybox --save-config --dry-run=client -o yaml -- echo a b",
    "create clusterrolebinding crb --clusterrole=view --user=u1 --user=u2 --dry-run=client -o yaml",
    "create ingress ing --rule='a.com/x=s:1,tls' --rule='b.com/y=s:1,tls' --dry-run=client -o yaml",
    // go templates
    "create deployment web --image=nginx --replicas=3 --dry-run=client -o go-template={{.metadata.name}}",
    "create deployment web --image=nginx --replicas=3 --dry-run=client -o 'go-template={{.metadata.name}} {{.spec.replicas}} {{.metadata.labels}} {{.spec.template.spec.containers}} {{.nope}} {{.metadata.creationTimestamp}} {{.nope.deeper}}'",
    "create deployment web --image=nginx --image=redis --dry-run=client -o 'go-template={{range .spec.template.spec.containers}}{{.name}}={{.image}}{{\"\\n\"}}{{end}}'",
    "create deployment web --image=nginx --dry-run=client -o 'go-template={{range $i, $c := .spec.template.spec.containers}}{{$i}}:{{$c.name}} {{end}}{{index .metadata.labels \"app\"}}'",
    "create deployment web --image=nginx --dry-run=client -o 'go-template={{if eq .metadata.name \"web\"}}yes{{else}}no{{end}} {{len .spec.template.spec.containers}} {{printf \"%s-%d|%5s|%-4s|\" .metadata.name 7 \"ab\" \"c\"}}'",
    "create deployment web --image=nginx --dry-run=client -o 'go-template={{- .kind -}} {{/* comment */}} {{ .apiVersion }}'",
    "create deployment web --image=nginx --dry-run=client -o 'go-template={{with .spec.strategy}}s={{.}}{{end}}|{{with .nope}}x{{else}}none{{end}}|{{.spec.replicas | printf \"%v\"}}'",
    "create deployment web --image=nginx --dry-run=client -o go-template --template={{.kind}}",
    "create deployment web --image=nginx --dry-run=client --template={{.kind}}",
    "create deployment web --image=nginx --dry-run=client -o jsonpath --template={.kind}",
    "create deployment web --image=nginx --dry-run=client -o template={{.kind}}",
    "create deployment web --image=nginx --dry-run=client -o go-template-file=t.tmpl",
    "create deployment web --image=nginx --dry-run=client -o templatefile=t.tmpl",
    "create deployment web --image=nginx --dry-run=client -o go-template-file --template=t.tmpl",
    "create deployment web --image=nginx --dry-run=client -o jsonpath-file=j.tmpl",
    "create deployment web --image=nginx --dry-run=client -o go-template-file=nofile",
    "create deployment web --image=nginx --dry-run=client -o jsonpath-file=nofile",
    "create deployment web --image=nginx --dry-run=client -o go-template",
    "create deployment web --image=nginx --dry-run=client -o go-template={{.metadata.name}",
    "create deployment web --image=nginx --dry-run=client -o 'go-template={{foo .x}}'",
    "create deployment web --image=nginx --dry-run=client -o 'go-template={{range .x}}'",
    "create deployment web --image=nginx --dry-run=client -o 'go-template=A{{.metadata.name}} {{.metadata.creationTimestamp.x}}B'",
    "create deployment web --image=nginx --dry-run=client -o 'go-template={{range .spec.replicas}}x{{end}}'",
    "create deployment web --image=nginx --dry-run=client -o 'go-template={{.metadata.name.x}}'",
    "create configmap c --from-literal=a=1 --from-literal=b=2 --dry-run=client -o 'go-template={{range $k, $v := .data}}{{$k}}={{$v}};{{end}}'",
    "create secret generic s --from-literal=p=s3cr3t --dry-run=client -o 'go-template={{.data.p | base64decode}} {{exists . \"data\" \"p\"}} {{exists . \"data\" \"q\"}}'",
    "run web --image=nginx --dry-run=client -o 'go-template={{.spec.containers}}'",
    "create deployment web --image=nginx --dry-run=client -o custom-columns-file=cols.txt",
    // token (flags only: a token needs a server)
    "create token sa --dry-run=client",
    // run
    "run web --image=nginx --dry-run=client -o json",
    "run web --image=nginx --dry-run=client -o yaml",
    "run web --image=nginx --dry-run=client",
    "run web --image=nginx --dry-run=client -o name -n dev",
    "run web --image=nginx --port=80 --labels=app=web,tier=fe --env=A=1 --env=B=2 --restart=Never --image-pull-policy=IfNotPresent --annotations=x=y --annotations=z=a=b --dry-run=client -o yaml -- arg1 arg2",
    "run web --image=nginx --port=80 --labels=app=web --env=A=1 --restart=OnFailure --dry-run=client -o json -- arg1",
    "run web --image=busybox --command --dry-run=client -o yaml -- sh -c 'sleep 1'",
    "run web --image=busybox --command --dry-run=client -o yaml",
    "run web --image=busybox --privileged --dry-run=client -o json",
    "run web --image=busybox -n dev --dry-run=client -o yaml",
    "run web --image=busybox --save-config --dry-run=client -o yaml",
    "run web --image=busybox --overrides='{\"spec\":{\"serviceAccountName\":\"x\",\"nodeName\":\"node01\"}}' --dry-run=client -o yaml",
    "run web --image=busybox --overrides='{\"spec\":{\"serviceAccountName\":\"x\"}}' --dry-run=client -o json",
    "run web --image=busybox --overrides='{bad' --dry-run=client -o yaml",
    "run web --image=nginx --expose --port=80 --dry-run=client",
    "run web --image=nginx --expose --port=80 --dry-run=client -o yaml",
    "run web --image=nginx -l app=x --expose --port=8080 --dry-run=client -o json",
    "run web --image=nginx --expose --dry-run=client",
    "run a b --image=busybox --dry-run=client -o yaml",
    "run web --image=nginx --restart=Bad --dry-run=client",
    "run web --image=nginx --labels=bad --dry-run=client",
    "run web --image=nginx --env=bad --dry-run=client",
    "run web --image=nginx --env=1A=x --dry-run=client",
    "run web --image=nginx --port=x --dry-run=client",
    "run web --image=nginx --image-pull-policy=Sometimes --dry-run=client",
    "run --image=nginx --dry-run=client",
    "run web --dry-run=client",
    "run web --image='bad image' --dry-run=client",
    "run web --image=Bad --dry-run=client",
    "run web --image=my.registry:5000/team/app:v1.2 --dry-run=client -o name",
    "run tmp --image=busybox --rm -i --restart=Never --dry-run=client -- echo hi",
    "run tmp --image=busybox --rm --restart=Never --dry-run=client -- echo hi",
    "run tmp --image=busybox -t --dry-run=client",
    "run tmp --image=busybox -it --dry-run=client",
    "run tmp --image=busybox --attach --dry-run=client",
    "run web --image=nginx --foo",
    "run web --image=nginx --dry-run=client -o wide",
    "run web --image=nginx --dry-run=bogus",
];

/// Splits a command line like a shell: spaces separate words, single quotes group.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            ' ' if !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                }
                in_word = false;
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Drops the time and process id from klog lines.
fn normalize(stderr: &str) -> String {
    stderr
        .lines()
        .map(|l| {
            let b = l.as_bytes();
            let klog = b.len() > 5 && matches!(b[0], b'E' | b'W' | b'I') && b[1..5].iter().all(u8::is_ascii_digit);
            if klog {
                let rest = l.split_whitespace().skip(3).collect::<Vec<_>>().join(" ");
                format!("{} {rest}", &l[..1])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A discovery cache kubectl reads instead of asking a server, made from kubedojo's kinds.
fn write_discovery_cache(dir: &Path) {
    use kubedojo::sim::api::discovery::resources;
    let base = dir.join("discovery").join("localhost_8080");
    let mut groups: Vec<(String, String)> = Vec::new();
    let mut by_gv: std::collections::BTreeMap<String, Vec<serde_json::Value>> = Default::default();
    for r in resources() {
        let gv = if r.group.is_empty() { r.version.to_string() } else { format!("{}/{}", r.group, r.version) };
        if !groups.iter().any(|(g, _)| g == r.group) {
            groups.push((r.group.to_string(), gv.clone()));
        }
        by_gv.entry(gv).or_default().push(serde_json::json!({
            "name": r.plural,
            "singularName": r.kind.singular(),
            "namespaced": r.namespaced,
            "kind": r.kind.name(),
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
            "shortNames": r.short_names,
        }));
    }
    let list: Vec<serde_json::Value> = groups
        .iter()
        .map(|(g, gv)| {
            let v = gv.rsplit('/').next().unwrap_or(gv);
            serde_json::json!({"name": g, "versions": [{"groupVersion": gv, "version": v}], "preferredVersion": {"groupVersion": gv, "version": v}})
        })
        .collect();
    std::fs::create_dir_all(&base).unwrap();
    std::fs::write(
        base.join("servergroups.json"),
        serde_json::json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": list}).to_string(),
    )
    .unwrap();
    for (gv, res) in by_gv {
        let d = base.join(&gv);
        std::fs::create_dir_all(&d).unwrap();
        let body =
            serde_json::json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": res});
        std::fs::write(d.join("serverresources.json"), body.to_string()).unwrap();
    }
}

fn setup_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubedojo-oracle-create-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, data) in fixture_files() {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    write_discovery_cache(&dir.join("cache"));
    dir
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn real(dir: &Path, args: &[String]) -> Option<Run> {
    let out = Command::new("kubectl")
        .arg(format!("--cache-dir={}", dir.join("cache").display()))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("KUBECONFIG")
        .output()
        .ok()?;
    Some(Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    })
}

fn ours(args: &[String]) -> Run {
    let mut ws = Workstation::new(World::new(1));
    let home = "/root";
    for (path, data) in fixture_files() {
        let full = format!("{home}/{path}");
        let mut parent = String::new();
        for part in full.trim_start_matches('/').split('/').collect::<Vec<_>>().split_last().unwrap().1 {
            parent = format!("{parent}/{part}");
            let _ = ws.fs.mkdir(&parent, 0);
        }
        ws.fs.write(&full, &data, false, 0).unwrap();
    }
    let o = kubedojo::kubectl::run(&mut ws.world, &mut ws.client, &mut ws.fs, home, args, b"");
    Run {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.code,
    }
}

fn have_kubectl() -> bool {
    Command::new("kubectl").args(["version", "--client"]).output().map(|o| o.status.success()).unwrap_or(false)
}

#[test]
fn generators_match_kubectl() {
    if !have_kubectl() {
        eprintln!("kubectl not installed: skipping the generator oracle test");
        return;
    }
    let dir = setup_dir();
    let mut failures = Vec::new();
    for case in CASES {
        let args = words(case);
        let Some(want) = real(&dir, &args) else {
            failures.push(format!("kubectl could not run: {case}"));
            continue;
        };
        let got = ours(&args);
        let (ws, gs) = (normalize(&want.stderr), normalize(&got.stderr));
        if want.stdout != got.stdout || ws != gs || want.code != got.code {
            failures.push(format!(
                "$ kubectl {case}\n--- kubectl (exit {})\n{}{}\n--- kubedojo (exit {})\n{}{}\n",
                want.code, want.stdout, ws, got.code, got.stdout, gs
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn shell_words() {
    assert_eq!(words("a 'b c' d='e f'"), vec!["a", "b c", "d=e f"]);
}
