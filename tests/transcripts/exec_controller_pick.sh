# `kubectl exec deploy/NAME` runs in the controller's most active pod (AttachablePodForObject:
# assigned, Running, ready — for longest —, fewest restarts, oldest) and defaults the
# container with kubectl's notice (not with -q); a named container goes to the server as is.
cat <<'EOF2' | kubectl apply -f -
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
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
        image: nginx
      - name: sidecar
        image: busybox:1.36
        command: ["sh", "-c", "sleep 3600"]
EOF2
sleep 20
kubectl scale deploy web --replicas=3
sleep 20
kubectl get pods
kubectl exec deploy/web -- cat /etc/hostname
kubectl exec deploy/web -q -- cat /etc/hostname
kubectl exec deploy/web -c sidecar -- cat /etc/hostname
kubectl exec deploy/web -c nope -- cat /etc/hostname
kubectl logs deploy/web
kubectl logs deploy/web -c sidecar
# The oldest goes; the next oldest ready pod is chosen, not the new one.
kubectl delete pod $(kubectl exec deploy/web -q -- cat /etc/hostname)
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].lastTransitionTime}{"\n"}{end}'
kubectl exec deploy/web -q -- cat /etc/hostname
kubectl exec rs/nothing -- true
