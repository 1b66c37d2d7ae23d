# Scaling a Deployment up and down: the ReplicaSet is resized (ScalingReplicaSet events with
# "from N to M"), pods are created or deleted (SuccessfulCreate, SuccessfulDelete), and scale's
# preconditions and errors read as kubectl's.
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
sleep 15
kubectl scale deployment web --replicas=5
sleep 15
kubectl get deploy web -o jsonpath='{.spec.replicas} {.status.readyReplicas} {.status.availableReplicas}{"\n"}'
kubectl get pods -o name
kubectl scale deploy/web --replicas=1 --current-replicas=5
sleep 40
kubectl get pods -o name
kubectl get rs -o jsonpath='{range .items[*]}{.metadata.name} {.spec.replicas} {.status.replicas} {.metadata.annotations.deployment\.kubernetes\.io/desired-replicas}{"\n"}{end}'
kubectl scale deployment web --replicas=3 --current-replicas=2
kubectl scale deployment web --replicas=-1
kubectl scale deployment web
kubectl scale deployment nope --replicas=2
kubectl scale pod/nope --replicas=2
kubectl get events -o custom-columns=OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message --field-selector involvedObject.kind!=Pod
