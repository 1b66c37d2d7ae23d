# Mistakes a learner makes, answered in kubectl's and the API server's words.
kubectl get pod nope
kubectl describe pod nope
kubectl logs nope
kubectl delete pod nope
kubectl get pods,nope
kubectl get
kubectl gett pods
kubectl get pods --foo
kubectl get pods -o yamll
cat > bad.yaml <<'EOF2'
apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - containerport: 80
EOF2
kubectl apply -f bad.yaml
kubectl create -f missing.yaml
cat > invalid.yaml <<'EOF2'
apiVersion: v1
kind: Pod
metadata:
  name: Invalid_Name
spec:
  containers:
  - name: web
EOF2
kubectl apply -f invalid.yaml
kubectl run web --image=nginx
kubectl run web --image=nginx
kubectl exec web ls
kubectl get pods -n nowhere
kubectl create namespace dev
kubectl create namespace dev
