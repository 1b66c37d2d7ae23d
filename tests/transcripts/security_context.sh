# Security contexts: runAsUser/runAsGroup/fsGroup decide the process's ids (container fields
# over the pod's); readOnlyRootFilesystem leaves only the volumes writable; runAsNonRoot makes
# the kubelet refuse an image that would run as root (CreateContainerConfigError, retried)
# or a runAsUser of 0, and accepts a non-zero runAsUser.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: secure
spec:
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    fsGroup: 2000
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities:
        drop: ["ALL"]
    volumeMounts:
    - name: tmp
      mountPath: /tmp
  - name: other
    image: busybox:1.36
    command: ["sleep", "3600"]
    securityContext:
      runAsUser: 2000
  volumes:
  - name: tmp
    emptyDir: {}
---
apiVersion: v1
kind: Pod
metadata:
  name: as-root
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: uid-zero
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    securityContext:
      runAsNonRoot: true
      runAsUser: 0
---
apiVersion: v1
kind: Pod
metadata:
  name: non-root
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    securityContext:
      runAsUser: 1000
EOF2
sleep 15
kubectl get pods
kubectl exec secure -c app -- id
kubectl exec secure -c other -- id
kubectl exec secure -c app -- touch /oops
kubectl exec secure -c app -- touch /tmp/fine
kubectl exec secure -c other -- touch /fine
kubectl exec non-root -- id
kubectl get pod as-root -o jsonpath='{.status.containerStatuses[0].state}{"\n"}'
kubectl describe pod as-root
kubectl get pod uid-zero -o jsonpath='{.status.containerStatuses[0].state.waiting.message}{"\n"}'
kubectl get events --field-selector involvedObject.name=as-root
