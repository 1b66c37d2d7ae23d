# A rolling update, its history, and undo: the old ReplicaSet is scaled back up and takes
# the next revision; --to-revision picks one; change-cause comes from the annotation.
kubectl apply -f - <<'EOF2'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
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
        ports:
        - containerPort: 80
EOF2
kubectl rollout status deployment/web
kubectl rollout history deployment/web
kubectl set image deployment/web nginx=nginx:1.26
kubectl annotate deployment web kubernetes.io/change-cause="upgrade to 1.26"
kubectl rollout status deployment/web
kubectl rollout history deployment/web
kubectl rollout history deployment/web --revision=2
kubectl rollout history deployment/web --revision=7
kubectl rollout undo deployment/web
kubectl rollout status deployment/web
kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].image} rev={.metadata.annotations.deployment\.kubernetes\.io/revision}{"\n"}'
kubectl rollout history deployment/web
kubectl get rs -o jsonpath='{range .items[*]}{.metadata.name} {.spec.replicas} {.metadata.annotations.deployment\.kubernetes\.io/revision} {.metadata.annotations.deployment\.kubernetes\.io/revision-history}{"\n"}{end}'
kubectl rollout undo deployment/web --to-revision=3
kubectl rollout undo deployment/web --to-revision=9
kubectl rollout undo deployment/web --to-revision=2
kubectl rollout status deployment/web
kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].image} {.metadata.annotations.kubernetes\.io/change-cause}{"\n"}'
kubectl get events -o custom-columns=OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message --field-selector involvedObject.kind=Deployment
