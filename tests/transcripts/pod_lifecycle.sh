# A pod from scheduling through the image pull to Running and Ready.
cat > pod.yaml <<'EOF2'
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - containerPort: 80
EOF2
kubectl apply -f pod.yaml
kubectl get pods
sleep 1
kubectl get pods
sleep 3
kubectl get pods -o wide
kubectl get pod web -o jsonpath='{.status.phase} {.status.podIP} {.spec.nodeName}{"\n"}'
kubectl describe pod web
kubectl apply -f pod.yaml
