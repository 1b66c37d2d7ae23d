# NetworkPolicy: a default-deny policy makes a request time out, an allow rule for the
# client's label lets it through, a namespaceSelector admits another namespace; with egress
# restricted, DNS fails until an egress rule allows port 53/UDP to kube-dns (a policy that
# selects every pod for Egress leaves them only what its rules allow).
cat <<'EOF2' > app.yaml
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
    - name: http
      containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: http
---
apiVersion: v1
kind: Pod
metadata:
  name: frontend
  labels:
    role: frontend
spec:
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: other
spec:
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Namespace
metadata:
  name: monitoring
---
apiVersion: v1
kind: Pod
metadata:
  name: probe
  namespace: monitoring
spec:
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
EOF2
kubectl apply -f app.yaml
sleep 8
kubectl exec frontend -- wget -qO- -T 2 http://web | grep title
cat <<'EOF2' | kubectl apply -f -
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes:
  - Ingress
EOF2
kubectl get networkpolicy default-deny -o yaml
kubectl exec frontend -- wget -qO- -T 2 http://web
kubectl exec frontend -- nc -zv -w 3 web 80
cat <<'EOF2' | kubectl apply -f -
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-frontend
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: frontend
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: monitoring
    ports:
    - port: http
EOF2
kubectl exec frontend -- wget -qO- -T 2 http://web | grep title
kubectl exec other -- wget -qO- -T 2 http://web
kubectl exec -n monitoring probe -- wget -qO- -T 2 http://web.default | grep title
cat <<'EOF2' | kubectl apply -f -
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: frontend-egress
spec:
  podSelector:
    matchLabels:
      role: frontend
  policyTypes:
  - Egress
  egress:
  - to:
    - podSelector:
        matchLabels:
          app: web
    ports:
    - port: 80
EOF2
kubectl exec frontend -- wget -qO- -T 2 http://web
kubectl exec frontend -- nslookup web
cat <<'EOF2' | kubectl apply -f -
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
spec:
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
EOF2
kubectl exec frontend -- wget -qO- -T 2 http://web | grep title
kubectl exec other -- nslookup web.default.svc.cluster.local
kubectl exec other -- wget -qO- -T 2 http://web
kubectl create -f - <<'EOF2'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: bad
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.0.0/8
        except:
        - 192.168.0.0/16
EOF2
