# Pods in every state kubectl get shows: ContainerCreating, Running, Completed, Error,
# CrashLoopBackOff, ErrImagePull/ImagePullBackOff, Init:0/1, Pending (unschedulable) and
# Terminating, with READY counts, RESTARTS "(Ns ago)" and the wide columns.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: once
spec:
  restartPolicy: Never
  containers:
  - name: hello
    image: busybox:1.36
    command: ["sh", "-c", "echo hello"]
---
apiVersion: v1
kind: Pod
metadata:
  name: fails
spec:
  restartPolicy: Never
  containers:
  - name: fail
    image: busybox:1.36
    command: ["sh", "-c", "exit 3"]
---
apiVersion: v1
kind: Pod
metadata:
  name: crash
spec:
  containers:
  - name: crash
    image: busybox:1.36
    command: ["sh", "-c", "sleep 2; exit 1"]
---
apiVersion: v1
kind: Pod
metadata:
  name: typo
spec:
  containers:
  - name: app
    image: nginx:1.99-nope
---
apiVersion: v1
kind: Pod
metadata:
  name: waits
spec:
  initContainers:
  - name: wait-for-db
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
  containers:
  - name: app
    image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: huge
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: "64"
---
apiVersion: v1
kind: Pod
metadata:
  name: sidecar
spec:
  initContainers:
  - name: log-shipper
    image: busybox:1.36
    restartPolicy: Always
    command: ["sh", "-c", "sleep 3600"]
  containers:
  - name: app
    image: nginx:1.27
EOF2
sleep 1
kubectl get pods
sleep 1
kubectl get pod typo
sleep 8
kubectl get pods
kubectl get pods -o wide
sleep 40
kubectl get pods
kubectl delete pod web --wait=false
kubectl get pods web sidecar
kubectl get pod huge -o wide
