# Cluster DNS: a Service by short name and FQDN, a headless Service returning its pods' IPs,
# a StatefulSet's pods reachable as <pod>.<service> (its hostname + subdomain), pod A
# records, an ExternalName CNAME, and the replies busybox's nslookup prints for each.
cat <<'EOF2' > dns.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector:
    app: db
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: search
spec:
  type: ExternalName
  externalName: search.example.com
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
---
apiVersion: v1
kind: Pod
metadata:
  name: old
spec:
  containers:
  - name: old
    image: busybox:1.28
    command: ["sleep", "3600"]
EOF2
kubectl apply -f dns.yaml
sleep 20
kubectl get pods -l app=db -o jsonpath='{range .items[*]}{.metadata.name} {.spec.hostname}.{.spec.subdomain}{"\n"}{end}'
kubectl get svc web -o jsonpath='{.spec.clusterIP}{"\n"}'
kubectl exec client -- cat /etc/resolv.conf
kubectl exec client -- nslookup web
kubectl exec client -- nslookup web.default.svc.cluster.local
kubectl exec client -- nslookup kubernetes.default
kubectl exec client -- nslookup nope
kubectl exec client -- nslookup db.default.svc.cluster.local
kubectl exec client -- nslookup db-0.db.default.svc.cluster.local
kubectl get endpoints db -o jsonpath='{range .subsets[*].addresses[*]}{.hostname} {.ip}{"\n"}{end}'
kubectl exec client -- wget -qO- http://db-1.db | head -4
kubectl exec db-0 -- cat /etc/hosts
kubectl exec db-0 -- cat /etc/hostname
kubectl exec client -- nslookup 10-244-2-2.default.pod.cluster.local
kubectl exec client -- nslookup search.default.svc.cluster.local
kubectl exec client -- nslookup 10.96.0.1
kubectl exec client -- wget -qO- -T 2 http://search
kubectl exec old -- nslookup web
kubectl exec old -- nslookup kubernetes.default
kubectl exec old -- nslookup nope
