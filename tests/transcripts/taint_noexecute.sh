# A NoExecute taint evicts pods that do not tolerate it at once; a toleration with
# tolerationSeconds lets a pod stay that long.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: plain
spec:
  nodeName: node01
  containers:
  - name: app
    image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: patient
spec:
  nodeName: node01
  tolerations:
  - key: maintenance
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 60
  containers:
  - name: app
    image: nginx:1.27
EOF2
sleep 10
kubectl taint nodes node01 maintenance=now:NoExecute
sleep 1
kubectl get pods
sleep 50
kubectl get pods
kubectl get events --field-selector involvedObject.name=patient -o custom-columns=REASON:.reason,MESSAGE:.message
sleep 20
kubectl get pods
kubectl taint nodes node01 maintenance:NoExecute-
kubectl taint nodes node01 maintenance:NoExecute-
kubectl taint nodes node01 a=b=c:NoSchedule
kubectl taint nodes node01 a:Sometimes
kubectl taint pods plain a=b:NoSchedule
kubectl taint nodes node01
