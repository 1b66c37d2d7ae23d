# RBAC: the default policy, can-i, whoami, and Forbidden errors with --as.
kubectl auth whoami
kubectl auth can-i create deployments
kubectl auth can-i '*' '*'
kubectl auth can-i list pods --as jane
echo "exit code $?"
kubectl auth can-i list nodes --as jane
kubectl auth can-i create selfsubjectaccessreviews --as jane
kubectl auth can-i get /healthz --as jane
kubectl auth can-i get foo
kubectl auth can-i get pods web extra
kubectl auth whoami --as jane
kubectl auth whoami --as system:serviceaccount:dev:bot -o yaml
kubectl get pods --as-group devs
cat > rbac.yaml <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: dev
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pod-reader
  namespace: dev
rules:
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: jane-reads-pods
  namespace: dev
subjects:
- kind: User
  name: jane
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: Role
  name: pod-reader
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: bot
  namespace: dev
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: bot-edits
  namespace: dev
subjects:
- kind: ServiceAccount
  name: bot
  namespace: dev
roleRef:
  kind: ClusterRole
  name: edit
  apiGroup: rbac.authorization.k8s.io
YAML
kubectl apply -f rbac.yaml
cat > pods.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx
YAML
kubectl apply -f pods.yaml -n dev
kubectl apply -f pods.yaml
sleep 10
kubectl auth can-i list pods -n dev --as jane
kubectl auth can-i delete pods -n dev --as jane
kubectl auth can-i get pods --subresource=log -n dev --as jane
kubectl auth can-i list pods --as jane -A
kubectl get pods -n dev --as jane
kubectl get pods --as jane
kubectl get pods -A --as jane
kubectl get pod web -n default --as jane
kubectl describe pod web -n default --as jane
kubectl delete pod web -n dev --as jane
kubectl logs web -n default --as jane
kubectl exec web -n dev --as jane -- ls
kubectl get deploy -n dev --as system:serviceaccount:dev:bot
kubectl get pods -n dev --as system:serviceaccount:dev:bot
kubectl logs web -n dev --as jane
kubectl exec web -n dev --as jane -- ls /
kubectl exec web -n dev --as system:serviceaccount:dev:bot -- cat /etc/hostname
kubectl auth can-i create deployments.apps -n dev --as system:serviceaccount:dev:bot
kubectl auth can-i create roles -n dev --as system:serviceaccount:dev:bot
kubectl auth can-i get secrets -n dev --as system:serviceaccount:dev:bot
kubectl auth can-i list secrets -n default --as system:serviceaccount:dev:bot
kubectl auth can-i list nodes --as system:serviceaccount:dev:bot -A
kubectl auth can-i list clusterroles
kubectl auth can-i --list -n dev --as jane
kubectl create -f - --as jane <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: dev
YAML
cat > broken.yaml <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ghost
  namespace: dev
subjects:
- kind: User
  name: joe
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: Role
  name: does-not-exist
  apiGroup: rbac.authorization.k8s.io
YAML
kubectl create -f broken.yaml
kubectl auth can-i get pods -n dev --as joe
kubectl get clusterrole view admin edit cluster-admin
kubectl get clusterrolebinding cluster-admin kubeadm:cluster-admins
kubectl run job1 --image=busybox --as jane -n dev
kubectl create deployment api --image=nginx -n dev --as system:serviceaccount:dev:bot
kubectl create namespace test --as jane
kubectl create configmap cfg --from-literal=a=b -n dev --as jane
