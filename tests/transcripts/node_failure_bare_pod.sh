# A node loses power: after the node-monitor grace period (50 s) it turns NotReady, its pods
# become unready, and 300 s later (the default unreachable toleration) they are evicted —
# stuck Terminating while the kubelet is gone. Power returns: the kubelet finishes them.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  nodeName: node01
  containers:
  - name: nginx
    image: nginx:1.27
EOF2
sleep 10
kubectl get pods -o wide
chaos node-down node01
sleep 40
kubectl get nodes
sleep 20
kubectl get nodes
kubectl get pods
kubectl describe node node01
sleep 300
kubectl get pods
kubectl get events --field-selector involvedObject.name=web
chaos node-up node01
sleep 15
kubectl get nodes
kubectl get pods
