# The exam terminal's text tools around kubectl: awk, grep -E, sed -i, base64 -d, xargs.
kubectl create deployment web --image=nginx:1.27 --replicas=3
kubectl run db --image=redis:7.4 --labels=tier=db
sleep 15
kubectl get pods --no-headers | awk '{print $1}'
kubectl get pods --no-headers | awk '$3=="Running" {n++} END {print n, "running"}'
kubectl get pods -o wide --no-headers | awk '{print $1 " on " $7}' | sort
kubectl get nodes | awk 'NR>1 {print $1}'
kubectl get pods | grep -E "^(db|NAME)"
kubectl get pods --no-headers | grep -c web
kubectl get pods -l app=web -o name | sed 's|^pod/||' | cut -c1-4 | uniq -c
kubectl get deploy web -o yaml | grep -A2 'containers:'
# Secrets are base64-encoded.
kubectl create secret generic db-pass --from-literal=password='s3cr3t!'
kubectl get secret db-pass -o jsonpath='{.data.password}'; echo
kubectl get secret db-pass -o jsonpath='{.data.password}' | base64 -d; echo
kubectl get secret db-pass -o jsonpath='{.data.password}' | base64 --decode | wc -c
echo -n admin | base64
# Generate a manifest, edit it in place, apply it.
kubectl create deployment api --image=nginx:1.26 --dry-run=client -o yaml > api.yaml
grep -n 'image:' api.yaml
sed -i 's/nginx:1.26/nginx:1.27/; s/replicas: 1/replicas: 2/' api.yaml
grep -E 'image:|replicas:' api.yaml
kubectl apply -f api.yaml
kubectl get deploy api -o jsonpath='{.spec.template.spec.containers[0].image}'; echo
sleep 10
# xargs runs kubectl on every name.
kubectl get pods -l app=api -o name | xargs -I {} kubectl label {} tier=frontend
kubectl get pods -l tier=frontend --no-headers | wc -l
kubectl get pods -l tier=db -o name | xargs kubectl delete
kubectl get pods --no-headers | grep -c '^db '
# Mistakes get the real tools' messages; jq is not installed on the exam terminal.
grep 'image:\(' api.yaml
sed 's/a/b' api.yaml
awk '{print $1' api.yaml
jq .
history | tail -n 3
