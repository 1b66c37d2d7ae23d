# Under memory pressure the kubelet evicts BestEffort pods first; a Guaranteed pod stays.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: besteffort
spec:
  nodeName: node01
  containers:
  - name: app
    image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: guaranteed
spec:
  nodeName: node01
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests: {cpu: 100m, memory: 64Mi}
      limits: {cpu: 100m, memory: 64Mi}
EOF2
sleep 10
chaos memory-pressure node01 on
sleep 1
kubectl get pods
kubectl describe node node01 | grep -A6 Conditions
kubectl get node node01 -o jsonpath='{.spec.taints}{"\n"}'
kubectl get pod besteffort -o jsonpath='{.status.phase} {.status.reason}: {.status.message}{"\n"}'
chaos memory-pressure node01 off
sleep 1
kubectl get node node01 -o jsonpath='{.spec.taints}{"\n"}'
