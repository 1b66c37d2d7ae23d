# A Deployment from a manifest: the controller makes a ReplicaSet named after the
# pod-template-hash, the ReplicaSet makes the pods, and the status follows them to all-ready.
cat <<'EOF2' | kubectl apply -f -
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
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
sleep 1
kubectl get deploy,rs,pods -o name
sleep 2
kubectl get deploy web -o jsonpath='{.status.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.availableReplicas}{"\n"}'
sleep 20
kubectl get deploy web -o yaml
kubectl get rs -o yaml
kubectl get pods -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,OWNER:.metadata.ownerReferences[0].name,HASH:.metadata.labels.pod-template-hash
kubectl get events -o custom-columns=OBJECT:.involvedObject.name,REASON:.reason,SOURCE:.source.component,MESSAGE:.message --field-selector involvedObject.kind!=Pod
