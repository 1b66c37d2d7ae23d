# A DaemonSet runs one pod on each worker but not on the tainted control plane; tolerating
# the control-plane taint puts one there too. Pods are pinned by node affinity and carry the
# DaemonSet's automatic tolerations.
cat <<'EOF2' | kubectl apply -f -
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox:1.36
        command: ["sh", "-c", "while true; do sleep 5; done"]
EOF2
sleep 10
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.metadata.labels.controller-revision-hash} {.metadata.labels.pod-template-generation}{"\n"}{end}'
kubectl get ds agent -o jsonpath='{.status}{"\n"}'
POD=$(kubectl get pods -o jsonpath='{.items[0].metadata.name}')
kubectl get pod $POD -o jsonpath='{.spec.affinity}{"\n"}'
kubectl get pod $POD -o jsonpath='{range .spec.tolerations[*]}{.key}:{.effect} {.operator}{"\n"}{end}'
kubectl get controllerrevisions -o jsonpath='{range .items[*]}{.metadata.name} {.revision} {.metadata.labels}{"\n"}{end}'
cat <<'EOF2' | kubectl apply -f -
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: agent
        image: busybox:1.36
        command: ["sh", "-c", "while true; do sleep 5; done"]
EOF2
sleep 2
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.metadata.labels.controller-revision-hash} {.metadata.deletionTimestamp}{"\n"}{end}'
sleep 80
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.metadata.labels.controller-revision-hash}{"\n"}{end}'
kubectl get ds agent -o jsonpath='{.status}{"\n"}'
kubectl get controllerrevisions -o jsonpath='{range .items[*]}{.metadata.name} {.revision}{"\n"}{end}'
kubectl get events --field-selector involvedObject.kind=DaemonSet -o jsonpath='{range .items[*]}{.firstTimestamp} {.reason} {.message}{"\n"}{end}'
