# `kubectl set serviceaccount` (alias `sa`): the last argument is the account, the others
# name the objects whose pod template changes (a new rollout for a Deployment); like kubectl,
# it says "updated" even when the account was already set. Global flags may come before the
# command and its subcommand (`kubectl -n team set sa ...`).
kubectl create namespace team
kubectl -n team create deployment reporter --image=busybox:1.36 -- sleep 3600
kubectl -n team create serviceaccount robot
sleep 5
kubectl -n team set serviceaccount deployment reporter robot
kubectl -n team set sa deploy/reporter robot
sleep 35
kubectl -n team get deployment reporter -o jsonpath='{.spec.template.spec.serviceAccountName}{"\n"}'
kubectl -n team get pods -o jsonpath='{range .items[*]}{.spec.serviceAccountName} {.status.phase}{"\n"}{end}'
kubectl -n team rollout history deployment reporter
kubectl -n team set sa deploy/reporter default --dry-run=client
kubectl set sa
kubectl set sa robot
kubectl -n team set sa deploy/nope robot
kubectl -n team set sa configmap/kube-root-ca.crt robot
kubectl -n team exec deploy/reporter -- ls /var/run/secrets/kubernetes.io/serviceaccount
