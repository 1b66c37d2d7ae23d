# `kubectl get -f`: the objects a manifest names, fetched from the cluster — in the
# manifest's namespace when it gives one, else the current one; one object prints as itself
# (jsonpath, name), several as tables grouped by kind; a missing one is NotFound. Resource
# arguments cannot be mixed with files.
kubectl create namespace team
cat <<'EOF2' > app.yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: team
data:
  level: debug
EOF2
cat <<'EOF2' > pod.yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27
EOF2
kubectl get -f pod.yaml
kubectl apply -f app.yaml
sleep 5
kubectl get -f app.yaml
kubectl get -f app.yaml -o name
kubectl get -f pod.yaml -o jsonpath='{.kind}/{.metadata.name} {.status.phase}{"\n"}'
kubectl get -f app.yaml -o jsonpath='{.items[*].metadata.name}{"\n"}'
kubectl get -n team -f pod.yaml
kubectl get pods -f pod.yaml
kubectl get -f missing.yaml
kubectl get pod nope -o jsonpath='{.kind}'
kubectl get pod nope other -o jsonpath='{.kind}{"\n"}'
kubectl get pod nope --ignore-not-found -o jsonpath='{.kind}'
