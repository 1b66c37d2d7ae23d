# An Indexed Job: pods named <job>-<index>-xxxxx with the completion index annotation,
# label, hostname and JOB_COMPLETION_INDEX; completedIndexes grows to 0-2.
cat <<'EOF2' | kubectl apply -f -
apiVersion: batch/v1
kind: Job
metadata:
  name: idx
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: worker
        image: busybox:1.36
        command: ["sh", "-c", "echo index $JOB_COMPLETION_INDEX on $(hostname); sleep 5"]
EOF2
sleep 3
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.annotations.batch\.kubernetes\.io/job-completion-index} {.metadata.labels.batch\.kubernetes\.io/job-completion-index} {.spec.hostname}{"\n"}{end}'
sleep 10
kubectl get job idx -o jsonpath='succeeded={.status.succeeded} completedIndexes={.status.completedIndexes} {.status.conditions[1].type}{"\n"}'
kubectl logs idx-0-8g9ml
kubectl logs idx-2-xq2g7
kubectl get pod -l batch.kubernetes.io/job-completion-index=1 -o jsonpath='{.items[0].spec.containers[0].env}{"\n"}'
