# rollout status waits in simulated time: its progress lines, --watch=false, --timeout, a
# bad image that never becomes available (ProgressDeadlineExceeded), and its errors.
kubectl apply -f - <<'EOF2'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  minReadySeconds: 5
  progressDeadlineSeconds: 30
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
        image: nginx:1.25
EOF2
kubectl rollout status deployment/web --watch=false
kubectl rollout status deployment/web
kubectl get deploy web -o jsonpath='{.status.availableReplicas}/{.status.replicas}{"\n"}'
kubectl set image deployment/web nginx=nginx:9.9-nope
kubectl rollout status deployment/web --timeout=10s
kubectl rollout status deployment/web
kubectl get deploy web -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}'
kubectl rollout status deployment/web --revision=1
kubectl rollout status deployment/nope
kubectl rollout status replicaset/nope
kubectl rollout undo deployment/web
kubectl rollout status deployment/web
