# Reclaim policies. A claim in use stays Terminating (kubernetes.io/pvc-protection) until its
# pod is gone. Then: the provisioned volume (Delete) is Released and removed with its data;
# the static Retain volume is Released with its data kept, made Available again by removing
# its claimRef, and bound by a new claim that names it — the data is still there. A static
# hostPath volume with policy Delete outside /tmp cannot be deleted: Failed.
cat > keep-pv.yaml <<'EOF2'
apiVersion: v1
kind: PersistentVolume
metadata:
  name: keep-pv
spec:
  storageClassName: manual
  persistentVolumeReclaimPolicy: Retain
  capacity:
    storage: 1Gi
  accessModes: ["ReadWriteOnce"]
  hostPath:
    path: /srv/keep
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - key: kubernetes.io/hostname
          operator: In
          values: ["node01"]
EOF2
kubectl apply -f keep-pv.yaml
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: PersistentVolume
metadata:
  name: mnt-pv
spec:
  storageClassName: manual
  persistentVolumeReclaimPolicy: Delete
  capacity:
    storage: 2Gi
  accessModes: ["ReadWriteOnce"]
  hostPath:
    path: /mnt/delete-me
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: keep
spec:
  storageClassName: manual
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: scratch
spec:
  storageClassName: manual
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 2Gi
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: dynamic
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo kept > /keep/file; echo gone > /dynamic/file; sleep 3600"]
    volumeMounts:
    - name: keep
      mountPath: /keep
    - name: dynamic
      mountPath: /dynamic
  volumes:
  - name: keep
    persistentVolumeClaim:
      claimName: keep
  - name: dynamic
    persistentVolumeClaim:
      claimName: dynamic
EOF2
sleep 15
kubectl get pod app -o jsonpath='{.status.phase} {.spec.nodeName}{"\n"}'
kubectl get pv
kubectl delete pvc keep dynamic scratch --wait=false
kubectl get pvc
sleep 5
kubectl get pvc
kubectl get pv
kubectl get pv mnt-pv -o jsonpath='{.status.message}{"\n"}'
kubectl get events --field-selector involvedObject.name=mnt-pv -o jsonpath='{range .items[*]}{.type} {.reason}: {.message}{"\n"}{end}'
kubectl delete pod app --now
sleep 3
kubectl get pvc
kubectl get pv
kubectl patch pv keep-pv --type json -p '[{"op":"remove","path":"/spec/claimRef"}]'
sleep 1
kubectl get pv keep-pv
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: restored
spec:
  storageClassName: manual
  volumeName: keep-pv
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: check
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "cat /keep/file; sleep 3600"]
    volumeMounts:
    - name: keep
      mountPath: /keep
  volumes:
  - name: keep
    persistentVolumeClaim:
      claimName: restored
EOF2
sleep 10
kubectl get pv,pvc
kubectl logs check
kubectl get events --field-selector involvedObject.name=check -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}'
