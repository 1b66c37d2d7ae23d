# The same text tools inside a busybox container through kubectl exec, with busybox's
# texts; the container's environment has HOME and the Services' link variables.
kubectl apply -f - <<'EOF2'
apiVersion: v1
kind: Service
metadata:
  name: web-api
spec:
  clusterIP: 10.96.100.10
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
EOF2
kubectl run box --image=busybox:1.36 -- sleep 3600
sleep 5
kubectl exec box -- env | sort
kubectl exec box -- sh -c 'cd; pwd'
kubectl exec box -- sh -c 'printf "web-1 Running 0\ndb-2 Pending 3\napi-3 Running 12\n" > /tmp/pods'
kubectl exec box -- awk '{s+=$3} END {print s, NR}' /tmp/pods
kubectl exec box -- awk '$2=="Running" {print $1}' /tmp/pods
kubectl exec box -- grep -E '^(web|api)' /tmp/pods
kubectl exec box -- grep -c Running /tmp/pods
kubectl exec box -- sed -n '2p' /tmp/pods
kubectl exec box -- sh -c "sed -i 's/Pending/Running/' /tmp/pods && cat /tmp/pods"
kubectl exec box -- sh -c 'echo czNjcjN0 | base64 -d; echo'
kubectl exec box -- sh -c 'cut -d" " -f1 /tmp/pods | xargs -n 2 echo'
kubectl exec box -- find /tmp -name 'p*'
kubectl exec box -- which awk sed grep
kubectl exec box -- grep 'a\(' /tmp/pods
kubectl exec box -- sed 's/a/b' /tmp/pods
kubectl exec box -- awk '{print $1' /tmp/pods
kubectl exec box -- sh -c 'echo czNjc | base64 -d'
kubectl exec box -- find /nope
