# Claims that stay Pending, and why: no class and no volume (FailedBinding, again at each
# 15 s resync), a class that does not exist (ProvisioningFailed); pods that cannot be
# scheduled because of their claims. A matching volume created later is bound at the next
# resync, and the waiting pod starts.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: no-class
spec:
  storageClassName: ""
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 2Gi
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: typo
spec:
  storageClassName: fast-ssd
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 2Gi
EOF2
sleep 20
kubectl get pvc
kubectl get events -o jsonpath='{range .items[*]}{.involvedObject.name} {.type} {.reason} x{.count}: {.message}{"\n"}{end}'
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: needs-missing
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: missing
---
apiVersion: v1
kind: Pod
metadata:
  name: needs-no-class
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: no-class
EOF2
sleep 2
kubectl get pods
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.conditions[0].reason}{"\n"}{end}'
kubectl get events --field-selector reason=FailedScheduling -o jsonpath='{range .items[*]}{.involvedObject.name}: {.message}{"\n"}{end}'
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: PersistentVolume
metadata:
  name: manual-pv
spec:
  capacity:
    storage: 5Gi
  accessModes: ["ReadWriteOnce"]
  hostPath:
    path: /srv/data
EOF2
sleep 1
kubectl get pv,pvc
sleep 12
kubectl get pv,pvc
sleep 10
kubectl get pods
