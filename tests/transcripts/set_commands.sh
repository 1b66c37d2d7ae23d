# kubectl set image / env / resources on a Deployment's pod template, with their messages:
# an unchanged object prints nothing; errors read as kubectl's.
kubectl apply -f - <<'EOF2'
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  log.level: debug
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
      - name: sidecar
        image: busybox:1.36
        command: ["sh", "-c", "sleep 3600"]
EOF2
sleep 5
kubectl set image deployment/web nginx=nginx:1.26
kubectl set image deployment/web nginx=nginx:1.26
kubectl set image deployment/web nope=nginx:1.26
kubectl set image deployment/web
kubectl set env deployment/web -c nginx GREETING=hello -e TIER=front
kubectl set env deployment/web --from=configmap/app-config -c nginx
kubectl set env deployment/web --list
kubectl set env deployment/web TIER- -c nginx
kubectl set env deployment/web --list -c nginx
kubectl set env deployment/web 1BAD=x
kubectl set env deployment/web -c nomatch A=b
kubectl set resources deployment web -c=nginx --limits=cpu=200m,memory=512Mi --requests=cpu=0.1
kubectl set resources deployment web
kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].resources}{"\n"}'
sleep 5
kubectl rollout history deployment/web
kubectl rollout history deployment/web --revision=2
