# Strategy Recreate: every old pod is gone (terminated, not just terminating) before the new
# ReplicaSet is even created. A shell as PID 1 ignores SIGTERM, so the old pods use their whole
# 5 s grace period.
kubectl apply -f - <<'EOF2'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
spec:
  replicas: 2
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: app
        image: busybox:1.36
        command: ["sh", "-c", "sleep 3600"]
EOF2
kubectl rollout status deployment/db
kubectl set image deployment/db app=busybox:1.35
sleep 1
kubectl get rs,pods -o name
kubectl get pods -o custom-columns=NAME:.metadata.name,DELETING:.metadata.deletionTimestamp
sleep 3
kubectl get rs,pods -o name
sleep 3
kubectl get rs,pods -o name
kubectl rollout status deployment/db
kubectl get rs -o jsonpath='{range .items[*]}{.metadata.name} {.spec.replicas} {.spec.template.spec.containers[0].image}{"\n"}{end}'
kubectl get events -o custom-columns=OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message --field-selector involvedObject.kind=Deployment
