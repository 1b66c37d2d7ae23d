# The liveness-exec example from the Kubernetes documentation: the file disappears after
# 30 seconds, three failed probes later the kubelet restarts the container.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox:1.27.2
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
EOF2
sleep 20
kubectl describe pod liveness-exec
sleep 25
kubectl get pod liveness-exec
sleep 35
kubectl describe pod liveness-exec
kubectl get pod liveness-exec
