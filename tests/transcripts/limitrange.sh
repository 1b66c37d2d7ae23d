# LimitRange: the LimitRanger admission plugin fills in a container's missing requests and
# limits from the defaults (and says so in the kubernetes.io/limit-ranger annotation), and
# rejects containers outside min/max with the API server's texts.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Namespace
metadata:
  name: constraints
---
apiVersion: v1
kind: LimitRange
metadata:
  name: cpu-mem
  namespace: constraints
spec:
  limits:
  - type: Container
    default:
      cpu: 500m
      memory: 256Mi
    defaultRequest:
      cpu: 250m
      memory: 128Mi
    max:
      cpu: "1"
      memory: 512Mi
    min:
      cpu: 100m
      memory: 64Mi
---
apiVersion: v1
kind: LimitRange
metadata:
  name: max-only
  namespace: default
spec:
  limits:
  - type: Container
    max:
      cpu: 800m
EOF2
kubectl get limitrange -A
kubectl get limitrange max-only -o yaml
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: defaulted
  namespace: constraints
spec:
  containers:
  - name: nginx
    image: nginx:1.27
EOF2
kubectl get pod defaulted -n constraints -o jsonpath='{.metadata.annotations}{"\n"}{.spec.containers[0].resources}{"\n"}'
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: limits-only
  namespace: constraints
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    resources:
      limits:
        cpu: 800m
EOF2
kubectl get pod limits-only -n constraints -o jsonpath='{.metadata.annotations}{"\n"}{.spec.containers[0].resources}{"\n"}'
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: too-big
  namespace: constraints
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    resources:
      limits:
        cpu: "2"
        memory: 1Gi
EOF2
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: too-small
  namespace: constraints
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    resources:
      requests:
        cpu: 50m
EOF2
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: request-over-default
  namespace: constraints
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    resources:
      requests:
        cpu: 700m
EOF2
kubectl get pods -n constraints
