# A Job with completions 4 and parallelism 2: pods run two at a time until four succeed.
cat <<'EOF2' | kubectl apply -f -
apiVersion: batch/v1
kind: Job
metadata:
  name: batch
spec:
  completions: 4
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: work
        image: busybox:1.36
        command: ["sh", "-c", "echo working; sleep 10"]
EOF2
sleep 2
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.metadata.labels.job-name} {.metadata.finalizers}{"\n"}{end}'
kubectl get job batch -o jsonpath='{.status}{"\n"}'
sleep 15
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase}{"\n"}{end}'
kubectl get job batch -o jsonpath='active={.status.active} succeeded={.status.succeeded} ready={.status.ready}{"\n"}'
sleep 15
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.metadata.finalizers}{"\n"}{end}'
kubectl get job batch -o yaml
kubectl get events --field-selector involvedObject.kind=Job -o jsonpath='{range .items[*]}{.type} {.reason} {.message}{"\n"}{end}'
