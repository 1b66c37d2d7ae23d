# A StatefulSet's volumeClaimTemplates: each pod gets its claim <template>-<set>-<ordinal>,
# provisioned on the node the pod is scheduled to; a pod deleted and created again gets the
# same claim, on the same node (the volume's node affinity), with its data.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector:
    app: db
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: app
        image: busybox:1.36
        command: ["sh", "-c", "hostname >> /var/lib/data/boots; sleep 3600"]
        volumeMounts:
        - name: data
          mountPath: /var/lib/data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
EOF2
sleep 30
kubectl get pods -o wide
kubectl get pvc
kubectl get pvc -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.annotations.volume\.kubernetes\.io/selected-node}{"\n"}{end}'
kubectl get pv -o jsonpath='{range .items[*]}{.spec.claimRef.name} {.status.phase} {.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]} {.spec.hostPath.path}{"\n"}{end}'
kubectl delete pod db-0
sleep 10
kubectl get pods -o wide
kubectl exec db-0 -- cat /var/lib/data/boots
kubectl exec db-1 -- cat /var/lib/data/boots
