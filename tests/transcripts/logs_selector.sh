# `kubectl logs -l`: the logs of every pod the selector matches, 10 lines each unless --tail
# says otherwise, with --prefix naming the source; a selector that matches nothing says so.
cat <<'EOF2' | kubectl apply -f -
apiVersion: apps/v1
kind: Deployment
metadata:
  name: counter
spec:
  replicas: 2
  selector:
    matchLabels:
      app: counter
  template:
    metadata:
      labels:
        app: counter
    spec:
      containers:
      - name: count
        image: busybox:1.36
        command: ["sh", "-c", "i=1; while [ $i -le 15 ]; do echo line $i; i=$((i+1)); done; sleep 3600"]
EOF2
sleep 10
kubectl logs -l app=counter
kubectl logs -l app=counter --tail=2 --prefix
kubectl logs -l app=counter --tail=-1 | wc -l
kubectl logs -l app=nothing
kubectl logs web -l app=counter
