# An ingress controller (the ingress-nginx image, installed from a trimmed copy of its
# bare-metal manifest) routes two paths to two Services; a path nothing matches gets the
# controller's 404 page, a backend without endpoints its 503; the controller publishes its
# address on the Ingress's status when its status syncer runs (every 60 s). A rule with a
# host serves only requests for that host (here given with a Host header).
cat <<'EOF2' > ingress-nginx.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: ingress-nginx
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
spec:
  controller: k8s.io/ingress-nginx
---
apiVersion: v1
kind: Service
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
spec:
  type: NodePort
  selector:
    app.kubernetes.io/name: ingress-nginx
  ports:
  - name: http
    port: 80
    targetPort: http
    nodePort: 30080
  - name: https
    port: 443
    targetPort: https
    nodePort: 30443
---
apiVersion: v1
kind: Pod
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
  labels:
    app.kubernetes.io/name: ingress-nginx
spec:
  containers:
  - name: controller
    image: registry.k8s.io/ingress-nginx/controller:v1.12.0
    args:
    - /nginx-ingress-controller
    - --election-id=ingress-nginx-leader
    - --controller-class=k8s.io/ingress-nginx
    - --ingress-class=nginx
    ports:
    - name: http
      containerPort: 80
    - name: https
      containerPort: 443
    readinessProbe:
      httpGet:
        path: /healthz
        port: 10254
      periodSeconds: 10
EOF2
cat <<'EOF2' > apps.yaml
apiVersion: v1
kind: Pod
metadata:
  name: shop
  labels:
    app: shop
spec:
  containers:
  - name: shop
    image: kubedojo/webapp:1.0
    env:
    - name: MESSAGE
      value: "Shop served by"
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector:
    app: shop
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: api
  labels:
    app: api
spec:
  containers:
  - name: api
    image: kubedojo/webapp:1.0
    env:
    - name: MESSAGE
      value: "API served by"
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: cart
spec:
  selector:
    app: cart
  ports:
  - port: 80
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
kubectl apply -f ingress-nginx.yaml
kubectl apply -f apps.yaml
cat <<'EOF2' | kubectl apply -f -
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx
  rules:
  - http:
      paths:
      - path: /shop
        pathType: Prefix
        backend:
          service:
            name: shop
            port:
              number: 80
      - path: /api
        pathType: Prefix
        backend:
          service:
            name: api
            port:
              number: 80
      - path: /cart
        pathType: Exact
        backend:
          service:
            name: cart
            port:
              number: 80
EOF2
sleep 25
kubectl logs -n ingress-nginx ingress-nginx-controller
kubectl get ingress web -o jsonpath='{.status.loadBalancer}{"\n"}'
kubectl exec client -- wget -qO- http://192.168.1.11:30080/shop
kubectl exec client -- wget -qO- http://192.168.1.12:30080/api/v1/items
kubectl exec client -- wget -qO- http://192.168.1.11:30080/apis
kubectl exec client -- wget -qO- http://192.168.1.11:30080/cart
kubectl exec client -- wget -O- http://ingress-nginx-controller.ingress-nginx/other
kubectl exec client -- wget -qO- http://ingress-nginx-controller.ingress-nginx/cart/
cat <<'EOF2' | kubectl apply -f -
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: by-host
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: shop
            port:
              number: 80
EOF2
kubectl exec client -- wget -qO- --header 'Host: shop.example.com' http://192.168.1.11:30080/
kubectl exec client -- wget -qO- --header 'Host: blog.example.com' http://192.168.1.11:30080/api
sleep 60
kubectl get ingress web -o jsonpath='{.status.loadBalancer}{"\n"}'
kubectl create -f - <<'EOF2'
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bad
spec:
  rules:
  - http:
      paths:
      - path: /x
        backend:
          service:
            name: shop
            port:
              number: 80
EOF2
