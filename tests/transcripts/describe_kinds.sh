# kubectl describe of each kind not described elsewhere, right after creation and once the
# controllers have done their work.
kubectl create deployment web --image=nginx --replicas=2 --port=80
kubectl expose deployment web --port=80
kubectl create job once --image=busybox -- sh -c 'echo done'
kubectl create cronjob tick --image=busybox --schedule='*/5 * * * *' -- date
kubectl create ingress web --rule='shop.example.com/*=web:80'
kubectl create role reader --verb=get,list --resource=pods,configmaps
kubectl create rolebinding reader --role=reader --user=jane
kubectl create clusterrole node-reader --verb=get --resource=nodes
kubectl create clusterrolebinding node-reader --clusterrole=node-reader --group=ops
kubectl create quota team --hard=pods=10,requests.cpu=2
kubectl create pdb web --selector=app=web --min-available=1
kubectl create priorityclass high --value=1000 --description='for what matters'
cat <<'YAML' | kubectl apply -f -
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox:1.36
        command: ["sleep", "3600"]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: redis
---
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
  - type: Container
    default:
      cpu: 500m
      memory: 256Mi
    defaultRequest:
      cpu: 100m
      memory: 128Mi
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-ingress
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: client
    ports:
    - protocol: TCP
      port: 80
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
YAML
sleep 30
kubectl describe deployment web
kubectl describe rs
kubectl describe service web
kubectl describe endpoints web
kubectl describe job once
kubectl describe cronjob tick
kubectl describe ingress web
kubectl describe daemonset agent
kubectl describe statefulset db
kubectl describe networkpolicy web-ingress
kubectl describe pvc data
kubectl describe storageclass
kubectl describe role reader
kubectl describe rolebinding reader
kubectl describe clusterrole node-reader
kubectl describe clusterrolebinding node-reader
kubectl describe quota team
kubectl describe limitrange defaults
kubectl describe pdb web
kubectl describe priorityclass high
kubectl describe ingressclass
