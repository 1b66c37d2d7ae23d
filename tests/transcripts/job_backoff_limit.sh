# A Job whose pod always fails: replaced after 10 s, 20 s, 40 s... until more than
# backoffLimit pods failed, then FailureTarget and Failed with BackoffLimitExceeded.
cat <<'EOF2' | kubectl apply -f -
apiVersion: batch/v1
kind: Job
metadata:
  name: flaky
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: fail
        image: busybox:1.36
        command: ["sh", "-c", "echo trying; exit 1"]
EOF2
sleep 120
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.metadata.creationTimestamp}{"\n"}{end}'
kubectl get job flaky -o jsonpath='{range .status.conditions[*]}{.type} {.status} {.reason} {.message} {.lastTransitionTime}{"\n"}{end}'
kubectl get job flaky -o jsonpath='failed={.status.failed} active={.status.active} ready={.status.ready} terminating={.status.terminating} completionTime={.status.completionTime}{"\n"}'
kubectl get events --field-selector involvedObject.kind=Job -o jsonpath='{range .items[*]}{.type} {.reason} {.message} {.firstTimestamp}{"\n"}{end}'
