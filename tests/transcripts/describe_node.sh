# describe of nodes: roles, labels, taints, conditions, addresses, capacity and allocatable,
# system info, and the non-terminated pods with their share of the node's CPU and memory.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: default
spec:
  nodeName: node01
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: 500m
        memory: 256Mi
      limits:
        cpu: "1"
        memory: 512Mi
EOF2
sleep 10
kubectl describe node node01
kubectl describe node controlplane --show-events=false
