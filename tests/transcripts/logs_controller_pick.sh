# `kubectl logs deploy/NAME` picks the controller's best pod to read "by logging" (scheduled,
# running, ready — for longest —, most restarts, oldest) and says so when it had a choice: after
# a fixed rollout it reads the new, running pod, not the one stuck Terminating on a dead node.
cat <<'EOF2' | kubectl apply -f -
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 1
  selector:
    matchLabels:
      app: worker
  template:
    metadata:
      labels:
        app: worker
    spec:
      nodeSelector:
        kubernetes.io/hostname: node02
      containers:
      - name: worker
        image: busybox:1.36
        command: ["sh", "-c", "echo worker starting; slep 3600"]
EOF2
sleep 20
kubectl logs deploy/worker
chaos node-down node02
sleep 60
kubectl patch deployment worker --type=json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/command/2","value":"echo worker starting; sleep 3600"},{"op":"remove","path":"/spec/template/spec/nodeSelector"}]'
sleep 10
kubectl get pods -o wide
kubectl logs deploy/worker
kubectl logs deploy/nothing
