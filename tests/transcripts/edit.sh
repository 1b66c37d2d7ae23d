# kubectl edit with a non-interactive editor: the change is applied, an unchanged file
# cancels, an invalid change is reopened once and then kept.
cat > deploy.yaml <<'YAML'
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
        image: nginx
YAML
kubectl apply -f deploy.yaml
KUBE_EDITOR="sed -i 's/replicas: 1/replicas: 3/'" kubectl edit deploy web
kubectl get deploy web -o jsonpath='{.spec.replicas}{"\n"}'
KUBE_EDITOR=true kubectl edit deployment/web
KUBE_EDITOR="sed -i 's/replicas: 3/replicas: -1/'" kubectl edit deploy web
echo "exit code $?"
ls /tmp
for f in /tmp/kubectl-edit-*.yaml; do grep -q 'was not valid' $f && head -9 $f; done
KUBE_EDITOR="sed -i 's/  name: web$/  name: web2/'" kubectl edit deploy web
KUBE_EDITOR="sed -i 's/^kind: Deployment/kind: Deployment\nbroken: [/'" kubectl edit deploy web
kubectl edit deploy web
EDITOR=nano kubectl edit deploy web
KUBE_EDITOR=no-such-editor kubectl edit deploy web
KUBE_EDITOR="sed -i 's/\"replicas\": 3/\"replicas\": 2/'" kubectl edit deploy web -o json
KUBE_EDITOR="sed -i 's/image: nginx$/image: nginx:1.27/'" kubectl edit deploy web
kubectl get deploy web -o jsonpath='{.spec.replicas} {.spec.template.spec.containers[0].image}{"\n"}'
# The shell removes the quotes: sed runs s/nginx/nginx:1.27/, a different change every time;
# after the reopened file fails again, the session ends.
KUBE_EDITOR="sed -i -e s/\"nginx\"/\"nginx:1.27\"/" kubectl edit deploy web -o json
kubectl edit deploy nothere
kubectl edit deploy --as jane
kubectl edit
