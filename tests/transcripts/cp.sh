# kubectl cp between the workstation and containers.
cat > pods.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx
  - name: box
    image: busybox
    command: ["sleep", "3600"]
YAML
kubectl apply -f pods.yaml
sleep 10
echo '<h1>hello</h1>' > index.html
kubectl cp index.html web:/usr/share/nginx/html/index.html -c nginx
kubectl exec web -c nginx -- cat /usr/share/nginx/html/index.html
kubectl cp web:/usr/share/nginx/html/index.html copy.html -c nginx
cat copy.html
kubectl cp web:/usr/share/nginx/html ./html -c nginx
ls html
kubectl cp web:/etc/hostname hostname.txt -c box
cat hostname.txt
mkdir conf
echo 'a=1' > conf/app.properties
kubectl cp conf web:/tmp -c box
kubectl exec web -c box -- ls /tmp/conf
kubectl cp web:/nope here -c nginx
echo "exit code $?"
kubectl cp web:/nope here -c box
kubectl cp missing.txt web:/tmp
kubectl cp index.html nothere:/tmp
kubectl cp index.html web:/no/such/dir/file -c nginx
kubectl cp web:/etc/hostname
kubectl cp a b
kubectl cp :x y
