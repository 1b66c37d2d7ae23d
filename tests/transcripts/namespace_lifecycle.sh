# Namespace deletion: the namespace is Terminating while the namespace controller empties it
# (pods terminate gracefully), nothing new may be created in it meanwhile, and it goes once
# empty; `kubectl delete` waits for that unless --wait=false.
kubectl create namespace shop
kubectl create deployment web --image=nginx --replicas=2 -n shop
kubectl create configmap cfg --from-literal=a=b -n shop
# busybox's sleep as PID 1 ignores SIGTERM: it runs out its 30 s grace period.
kubectl run sleeper --image=busybox -n shop -- sleep 3600
sleep 10
kubectl delete ns shop --wait=false
kubectl get ns shop
sleep 1
kubectl get pods -n shop
kubectl create configmap other --from-literal=a=b -n shop
kubectl run tmp --image=nginx -n shop
kubectl delete ns shop
kubectl describe ns shop
kubectl get ns shop -o jsonpath='{.status.phase} {.spec.finalizers} {.metadata.deletionTimestamp}{"\n"}'
sleep 20
kubectl get ns,pods -n shop
sleep 20
kubectl get ns shop
kubectl get pods -n shop
# kubectl delete waits until the namespace is gone.
kubectl create ns tmp
kubectl run p --image=nginx -n tmp
sleep 10
kubectl delete ns tmp
kubectl get ns tmp
# A file holding a namespace and objects in it.
cat > app.yaml <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: app
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: app
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
      - name: web
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: app
spec:
  selector:
    app: web
  ports:
  - port: 80
YAML
kubectl apply -f app.yaml
sleep 10
kubectl delete -f app.yaml
kubectl get ns app
# The same with kustomize, which puts the Namespace first.
mkdir kz
cat > kz/kustomization.yaml <<'YAML'
namespace: team
resources:
- app.yaml
- ns.yaml
YAML
cat > kz/ns.yaml <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: team
YAML
cat > kz/app.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: prod
YAML
kubectl apply -k kz
kubectl delete -k kz --wait=false
kubectl get ns team
kubectl get cm -n team
sleep 1
kubectl get ns team
kubectl get ns
kubectl delete ns default
