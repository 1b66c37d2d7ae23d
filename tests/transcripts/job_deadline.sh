# activeDeadlineSeconds: the running pod is deleted and the Job fails with DeadlineExceeded.
cat <<'EOF2' | kubectl apply -f -
apiVersion: batch/v1
kind: Job
metadata:
  name: slow
spec:
  activeDeadlineSeconds: 20
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 5
      containers:
      - name: slow
        image: busybox:1.36
        command: ["sleep", "3600"]
EOF2
sleep 19
kubectl get job slow -o jsonpath='active={.status.active} conditions={.status.conditions}{"\n"}'
sleep 2
kubectl get job slow -o jsonpath='{range .status.conditions[*]}{.type} {.reason} {.message} {.lastTransitionTime}{"\n"}{end}'
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.metadata.deletionTimestamp}{"\n"}{end}'
sleep 10
kubectl get job slow -o jsonpath='{range .status.conditions[*]}{.type} {.reason} {.message} {.lastTransitionTime}{"\n"}{end}'
kubectl get job slow -o jsonpath='failed={.status.failed} active={.status.active} terminating={.status.terminating}{"\n"}'
kubectl get pods
kubectl get events --field-selector involvedObject.kind=Job -o jsonpath='{range .items[*]}{.type} {.reason} {.message}{"\n"}{end}'
