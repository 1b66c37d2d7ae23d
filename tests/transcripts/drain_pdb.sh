# kubectl drain evicts through the eviction API: a PodDisruptionBudget that allows no
# disruption makes it retry every 5 s; once the budget allows it, the drain completes.
cat <<'EOF2' | kubectl apply -f -
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference:
              matchExpressions:
              - key: kubernetes.io/hostname
                operator: In
                values: [node01]
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
spec:
  minAvailable: 2
  selector:
    matchLabels:
      app: web
EOF2
sleep 15
kubectl get pdb
kubectl get pods -o wide
kubectl drain node01 --ignore-daemonsets --timeout=20s
kubectl get nodes
kubectl patch pdb web-pdb --type=merge -p '{"spec":{"minAvailable":1}}'
sleep 1
kubectl get pdb
kubectl uncordon node01
kubectl drain node01 --ignore-daemonsets --timeout=60s
kubectl get pods -o wide
kubectl uncordon node01
