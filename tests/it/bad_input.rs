//! Bad input never panics and is answered in Kubernetes' own words: a corpus of broken
//! manifests and command lines, each with the error text it must produce.

use super::run_script;

/// (what is run, text the transcript must contain)
const CASES: &[(&str, &str)] = &[
    ("kubectl get pod nope", "Error from server (NotFound): pods \"nope\" not found\n"),
    ("kubectl get nopes", "error: the server doesn't have a resource type \"nopes\"\n"),
    ("kubectl gett pods", "error: unknown command \"gett\" for \"kubectl\"\n\nDid you mean this?\n\tget\n\tset\nRun 'kubectl --help' for usage.\n"),
    ("kubectl get pods --foo", "Error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n"),
    ("kubectl get pods -o yamll", "error: unable to match a printer suitable for the output format \"yamll\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n"),
    ("kubectl logs nope", "Error from server (NotFound): pods \"nope\" not found\n"),
    ("kubectl delete pod nope", "Error from server (NotFound): pods \"nope\" not found\n"),
    ("kubectl create -f missing.yaml", "error: the path \"missing.yaml\" does not exist\n"),
    ("kubectl wait --for=condition=Ready pod/nope", "Error from server (NotFound): pods \"nope\" not found\n"),
    ("kubectl exec nope -- ls", "Error from server (NotFound): pods \"nope\" not found\n"),
];

#[test]
fn bad_commands_get_kubectls_errors() {
    for (cmd, want) in CASES {
        let out = run_script(cmd, 1);
        assert!(out.contains(want), "`{cmd}` should print {want:?}, got:\n{out}");
    }
}

#[test]
fn garbage_never_panics() {
    let garbage = [
        "kubectl",
        "kubectl get",
        "kubectl get pods -o",
        "kubectl get pods -l '!!'",
        "kubectl get pods --field-selector ==",
        "kubectl apply -f",
        "kubectl logs",
        "kubectl exec",
        "kubectl exec x --",
        "kubectl label",
        "kubectl label pods",
        "kubectl wait",
        "kubectl wait --for=bogus pod/x",
        "kubectl delete",
        "kubectl describe",
        "kubectl get pods -o jsonpath='{.items[",
        "kubectl get pods -o custom-columns=",
        "kubectl get pods --sort-by='{'",
        "echo '",
        "cat <<EOF",
        "kubectl get pods |",
        "kubectl run",
        "kubectl run x",
        "kubectl create",
        "kubectl create configmap",
        "kubectl create secret",
        "printf 'apiVersion: v1\\nkind: Pod\\nmetadata: [\\n' | kubectl apply -f -",
        "printf 'kind: Pod\\n' | kubectl apply -f -",
        "printf 'apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: x\\nspec: 3\\n' | kubectl apply -f -",
        "printf -- '---\\n---\\n' | kubectl apply -f -",
        "printf '\\xff\\xfe' | kubectl apply -f -",
    ];
    for g in garbage {
        let out = run_script(g, 1);
        assert!(out.starts_with("$ "), "no transcript for {g:?}");
    }
}
