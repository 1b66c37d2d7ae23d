# kubectl events: the namespace's events oldest first, --for, --types, -A, -o.
kubectl events
cat > pods.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx
---
apiVersion: v1
kind: Pod
metadata:
  name: broken
spec:
  containers:
  - name: app
    image: nginx:no-such-tag
YAML
kubectl apply -f pods.yaml
sleep 40
kubectl events
kubectl events --for pod/web
kubectl events --for=po/broken --types=Warning
kubectl events --types=warning,Normal --for pod/web --no-headers
kubectl events -A --types Warning
kubectl events -n kube-system
kubectl events --for pod/web -o jsonpath='{.items[*].reason}{"\n"}'
kubectl events --for web
kubectl events --types=Info
kubectl events -w
kubectl events --as jane
