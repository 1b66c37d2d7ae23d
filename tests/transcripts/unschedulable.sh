# A pod that fits on no node: Pending, with the scheduler's explanation.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: "5"
        memory: 1Gi
EOF2
sleep 2
kubectl get pods
kubectl describe pod big
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: picky
spec:
  nodeSelector:
    disktype: ssd
  containers:
  - name: app
    image: nginx:1.27
EOF2
sleep 2
kubectl get pod picky
kubectl get events --field-selector reason=FailedScheduling
kubectl label node node01 disktype=ssd
sleep 2
kubectl get pod picky -o wide
