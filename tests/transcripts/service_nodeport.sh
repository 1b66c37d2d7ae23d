# NodePort and LoadBalancer Services: an explicit nodePort, one allocated from the range,
# the node port answering on every node's address, and the API server's errors for a port
# that is taken or out of range. Without a load-balancer implementation a LoadBalancer
# Service gets a NodePort but no external address; a Service's externalIPs are routed too.
cat <<'EOF2' > np.yaml
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
---
apiVersion: v1
kind: Service
metadata:
  name: web-np
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
    nodePort: 30080
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
EOF2
kubectl apply -f np.yaml
sleep 8
kubectl get svc web-np -o jsonpath='{.spec.type} {.spec.clusterIP} {.spec.ports[0].port}:{.spec.ports[0].nodePort}/{.spec.ports[0].protocol} {.spec.externalTrafficPolicy}{"\n"}'
kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.status.addresses[0].address}{"\n"}{end}'
kubectl exec client -- wget -qO- http://192.168.1.11:30080 | grep title
kubectl exec client -- wget -qO- http://192.168.1.12:30080 | grep title
kubectl exec client -- wget -qO- http://192.168.1.10:30080 | grep title
kubectl exec client -- wget -qO- http://192.168.1.11:30081
kubectl logs web
cat <<'EOF2' > taken.yaml
apiVersion: v1
kind: Service
metadata:
  name: other
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    nodePort: 30080
EOF2
kubectl apply -f taken.yaml
kubectl create -f - <<'EOF2'
apiVersion: v1
kind: Service
metadata:
  name: other
spec:
  type: NodePort
  ports:
  - port: 80
    nodePort: 8080
EOF2
kubectl expose pod web --name=web-auto --type=NodePort
kubectl get svc web-auto -o jsonpath='{.spec.ports[0].nodePort}{"\n"}'
kubectl expose pod web --name=web-lb --type=LoadBalancer --port=8080 --target-port=80
kubectl get svc web-lb -o jsonpath='{.spec.ports[0].nodePort} {.status.loadBalancer}{"\n"}'
sleep 5
kubectl get svc web-lb -o jsonpath='{.spec.ports[0].nodePort} {.status.loadBalancer}{"\n"}'
kubectl expose pod web --name=web-ext --port=8081 --target-port=80 --external-ip=192.168.1.100
kubectl exec client -- wget -qO- http://192.168.1.100:8081 | grep title
kubectl delete svc web-np
kubectl apply -f taken.yaml
kubectl get svc other -o jsonpath='{.spec.ports[0].nodePort}{"\n"}'
