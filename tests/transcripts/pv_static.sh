# Static binding: a 3Gi claim of class manual binds the smallest manual volume that fits
# (5Gi, not 10Gi or 1Gi) at the controller's next sync; a file written by one pod survives it,
# and a new pod using the same claim reads it (both pinned to node01: hostPath data is the
# node's directory).
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/data"
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-1gi
spec:
  storageClassName: manual
  capacity:
    storage: 1Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/one"
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-5gi
spec:
  storageClassName: manual
  capacity:
    storage: 5Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/data"
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
EOF2
kubectl get pv,pvc
kubectl get pv -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.finalizers}{"\n"}{end}'
sleep 1
kubectl get pv,pvc
kubectl get pv -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.annotations.pv\.kubernetes\.io/bound-by-controller}{"\n"}{end}'
kubectl get pvc task-pv-claim -o yaml
kubectl get pv pv-5gi -o jsonpath='{.spec.claimRef}{"\n"}{.status}{"\n"}'
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  nodeSelector:
    kubernetes.io/hostname: node01
  volumes:
  - name: task-pv-storage
    persistentVolumeClaim:
      claimName: task-pv-claim
  containers:
  - name: busybox
    image: busybox:1.36
    command: ["sh", "-c", "echo 'Hello from Kubernetes storage' > /data/index.html; sleep 3600"]
    volumeMounts:
    - mountPath: /data
      name: task-pv-storage
EOF2
sleep 8
kubectl get pod writer -o jsonpath='{.status.phase} {.spec.nodeName}{"\n"}'
kubectl exec writer -- cat /data/index.html
kubectl delete pod writer --now
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  nodeSelector:
    kubernetes.io/hostname: node01
  volumes:
  - name: task-pv-storage
    persistentVolumeClaim:
      claimName: task-pv-claim
  containers:
  - name: nginx
    image: nginx:1.27
    volumeMounts:
    - mountPath: /usr/share/nginx/html
      name: task-pv-storage
EOF2
sleep 8
kubectl exec reader -- cat /usr/share/nginx/html/index.html
kubectl get pods -o wide
