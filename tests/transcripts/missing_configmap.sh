# A pod referring to a ConfigMap that does not exist yet: CreateContainerConfigError until
# it is created.
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: needs-config
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo $GREETING; sleep 3600"]
    env:
    - name: GREETING
      valueFrom:
        configMapKeyRef:
          name: greetings
          key: hello
EOF2
sleep 4
kubectl get pods
kubectl describe pod needs-config
kubectl create configmap greetings --from-literal=hello=world
sleep 2
kubectl get pods
kubectl logs needs-config
