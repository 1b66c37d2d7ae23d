# A CronJob firing every minute: Jobs named <cronjob>-<unix minutes>, history limits prune
# the oldest successful Jobs (3 kept), status tracks active and last schedule/success.
cat <<'EOF2' | kubectl apply -f -
apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: hello
            image: busybox:1.36
            command: ["sh", "-c", "date; echo Hello from the Kubernetes cluster"]
EOF2
sleep 61
kubectl get cronjob hello -o yaml
sleep 4
kubectl get jobs -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.annotations.batch\.kubernetes\.io/cronjob-scheduled-timestamp} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.status.succeeded}{"\n"}{end}'
kubectl get cronjob hello -o jsonpath='{.status}{"\n"}'
sleep 180
kubectl get jobs -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[1].type}{"\n"}{end}'
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase}{"\n"}{end}'
kubectl get cronjob hello -o jsonpath='lastScheduleTime={.status.lastScheduleTime} lastSuccessfulTime={.status.lastSuccessfulTime} active={.status.active}{"\n"}'
kubectl get events --field-selector involvedObject.kind=CronJob -o jsonpath='{range .items[*]}{.firstTimestamp} {.type} {.reason} {.message}{"\n"}{end}'
