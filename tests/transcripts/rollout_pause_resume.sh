# A paused Deployment takes template changes without rolling them out (no new ReplicaSet,
# Progressing becomes Unknown/DeploymentPaused); resume rolls out all the changes at once.
kubectl apply -f - <<'EOF2'
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
      containers:
      - name: nginx
        image: nginx:1.25
EOF2
kubectl rollout status deployment/web
kubectl rollout pause deployment/web
kubectl rollout pause deployment/web
kubectl set image deployment/web nginx=nginx:1.26
kubectl set env deployment/web MODE=blue
sleep 10
kubectl get rs -o name
kubectl get deploy web -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}'
kubectl rollout status deployment/web --watch=false
kubectl rollout undo deployment/web
kubectl rollout restart deployment/web
kubectl rollout resume deployment/web
kubectl rollout resume deployment/web
kubectl rollout status deployment/web
kubectl get rs -o jsonpath='{range .items[*]}{.metadata.name} {.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value}{"\n"}{end}'
kubectl get deploy web -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}'
sleep 60
kubectl rollout restart deployment/web
kubectl get deploy web -o jsonpath='{.spec.template.metadata.annotations}{"\n"}'
kubectl rollout status deployment/web
kubectl rollout history deployment/web
