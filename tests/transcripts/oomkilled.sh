# The memory example from the Kubernetes documentation: stress allocates 250Mi under a
# 100Mi limit and is OOM-killed.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: memory-demo-2
spec:
  containers:
  - name: memory-demo-2-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "50Mi"
      limits:
        memory: "100Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]
EOF2
sleep 4
kubectl get pod memory-demo-2
kubectl get pod memory-demo-2 -o jsonpath='{.status.containerStatuses[0].lastState.terminated.reason}{"\n"}'
sleep 30
kubectl get pod memory-demo-2
