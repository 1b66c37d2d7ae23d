# kubectl get's table flags: --show-labels, -L, --no-headers, several kinds at once
# (kind/name prefixes, a blank line between tables), -A, --sort-by, `get all`, and what
# kubectl says when there is nothing to show.
kubectl get pods
kubectl get pods --ignore-not-found
kubectl get pods,nodes
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: frontend
  labels:
    app: shop
    tier: frontend
    app.kubernetes.io/version: "1.4"
spec:
  containers:
  - name: nginx
    image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: backend-10
  labels:
    app: shop
    tier: backend
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: backend-9
  labels:
    app: shop
    tier: backend
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: plain
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
EOF2
sleep 6
kubectl get pods --show-labels
kubectl get pods -L tier,app.kubernetes.io/version
kubectl get pods -L tier -L app --show-labels -o wide
kubectl get pods -l tier=backend --no-headers
kubectl get pods --sort-by=.metadata.name
kubectl get pods --sort-by='{.metadata.labels.tier}'
kubectl get pods --sort-by=.spec.nodeName -o name
kubectl get pods --sort-by=.status.nope
kubectl get pods,cm
kubectl get pods,cm --no-headers
kubectl get pod/plain cm/kube-root-ca.crt
kubectl get pods plain nothere
kubectl get pods -A -l app=shop
kubectl get all
kubectl get all -A
kubectl get pods --show-kind -l tier=frontend
kubectl get pods --show-labels -o yaml
