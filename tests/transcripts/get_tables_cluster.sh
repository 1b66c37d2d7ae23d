# Cluster-scoped and namespaced basics: nodes (default, wide, cordoned), namespaces, the objects
# every namespace gets (ServiceAccount, kube-root-ca.crt), ConfigMaps and Secrets side by
# side, events, and listing across all namespaces.
kubectl get nodes
kubectl get nodes -o wide
kubectl get no node01
kubectl cordon node01
kubectl get nodes
kubectl get node node01 --show-labels
kubectl uncordon node01
kubectl get ns
kubectl get namespace default kube-system
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  MODE: production
  LOG_LEVEL: info
---
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
type: Opaque
data:
  username: YWRtaW4=
  password: czNjcjN0
---
apiVersion: v1
kind: Secret
metadata:
  name: registry
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6e319
---
apiVersion: v1
kind: Namespace
metadata:
  name: dev
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: dev
data:
  color: blue
EOF2
kubectl get cm,secret
kubectl get configmaps -A
kubectl get sa -A
kubectl get secret db-credentials
kubectl get ns
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
EOF2
sleep 8
kubectl get events
kubectl get events -o wide
kubectl get ev -A
