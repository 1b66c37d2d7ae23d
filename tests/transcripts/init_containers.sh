# Init containers run one after another before the app container: Init:0/2, Init:1/2,
# PodInitializing, Running.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: myapp
spec:
  initContainers:
  - name: init-config
    image: busybox:1.36
    command: ["sh", "-c", "echo preparing; sleep 6; echo ready > /work/config"]
    volumeMounts:
    - name: work
      mountPath: /work
  - name: init-wait
    image: busybox:1.36
    command: ["sh", "-c", "sleep 5"]
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "cat /work/config; sleep 3600"]
    volumeMounts:
    - name: work
      mountPath: /work
  volumes:
  - name: work
    emptyDir: {}
EOF2
sleep 3
kubectl get pods
sleep 7
kubectl get pods
sleep 5
kubectl get pods
sleep 3
kubectl get pods
kubectl logs myapp
kubectl logs myapp -c init-config
