# describe of a pod no node can take: Pending, no node, no IP, the PodScheduled condition
# False, and the scheduler's FailedScheduling event explaining why.
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
sleep 5
kubectl describe pod big
