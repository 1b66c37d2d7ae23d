# A container that keeps failing: restarts with the kubelet's back-off (10s, 20s, 40s...).
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: crash
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo starting; sleep 2; echo failing >&2; exit 1"]
EOF2
sleep 3
kubectl get pods
sleep 3
kubectl get pods
sleep 10
kubectl get pods
sleep 30
kubectl get pods
sleep 60
kubectl get pods
kubectl logs crash
kubectl logs crash --previous
kubectl describe pod crash
