# kubectl replace: PUT the whole object; --force deletes and recreates it.
cat > pod.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx
YAML
kubectl replace -f pod.yaml
kubectl create -f pod.yaml
sleep 5
kubectl get pod web -o yaml > live.yaml
sed -i 's/app: web/app: shop/' live.yaml
kubectl replace -f live.yaml
kubectl get pod web --show-labels
kubectl replace -f live.yaml
sed -i 's/image: nginx$/image: nginx:1.27/' pod.yaml
kubectl replace -f pod.yaml
kubectl get pod web -o jsonpath='{.spec.containers[0].image}{"\n"}'
sed -i 's/- name: web$/- name: app/' pod.yaml
kubectl replace -f pod.yaml
cat pod.yaml | kubectl replace --force -f -
sleep 5
kubectl get pods
kubectl get pod web -o jsonpath='{.spec.containers[0].name} {.spec.containers[0].image}{"\n"}'
kubectl replace --force --grace-period=0 -f pod.yaml
kubectl replace --grace-period=0 -f pod.yaml
kubectl replace -f pod.yaml --dry-run=client -o name
kubectl replace
kubectl replace -f missing.yaml
kubectl replace -f pod.yaml --as jane
