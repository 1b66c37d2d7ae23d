# kubectl patch: strategic merge (containers merge by name), JSON merge, JSON patch.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
  - name: sidecar
    image: busybox:1.36
    command: ["sleep", "3600"]
EOF2
kubectl patch pod web -p '{"metadata":{"labels":{"tier":"frontend"}}}'
kubectl patch pod web -p '{"metadata":{"labels":{"tier":"frontend"}}}'
kubectl patch pod web -p '{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}'
kubectl get pod web -o jsonpath='{.spec.containers[*].image} {.metadata.labels}{"\n"}'
kubectl patch pod web --type=merge -p '{"metadata":{"labels":{"app":null}}}'
kubectl get pod web -o jsonpath='{.metadata.labels}{"\n"}'
kubectl patch pod web --type=json -p '[{"op":"replace","path":"/spec/containers/1/image","value":"busybox:1.37"}]'
kubectl get pod web -o jsonpath='{.spec.containers[*].image}{"\n"}'
kubectl patch pod web -p 'metadata: {annotations: {note: yaml-works}}'
kubectl get pod web -o jsonpath='{.metadata.annotations.note}{"\n"}'
kubectl patch pod web -p '{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27","imagePullPolicy":"Always"}]}}' --dry-run=client
kubectl patch pod web -p '{"spec":{"nodeName":"node02"}}'
kubectl patch pod web -p '{"spec":{"replica":3}}'
kubectl patch pod web --type=foo -p '{}'
kubectl patch pod web
kubectl patch pod ghost -p '{}'
kubectl patch pod web -p '{bad'
