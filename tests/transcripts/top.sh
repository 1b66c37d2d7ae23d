# kubectl top: metrics-server's 15 s readings of nodes and pods, their units and errors.
kubectl top nodes
kubectl top node node01 --no-headers
kubectl top pods
kubectl create deployment web --image=nginx --replicas=2
kubectl top pods
kubectl top pod web
sleep 35
kubectl top pods
kubectl top pods -l app=web --containers
# The Kubernetes docs' examples: memory from stress --vm-bytes, CPU throttled at the limit.
cat <<'YAML' > stress.yaml
apiVersion: v1
kind: Pod
metadata:
  name: memory-demo
spec:
  containers:
  - name: memory-demo-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "100Mi"
      limits:
        memory: "200Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"]
---
apiVersion: v1
kind: Pod
metadata:
  name: cpu-demo
spec:
  containers:
  - name: cpu-demo-ctr
    image: vish/stress
    resources:
      limits:
        cpu: "1"
      requests:
        cpu: "0.5"
    args:
    - -cpus
    - "2"
YAML
kubectl apply -f stress.yaml
kubectl run spin --image=busybox -- sh -c 'while true; do :; done'
sleep 40
kubectl top pods --sort-by=cpu
kubectl top pods --sort-by=memory --sum
kubectl top pods -A --no-headers
kubectl top nodes --sort-by=cpu
kubectl top pod memory-demo --containers
kubectl top pods nope
kubectl top pods --sort-by=name
kubectl top pods a b
# A finished pod has no running container to measure.
kubectl create namespace batch
kubectl run once -n batch --image=busybox --restart=Never -- true
sleep 150
kubectl top pods -n batch
# A node whose kubelet is stopped drops out of the readings.
chaos kubelet-stop node02
sleep 30
kubectl top nodes
chaos kubelet-start node02
chaos metrics-server off
kubectl top nodes
kubectl top pods
chaos metrics-server on
kubectl top nodes
sleep 20
kubectl top nodes
