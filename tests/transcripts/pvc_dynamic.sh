# Dynamic provisioning with the default StorageClass (local-path, WaitForFirstConsumer): the
# claim gets the default class and waits for a pod; the scheduler picks the pod's node, the
# provisioner makes a hostPath volume pvc-<uid> on it, the claim binds, the pod starts.
kubectl get storageclass
kubectl get storageclass local-path -o yaml
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
EOF2
sleep 2
kubectl get pvc
kubectl get events --field-selector involvedObject.name=data -o jsonpath='{range .items[*]}{.type} {.reason} {.source.component}: {.message}{"\n"}{end}'
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "date > /data/started; sleep 3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
EOF2
kubectl get pod app -o jsonpath='{.status.phase} [{.spec.nodeName}]{"\n"}'
sleep 2
kubectl get pod app -o jsonpath='{.status.phase} [{.spec.nodeName}]{"\n"}'
kubectl get pvc
kubectl get pvc data -o jsonpath='{.metadata.annotations.volume\.kubernetes\.io/selected-node}{"\n"}'
sleep 10
kubectl get pods -o wide
kubectl get pv,pvc
kubectl get pvc data -o yaml
kubectl get pv -o yaml
kubectl get events --field-selector involvedObject.name=data -o jsonpath='{range .items[*]}{.lastTimestamp} {.type} {.reason} x{.count} {.source.component}: {.message}{"\n"}{end}'
kubectl get events --field-selector involvedObject.name=app -o jsonpath='{range .items[*]}{.lastTimestamp} {.reason}: {.message}{"\n"}{end}'
kubectl exec app -- cat /data/started
kubectl exec app -- ls /data
