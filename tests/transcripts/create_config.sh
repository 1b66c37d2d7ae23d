# ConfigMaps and Secrets from literals, files, directories and env files, stored and read back.
cat > app.properties <<'EOF2'
color=blue
mode=prod
EOF2
cat > app.env <<'EOF2'
# settings for the app
COLOR=blue
MODE=prod
EOF2
mkdir conf
echo "listen 80;" > conf/nginx.conf
echo "debug" > conf/level
kubectl create configmap app --from-literal=COLOR=blue --from-literal=MODE=prod
kubectl create configmap app --from-literal=COLOR=red
kubectl get configmap app -o yaml
kubectl create configmap files --from-file=app.properties --from-file=custom=app.properties
kubectl get configmap files -o jsonpath='{.data.custom}'
kubectl create configmap dir --from-file=conf/
kubectl get configmap dir -o jsonpath='{.data}{"\n"}'
kubectl create configmap envs --from-env-file=app.env -o yaml
kubectl create configmap hashed --from-literal=a=1 --append-hash
kubectl get configmap hashed-tt42b4m6hd -o name
kubectl create configmap bad --from-file=missing.txt
kubectl create configmap bad --from-literal=novalue
kubectl create secret generic db --from-literal=username=admin --from-literal=password='s3cr3t!'
kubectl get secret db -o yaml
kubectl get secret db -o jsonpath='{.data.password}{"\n"}'
kubectl create secret generic db --from-literal=password=other
kubectl create secret generic props --from-file=app.properties --type=Opaque -o jsonpath='{.type}{"\n"}'
kubectl create secret docker-registry regcred --docker-server=registry.example.com --docker-username=dev --docker-password=pass --docker-email=dev@example.com
kubectl get secret regcred -o jsonpath='{.type}{"\n"}'
kubectl create secret docker-registry nocred --docker-username=dev
kubectl create secret tls web-tls --cert=missing.crt --key=missing.key
kubectl create secret tls web-tls --cert=app.properties --key=app.env
