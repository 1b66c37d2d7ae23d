# describe of a healthy pod: container state, probes, requests and limits, the environment
# (values, ConfigMap and Secret keys, the downward API), mounts, volumes, QoS, the default
# tolerations and the events of its start.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  mode: fast
EOF2
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
type: Opaque
stringData:
  password: s3cr3t
EOF2
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - containerPort: 80
    livenessProbe:
      httpGet:
        path: /
        port: 80
      initialDelaySeconds: 3
    readinessProbe:
      tcpSocket:
        port: 80
      periodSeconds: 5
    env:
    - name: GREETING
      value: hello
    - name: MODE
      valueFrom:
        configMapKeyRef:
          name: web-config
          key: mode
    - name: PASSWORD
      valueFrom:
        secretKeyRef:
          name: web-secret
          key: password
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: POD_IP
      valueFrom:
        fieldRef:
          fieldPath: status.podIP
    resources:
      requests:
        cpu: 250m
        memory: 64Mi
      limits:
        cpu: 500m
        memory: 128Mi
    volumeMounts:
    - name: config
      mountPath: /etc/web
      readOnly: true
    - name: cache
      mountPath: /var/cache/nginx
  volumes:
  - name: config
    configMap:
      name: web-config
  - name: cache
    emptyDir: {}
EOF2
sleep 20
kubectl describe pod web
kubectl describe pod web --show-events=false
kubectl describe po/web -n kube-system
kubectl describe pods nothing-like-this
