# Readiness: the container runs but is not Ready until its probe passes; when the probe
# starts failing the pod drops out of Ready without restarting.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: kubedojo/webapp:1.0
    env:
    - name: START_DELAY
      value: "8"
    - name: NOT_READY_AFTER
      value: "40"
    ports:
    - name: http
      containerPort: 8080
    readinessProbe:
      httpGet:
        path: /ready
        port: http
      periodSeconds: 5
EOF2
sleep 5
kubectl get pods
sleep 10
kubectl get pods
sleep 40
kubectl get pods
kubectl describe pod app
