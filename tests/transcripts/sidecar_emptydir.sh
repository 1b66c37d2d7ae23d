# Two containers sharing an emptyDir: one writes the date every 5 seconds, nginx serves it.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: logger
spec:
  containers:
  - name: writer
    image: busybox:1.36
    command: ["sh", "-c", "while true; do date >> /var/log/app/date.log; sleep 5; done"]
    volumeMounts:
    - name: logs
      mountPath: /var/log/app
  - name: web
    image: nginx:1.27
    volumeMounts:
    - name: logs
      mountPath: /usr/share/nginx/html
  volumes:
  - name: logs
    emptyDir: {}
EOF2
sleep 17
kubectl get pods
kubectl exec logger -c web -- cat /usr/share/nginx/html/date.log
kubectl exec logger -c writer -- wget -qO- http://localhost/date.log
kubectl logs logger
