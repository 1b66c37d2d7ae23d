# concurrencyPolicy Forbid: while a run (sleep 180) is active, later schedule times are
# skipped with JobAlreadyActive; suspend stops new runs.
cat <<'EOF2' | kubectl apply -f -
apiVersion: batch/v1
kind: CronJob
metadata:
  name: long
spec:
  schedule: "*/1 * * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: long
            image: busybox:1.36
            command: ["sleep", "180"]
EOF2
sleep 200
kubectl get jobs -o jsonpath='{range .items[*]}{.metadata.name} {.status.active} {.status.startTime}{"\n"}{end}'
kubectl get cronjob long -o jsonpath='{range .status.active[*]}{.name}{"\n"}{end}'
sleep 60
kubectl get jobs -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[1].type} {.status.startTime}{"\n"}{end}'
cat <<'EOF2' | kubectl apply -f -
apiVersion: batch/v1
kind: CronJob
metadata:
  name: long
spec:
  schedule: "*/1 * * * *"
  concurrencyPolicy: Forbid
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: long
            image: busybox:1.36
            command: ["sleep", "180"]
EOF2
sleep 240
kubectl get jobs -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
kubectl get events --field-selector involvedObject.kind=CronJob -o jsonpath='{range .items[*]}{.type} {.reason} {.message} x{.count}{"\n"}{end}'
