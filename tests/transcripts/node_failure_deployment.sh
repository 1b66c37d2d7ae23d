# A worker fails under a Deployment: NotReady after the grace period, pods evicted after the
# 300 s unreachable toleration and replaced on the other worker; the old ones stay
# Terminating until the node returns.
cat <<'EOF2' | kubectl apply -f -
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
EOF2
sleep 15
kubectl get pods -o wide
chaos node-down node02
sleep 60
kubectl get nodes
kubectl get deploy web
sleep 300
kubectl get pods -o wide
kubectl get deploy web
kubectl get events --field-selector reason=TaintManagerEviction
chaos node-up node02
sleep 20
kubectl get nodes
kubectl get pods -o wide
