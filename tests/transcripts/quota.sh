# ResourceQuota: the quota controller keeps status.used; the ResourceQuota admission plugin
# rejects pods that do not say the resources the quota covers, and creations over the quota,
# with the API server's texts. A Deployment's ReplicaSet cannot create pods beyond the quota
# (FailedCreate, ReplicaFailure) until a pod is deleted and its share given back.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Namespace
metadata:
  name: team
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute-quota
  namespace: team
spec:
  hard:
    pods: "3"
    requests.cpu: "1"
    requests.memory: 1Gi
    limits.cpu: "2"
    limits.memory: 2Gi
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: object-counts
  namespace: team
spec:
  hard:
    configmaps: "2"
    persistentvolumeclaims: "1"
    requests.storage: 2Gi
    count/deployments.apps: "1"
EOF2
kubectl get resourcequota -n team
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: no-resources
  namespace: team
spec:
  containers:
  - name: nginx
    image: nginx:1.27
EOF2
cat > pod.yaml <<'EOF2'
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: team
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    resources:
      requests:
        cpu: 600m
        memory: 256Mi
      limits:
        cpu: "1"
        memory: 512Mi
EOF2
kubectl apply -f pod.yaml
kubectl get resourcequota compute-quota -n team -o yaml
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: web-2
  namespace: team
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    resources:
      requests:
        cpu: 600m
        memory: 256Mi
      limits:
        cpu: "1"
        memory: 512Mi
EOF2
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: ConfigMap
metadata:
  name: one
  namespace: team
data:
  a: "1"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: two
  namespace: team
data:
  a: "2"
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: big
  namespace: team
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 5Gi
EOF2
kubectl get resourcequota -n team
cat <<'EOF2' | kubectl apply -f -
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: team
spec:
  replicas: 3
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources:
          requests:
            cpu: 200m
            memory: 128Mi
          limits:
            cpu: 400m
            memory: 256Mi
EOF2
sleep 5
kubectl get deployment,replicaset,pods -n team
kubectl get events -n team --field-selector reason=FailedCreate
kubectl get replicaset -n team -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions}{"\n"}{end}'
kubectl get resourcequota -n team
kubectl delete pod web-1 -n team --now
sleep 1
kubectl get resourcequota -n team
sleep 30
kubectl get deployment api -n team
kubectl get replicaset -n team -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions}{"\n"}{end}'
