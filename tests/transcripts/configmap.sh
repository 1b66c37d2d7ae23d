# ConfigMap values as environment variables and as files.
kubectl create configmap app-config --from-literal=COLOR=blue --from-literal=MODE=prod
kubectl get configmaps
cat <<'EOF2' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: cfg
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo color=$COLOR; sleep 3600"]
    env:
    - name: COLOR
      valueFrom:
        configMapKeyRef:
          name: app-config
          key: COLOR
    envFrom:
    - prefix: CFG_
      configMapRef:
        name: app-config
    volumeMounts:
    - name: config
      mountPath: /etc/config
  volumes:
  - name: config
    configMap:
      name: app-config
EOF2
sleep 3
kubectl logs cfg
kubectl exec cfg -- sh -c 'env | grep -e ^COLOR -e ^CFG_ | sort'
kubectl exec cfg -- ls /etc/config
kubectl exec cfg -- cat /etc/config/MODE
