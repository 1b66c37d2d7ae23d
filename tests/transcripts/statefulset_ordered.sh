# A StatefulSet (OrderedReady): web-0, web-1, web-2 start one at a time, each Running and
# Ready before the next; each gets its PVC www-web-<n>; scaling down removes web-2 first.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
  clusterIP: None
  selector:
    app: nginx
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
EOF2
sleep 4
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase}{"\n"}{end}'
sleep 6
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase}{"\n"}{end}'
sleep 20
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.spec.hostname}.{.spec.subdomain} {.metadata.labels}{"\n"}{end}'
kubectl get pvc -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.metadata.labels}{"\n"}{end}'
kubectl get pod web-1 -o jsonpath='{.spec.volumes[0]}{"\n"}'
kubectl get statefulset web -o jsonpath='{.status}{"\n"}'
kubectl get controllerrevisions -o jsonpath='{range .items[*]}{.metadata.name} {.revision}{"\n"}{end}'
cat <<'EOF2' | kubectl apply -f -
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 1
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
EOF2
sleep 5
kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
kubectl get pvc -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
kubectl get statefulset web -o jsonpath='replicas={.status.replicas} ready={.status.readyReplicas}{"\n"}'
kubectl get events --field-selector involvedObject.kind=StatefulSet -o jsonpath='{range .items[*]}{.firstTimestamp} {.reason} {.message}{"\n"}{end}'
