# A pod that runs to completion: Completed, its logs stay readable.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  restartPolicy: Never
  containers:
  - name: hello
    image: busybox:1.36
    command: ["sh", "-c", "echo Hello, Kubernetes!; sleep 2; echo done"]
EOF2
sleep 3
kubectl get pods
sleep 3
kubectl get pods
kubectl logs hello
kubectl get pod hello -o jsonpath='{.status.phase} {.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}{"\n"}'
